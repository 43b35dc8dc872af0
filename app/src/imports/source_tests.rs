use super::*;

type Rows = Vec<Result<(u64, Vec<String>), RowError>>;

fn open(bytes: &[u8], encoding: EncodingChoice) -> CsvSource<&[u8]> {
    CsvSource::open(bytes, encoding).unwrap()
}

fn read_all(bytes: &[u8], encoding: EncodingChoice) -> (Vec<String>, Rows) {
    let mut source = open(bytes, encoding);
    let headers = source.headers().to_vec();
    let rows = std::iter::from_fn(|| source.next_record()).collect();
    (headers, rows)
}

fn ok_rows(rows: Rows) -> Vec<(u64, Vec<String>)> {
    rows.into_iter().map(|r| r.unwrap()).collect()
}

fn cells(row: &[&str]) -> Vec<String> {
    row.iter().map(|s| (*s).to_owned()).collect()
}

fn sjis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

const JAPANESE: &str = "メールアドレス,姓,名,会社名\r\ntaro@example.co.jp,山田,太郎,株式会社サンプル\r\nhanako@example.jp,鈴木,花子,\"表示, 株式会社\"\r\n";

#[test]
fn a_plain_utf8_file_reads_header_and_rows_numbered_like_a_spreadsheet() {
    let (headers, rows) = read_all(b"email,name\na@b.jp,Aya\nc@d.jp,Chi\n", EncodingChoice::Auto);
    assert_eq!(headers, ["email", "name"]);
    assert_eq!(
        ok_rows(rows),
        [(2, cells(&["a@b.jp", "Aya"])), (3, cells(&["c@d.jp", "Chi"]))]
    );
}

#[test]
fn a_utf8_bom_is_skipped_and_never_reaches_the_first_header() {
    for choice in [
        EncodingChoice::Auto,
        EncodingChoice::Utf8,
        EncodingChoice::ShiftJis,
    ] {
        let mut source = open(b"\xEF\xBB\xBFemail,name\r\na@b.jp,Aya\r\n", choice);
        assert_eq!(source.headers(), ["email", "name"], "{choice:?}");
        assert_eq!(source.encoding_name(), "UTF-8");
        assert_eq!(
            source.next_record().unwrap().unwrap(),
            (2, cells(&["a@b.jp", "Aya"]))
        );
    }
}

#[test]
fn crlf_and_lf_line_ends_read_the_same_and_leave_no_carriage_returns() {
    let (_, crlf) = read_all(b"email,name\r\na@b.jp,Aya\r\nc@d.jp,Chi", EncodingChoice::Auto);
    let (_, lf) = read_all(b"email,name\na@b.jp,Aya\nc@d.jp,Chi", EncodingChoice::Auto);
    assert_eq!(ok_rows(crlf), ok_rows(lf));
}

#[test]
fn quoted_cells_keep_commas_quotes_and_line_breaks_and_rows_count_records_not_lines() {
    let data = "email,note,name\r\na@b.jp,\"Hello, world\",Aya\r\nc@d.jp,\"She said \"\"hi\"\"\nand left\r\nfor Osaka\",Chi\r\ne@f.jp,,Eri\r\n";
    let rows = ok_rows(read_all(data.as_bytes(), EncodingChoice::Auto).1);
    assert_eq!(rows[0], (2, cells(&["a@b.jp", "Hello, world", "Aya"])));
    assert_eq!(
        rows[1],
        (
            3,
            cells(&["c@d.jp", "She said \"hi\"\nand left\r\nfor Osaka", "Chi"])
        )
    );
    assert_eq!(rows[2], (4, cells(&["e@f.jp", "", "Eri"])));
}

#[test]
fn japanese_utf8_text_is_read_as_written() {
    let (headers, rows) = read_all(JAPANESE.as_bytes(), EncodingChoice::Auto);
    assert_eq!(headers, ["メールアドレス", "姓", "名", "会社名"]);
    let rows = ok_rows(rows);
    assert_eq!(
        rows[0].1,
        cells(&["taro@example.co.jp", "山田", "太郎", "株式会社サンプル"])
    );
    assert_eq!(rows[1].1[3], "表示, 株式会社");
}

#[test]
fn shift_jis_is_detected_automatically_and_decoded() {
    let bytes = sjis(JAPANESE);
    assert!(std::str::from_utf8(&bytes).is_err());
    let mut source = open(&bytes, EncodingChoice::Auto);
    assert_eq!(source.encoding_name(), "Shift_JIS");
    assert_eq!(source.headers(), ["メールアドレス", "姓", "名", "会社名"]);
    let (row, record) = source.next_record().unwrap().unwrap();
    assert_eq!(row, 2);
    assert_eq!(
        record,
        cells(&["taro@example.co.jp", "山田", "太郎", "株式会社サンプル"])
    );
}

#[test]
fn shift_jis_chosen_explicitly_reads_the_same_as_detected() {
    let bytes = sjis(JAPANESE);
    let auto = read_all(&bytes, EncodingChoice::Auto);
    let explicit = read_all(&bytes, EncodingChoice::ShiftJis);
    assert_eq!(auto.0, explicit.0);
    assert_eq!(ok_rows(auto.1), ok_rows(explicit.1));
}

#[test]
fn cp932_extensions_written_by_windows_excel_are_decoded() {
    // ① and ㈱ exist only in the NEC extension of CP932.
    let bytes = sjis("name\n①㈱テスト\n");
    let (_, rows) = read_all(&bytes, EncodingChoice::Auto);
    assert_eq!(ok_rows(rows)[0].1, ["①㈱テスト"]);
}

#[test]
fn a_shift_jis_file_read_as_utf8_reports_each_undecodable_row_and_goes_on() {
    let bytes = [
        b"email,name\n".as_slice(),
        b"a@b.jp,",
        &sjis("山田"),
        b"\nc@d.jp,Chi\n",
    ]
    .concat();
    let (_, rows) = read_all(&bytes, EncodingChoice::Utf8);
    let error = rows[0].as_ref().unwrap_err();
    assert_eq!((error.row, error.column.as_str()), (2, "name"));
    assert!(error.message.contains("not valid UTF-8"), "{}", error.message);
    assert_eq!(rows[1].as_ref().unwrap(), &(3, cells(&["c@d.jp", "Chi"])));
}

#[test]
fn bytes_invalid_in_shift_jis_are_reported_rather_than_silently_replaced() {
    let bytes = [
        b"email,name\n".as_slice(),
        b"a@b.jp,\x82\n",
        b"c@d.jp,",
        &sjis("花子"),
        b"\n",
    ]
    .concat();
    let (_, rows) = read_all(&bytes, EncodingChoice::ShiftJis);
    let error = rows[0].as_ref().unwrap_err();
    assert_eq!((error.row, error.column.as_str()), (2, "name"));
    assert!(error.message.contains("not valid Shift_JIS"), "{}", error.message);
    assert_eq!(rows[1].as_ref().unwrap().1, cells(&["c@d.jp", "花子"]));
}

#[test]
fn a_utf8_file_whose_first_64_kib_are_ascii_is_read_as_utf8() {
    let mut data = String::from("email,name\n");
    while data.len() < SNIFF_BYTES + 100 {
        data.push_str("someone@example.com,Someone\n");
    }
    data.push_str("last@example.jp,最後\n");
    let rows = ok_rows(read_all(data.as_bytes(), EncodingChoice::Auto).1);
    assert_eq!(rows.last().unwrap().1, ["last@example.jp", "最後"]);
}

#[test]
fn a_multibyte_character_cut_by_the_sniffed_prefix_still_means_utf8() {
    let mut data = String::from("name\n");
    while data.len() < SNIFF_BYTES + 10 {
        data.push_str("日本語\n");
    }
    let mut source = open(data.as_bytes(), EncodingChoice::Auto);
    assert_eq!(source.encoding_name(), "UTF-8");
    assert!(std::iter::from_fn(|| source.next_record()).all(|r| r.unwrap().1 == ["日本語"]));
}

#[test]
fn an_empty_file_or_a_lone_bom_is_empty() {
    for bytes in [b"".as_slice(), b"\xEF\xBB\xBF"] {
        let error = CsvSource::open(bytes, EncodingChoice::Auto).err().unwrap();
        assert!(matches!(error, ImportFileError::Empty), "{error:?}");
        assert_eq!(error.to_string(), "the file is empty");
    }
}

#[test]
fn a_file_with_nul_bytes_is_not_csv() {
    let zip = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml";
    let error = CsvSource::open(zip.as_slice(), EncodingChoice::Auto)
        .err()
        .unwrap();
    assert!(matches!(error, ImportFileError::NotCsv), "{error:?}");
    assert_eq!(error.to_string(), "not a CSV text file");
    let error = CsvSource::open(b"email\na\0b\n".as_slice(), EncodingChoice::Utf8)
        .err()
        .unwrap();
    assert!(matches!(error, ImportFileError::NotCsv));
}

#[test]
fn a_file_of_blank_lines_has_no_header() {
    for bytes in [b"\r\n\r\n".as_slice(), b" , ,\n"] {
        let error = CsvSource::open(bytes, EncodingChoice::Auto).err().unwrap();
        assert!(matches!(error, ImportFileError::NoHeader), "{error:?}");
    }
}

#[test]
fn a_header_without_rows_is_an_empty_import() {
    let mut source = open(b"email,name\r\n", EncodingChoice::Auto);
    assert_eq!(source.headers(), ["email", "name"]);
    assert!(source.next_record().is_none());
}

#[test]
fn rows_of_another_width_are_returned_as_they_are_for_the_row_rules_to_report() {
    let (_, rows) = read_all(b"email,name\na@b.jp\nc@d.jp,Chi,extra\n", EncodingChoice::Auto);
    let rows = ok_rows(rows);
    assert_eq!(rows[0], (2, cells(&["a@b.jp"])));
    assert_eq!(rows[1], (3, cells(&["c@d.jp", "Chi", "extra"])));
}

#[test]
fn blank_records_are_skipped_but_keep_their_row_number() {
    let (_, rows) = read_all(
        b"email,name\na@b.jp,Aya\n,\n , \nc@d.jp,Chi\n",
        EncodingChoice::Auto,
    );
    let numbers: Vec<u64> = ok_rows(rows).iter().map(|r| r.0).collect();
    assert_eq!(numbers, [2, 5]);
}

#[test]
fn a_quote_never_closed_is_reported_at_the_row_where_it_opens() {
    let data = b"email,note\na@b.jp,fine\nc@d.jp,\"oops\ne@f.jp,lost\n";
    let (_, rows) = read_all(data, EncodingChoice::Auto);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].as_ref().unwrap().0, 2);
    let error = rows[1].as_ref().unwrap_err();
    assert_eq!((error.row, error.column.as_str()), (3, "note"));
    assert!(error.message.contains("never closed"), "{}", error.message);
}

#[test]
fn a_closed_multiline_cell_at_the_end_of_the_file_is_not_mistaken_for_an_unclosed_quote() {
    let (_, rows) = read_all(b"email,note\na@b.jp,\"two\nlines\"", EncodingChoice::Auto);
    assert_eq!(ok_rows(rows), [(2, cells(&["a@b.jp", "two\nlines"]))]);
}

#[test]
fn a_utf16_file_with_a_bom_is_decoded_instead_of_refused() {
    let text = "email,name\r\na@b.jp,山田\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let (headers, rows) = read_all(&bytes, EncodingChoice::Auto);
    assert_eq!(headers, ["email", "name"]);
    assert_eq!(ok_rows(rows), [(2, cells(&["a@b.jp", "山田"]))]);
}

#[test]
fn a_large_file_is_streamed_record_by_record() {
    // A reader that yields one small chunk at a time: the source never needs the whole file.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(7).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut data = String::from("email,name\r\n");
    for i in 0..5_000 {
        data.push_str(&format!("user{i}@example.jp,\"Name, {i}\"\r\n"));
    }
    let mut source = CsvSource::open(Trickle(data.as_bytes()), EncodingChoice::Auto).unwrap();
    let mut count = 0;
    while let Some(next) = source.next_record() {
        let (row, record) = next.unwrap();
        assert_eq!(record[1], format!("Name, {}", row - 2));
        count += 1;
    }
    assert_eq!(count, 5_000);
}

#[test]
fn a_read_failure_mid_file_is_reported_once_and_ends_the_stream() {
    /// Gives `data`, then fails.
    struct Failing(Vec<u8>, usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.1 == self.0.len() {
                return Err(io::Error::other("disk gone"));
            }
            let n = buf.len().min(self.0.len() - self.1);
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }
    let mut data = b"email\n".to_vec();
    while data.len() < SNIFF_BYTES + 1000 {
        data.extend_from_slice(b"a@b.jp\n");
    }
    let mut source = CsvSource::open(Failing(data, 0), EncodingChoice::Auto).unwrap();
    let rows: Rows = std::iter::from_fn(|| source.next_record()).collect();
    let (last, before) = rows.split_last().unwrap();
    assert!(before.iter().all(Result::is_ok));
    let last = last.as_ref().unwrap_err();
    assert_eq!(last.column, "*");
    assert!(last.message.contains("disk gone"), "{}", last.message);
}
