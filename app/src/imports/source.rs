//! Reading a CSV file as a stream of records: the encoding is settled from the first 64 KiB,
//! then records are decoded and handed out one at a time, so memory stays flat however large
//! the file. A broken record becomes a [`RowError`] and reading goes on, so one bad row never
//! hides the others.

use std::io::{self, Chain, Cursor, Read};

use csv::ByteRecord;
use encoding_rs::{Encoding, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

use super::{EncodingChoice, RowError};

/// How much of the file decides its encoding.
const SNIFF_BYTES: usize = 64 * 1024;
const BOM_UTF8: &[u8] = b"\xEF\xBB\xBF";
/// The longest cell value quoted in a report line.
const MAX_REPORTED_VALUE: usize = 200;

/// Why a file cannot be imported at all (as opposed to a bad row, which is reported and
/// skipped).
#[derive(Debug, thiserror::Error)]
pub enum ImportFileError {
    /// Zero bytes (or nothing but a byte-order mark).
    #[error("the file is empty")]
    Empty,
    /// Binary content (NUL bytes near the start): a spreadsheet, an image, an archive…
    #[error("not a CSV text file")]
    NotCsv,
    /// Text, but no non-blank first record to take the column names from.
    #[error("no header row")]
    NoHeader,
    /// Reading the file failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

type Prefixed<R> = Chain<Cursor<Vec<u8>>, R>;

/// The bytes the CSV parser reads: UTF-8 as is, or another encoding transcoded to UTF-8.
enum Input<R: Read> {
    /// UTF-8 bytes, validated cell by cell so invalid bytes are pinned to a row.
    Utf8(Prefixed<R>),
    /// Shift_JIS or UTF-16 decoded to UTF-8; invalid sequences become U+FFFD.
    Decoded(Box<DecodeReaderBytes<Prefixed<R>, Vec<u8>>>),
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Utf8(r) => r.read(buf),
            Self::Decoded(r) => r.read(buf),
        }
    }
}

/// Counts `"` and notices the end of the input: a file that ends inside a quoted cell has
/// an odd number of quotes, which is how an unclosed quote is told from a multi-line cell.
struct QuoteWatch<R> {
    inner: R,
    quotes: u64,
    ended: bool,
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.ended |= n == 0 && !buf.is_empty();
        self.quotes += buf[..n].iter().filter(|&&b| b == b'"').count() as u64;
        Ok(n)
    }
}

/// What comes after the record being handed out.
enum Ahead {
    /// `CsvSource::ahead` holds the next record.
    Record,
    /// Reading failed: reported as one more row error, then the end.
    Failed(String),
    /// No more records.
    End,
}

/// A CSV file read one record at a time. Row numbers are spreadsheet rows (see
/// [`RowError`]): the header is row 1 and the first data record row 2.
pub struct CsvSource<R: Read> {
    reader: csv::Reader<QuoteWatch<Input<R>>>,
    encoding: &'static Encoding,
    transcoded: bool,
    headers: Vec<String>,
    /// The row of the record last handed out (or skipped).
    row: u64,
    current: ByteRecord,
    ahead: ByteRecord,
    state: Ahead,
}

/// Whether `bytes` is UTF-8, allowing a sequence cut off at the end of a sniffed prefix.
fn looks_like_utf8(bytes: &[u8], cut: bool) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => cut && e.error_len().is_none(),
    }
}

fn decoded<R: Read>(input: Prefixed<R>, encoding: &'static Encoding) -> Input<R> {
    let decoder = DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .build(input);
    Input::Decoded(Box::new(decoder))
}

impl<R: Read> CsvSource<R> {
    /// Opens a CSV file and reads its header.
    ///
    /// Decodes as UTF-8 (a BOM is skipped) or Shift_JIS (CP932). `Auto`: a BOM means UTF-8
    /// (or UTF-16 for a UTF-16 BOM); otherwise valid UTF-8 in the first 64 KiB means UTF-8,
    /// anything else Shift_JIS. A BOM also wins over an explicit choice: it cannot be wrong.
    /// Reads CRLF or LF line ends and quoted cells holding commas, quotes (`""`) and line
    /// breaks. Fails with [`ImportFileError::NotCsv`] when the first 64 KiB hold a NUL byte
    /// (binary content such as an `.xlsx`), [`ImportFileError::Empty`] for zero bytes and
    /// [`ImportFileError::NoHeader`] when no non-blank record starts the file.
    pub fn open(mut reader: R, encoding: EncodingChoice) -> Result<Self, ImportFileError> {
        let mut prefix = Vec::with_capacity(SNIFF_BYTES);
        (&mut reader).take(SNIFF_BYTES as u64).read_to_end(&mut prefix)?;
        let cut = prefix.len() == SNIFF_BYTES;
        if prefix.is_empty() || prefix == BOM_UTF8 {
            return Err(ImportFileError::Empty);
        }
        let utf16 = match prefix.get(..2) {
            Some(b"\xFF\xFE") => Some(UTF_16LE),
            Some(b"\xFE\xFF") => Some(UTF_16BE),
            _ => None,
        };
        if utf16.is_none() && prefix.contains(&0) {
            return Err(ImportFileError::NotCsv);
        }
        let has_bom = prefix.starts_with(BOM_UTF8);
        let chosen = match (utf16, encoding) {
            (Some(utf16), _) => utf16,
            (None, _) if has_bom => UTF_8,
            (None, EncodingChoice::Utf8) => UTF_8,
            (None, EncodingChoice::ShiftJis) => SHIFT_JIS,
            (None, EncodingChoice::Auto) if looks_like_utf8(&prefix, cut) => UTF_8,
            (None, EncodingChoice::Auto) => SHIFT_JIS,
        };
        let mut start = Cursor::new(prefix);
        let input = if chosen == UTF_8 {
            start.set_position(if has_bom { BOM_UTF8.len() as u64 } else { 0 });
            Input::Utf8(start.chain(reader))
        } else {
            decoded(start.chain(reader), chosen)
        };
        let watch = QuoteWatch {
            inner: input,
            quotes: 0,
            ended: false,
        };
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(watch);
        let mut header = ByteRecord::new();
        if !csv.read_byte_record(&mut header).map_err(io::Error::from)? {
            return Err(ImportFileError::NoHeader);
        }
        let headers: Vec<String> = header
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim()
                    .trim_start_matches('\u{FEFF}')
                    .trim()
                    .to_owned()
            })
            .collect();
        if headers.iter().all(String::is_empty) {
            return Err(ImportFileError::NoHeader);
        }
        let mut source = Self {
            reader: csv,
            encoding: chosen,
            transcoded: chosen != UTF_8,
            headers,
            row: 1,
            current: ByteRecord::new(),
            ahead: ByteRecord::new(),
            state: Ahead::End,
        };
        source.read_ahead();
        Ok(source)
    }

    /// The header cells, trimmed, in file order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The encoding the file is read with (`UTF-8`, `Shift_JIS`…), for the wizard to show.
    pub fn encoding_name(&self) -> &'static str {
        self.encoding.name()
    }

    fn read_ahead(&mut self) {
        self.state = match self.reader.read_byte_record(&mut self.ahead) {
            Ok(true) => Ahead::Record,
            Ok(false) => Ahead::End,
            Err(e) => Ahead::Failed(e.to_string()),
        };
    }

    /// The next record with its row number (header = row 1), cells decoded but not trimmed,
    /// or `None` at the end. Records whose cells are all blank are skipped (their row number
    /// is still counted, so later rows keep their spreadsheet numbers). A malformed record —
    /// bytes invalid in the file's encoding, a quote never closed — is returned as
    /// `Err(RowError)` and reading continues with the next record when there is one; a read
    /// failure is returned once and ends the stream.
    pub fn next_record(&mut self) -> Option<Result<(u64, Vec<String>), RowError>> {
        loop {
            match std::mem::replace(&mut self.state, Ahead::End) {
                Ahead::End => return None,
                Ahead::Failed(reason) => {
                    self.row += 1;
                    let message = format!("the file could not be read from here on: {reason}");
                    return Some(Err(RowError::new(self.row, "*", "", message)));
                }
                Ahead::Record => {}
            }
            std::mem::swap(&mut self.current, &mut self.ahead);
            self.read_ahead();
            self.row += 1;
            if self.current.iter().all(|c| c.trim_ascii().is_empty()) {
                continue;
            }
            return Some(self.decode_current());
        }
    }

    fn decode_current(&self) -> Result<(u64, Vec<String>), RowError> {
        let mut cells = Vec::with_capacity(self.current.len());
        let mut invalid = None;
        for (i, bytes) in self.current.iter().enumerate() {
            let cell = match std::str::from_utf8(bytes) {
                Ok(text) if self.transcoded && text.contains('\u{FFFD}') => text.to_owned(),
                Ok(text) => {
                    cells.push(text.to_owned());
                    continue;
                }
                Err(_) => String::from_utf8_lossy(bytes).into_owned(),
            };
            invalid.get_or_insert(i);
            cells.push(cell);
        }
        if let Some(i) = invalid {
            let name = self.encoding.name();
            let message = format!(
                "contains bytes that are not valid {name}: choose the file's encoding (UTF-8 or Shift_JIS) and import it again"
            );
            return Err(self.error_at(i, &cells[i], message));
        }
        let last = matches!(self.state, Ahead::End);
        let watch = self.reader.get_ref();
        if last
            && watch.ended
            && watch.quotes % 2 == 1
            && let Some(i) = cells.iter().position(|c| c.contains(['\n', '\r']))
        {
            let message = "a quoted cell is never closed (a \" is missing), so the rest of the file was read as one cell";
            return Err(self.error_at(i, &cells[i], message));
        }
        Ok((self.row, cells))
    }

    /// An error about cell `i` of the current record, under its header and with its value
    /// shortened for the report.
    fn error_at(&self, i: usize, value: &str, message: impl Into<String>) -> RowError {
        let column = self
            .headers
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column {}", i + 1));
        let value = value.trim();
        let value = match value.char_indices().nth(MAX_REPORTED_VALUE) {
            Some((end, _)) => format!("{}…", &value[..end]),
            None => value.to_owned(),
        };
        RowError::new(self.row, &column, &value, message)
    }
}

#[cfg(test)]
#[path = "source_tests.rs"]
mod tests;
