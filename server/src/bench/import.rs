//! `accord bench import`: a generated lead CSV loaded side by side by `sqlite3 .import` (into
//! one table with an email primary key) and by `accord import` (validation, accounts, stage
//! evaluation, history, handoffs), in one run on the same file, with the importer's peak
//! memory. Figures go to docs/benchmarks.md.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;

use app::auth::{NewUserInput, service};
use app::state::AuthSettings;

use crate::cli::say;
use crate::config;

/// Options of `accord bench import`.
#[derive(Debug, Args)]
pub struct ImportBenchArgs {
    /// Data rows in the generated file.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Keep the scratch directory (file and databases) for a look afterwards.
    #[arg(long)]
    pub keep: bool,
}

const COLUMNS: &str = "email,first_name,last_name,job_title,consent,source,country,company_domain,company_name,employees,industry";
const FIRST: &[&str] = &[
    "Aya", "Ken", "Sara", "Tom", "Hiro", "Emma", "Yuki", "Liam", "Mei", "Noah", "彩", "健",
];
const LAST: &[&str] = &[
    "Sato", "Ito", "Lee", "Baker", "Tanaka", "Clark", "Suzuki", "Brown", "佐藤", "鈴木",
];
const TITLES: &[&str] = &[
    "CMO",
    "Head of Marketing",
    "VP Sales",
    "Engineer",
    "\"Director, Revenue Ops\"",
    "部長",
];
const INDUSTRIES: &[&str] = &["Software", "Manufacturing", "Finance", "Retail", "Healthcare"];
const COUNTRIES: &[&str] = &["JP", "US", "GB", "DE", "SG"];

/// A small deterministic generator (the file must be the same on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// Writes `rows` leads, about five per company, with quoted cells and Japanese names.
fn generate(path: &Path, rows: u64) -> anyhow::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "{COLUMNS}")?;
    let mut rng = Lcg(42);
    for i in 0..rows {
        // A company has one head count and industry, whichever of its contacts says so.
        let company = i / 5;
        let mut firm = Lcg(company);
        firm.next();
        writeln!(
            out,
            "lead{i}@company{company}.example,{},{},{},{},{},{},company{company}.example,Company {company},{},{}",
            rng.pick(FIRST),
            rng.pick(LAST),
            rng.pick(TITLES),
            if rng.next().is_multiple_of(3) { "no" } else { "yes" },
            if rng.next().is_multiple_of(2) {
                "inbound"
            } else {
                "outbound"
            },
            rng.pick(COUNTRIES),
            5 + (firm.next() % 2000),
            firm.pick(INDUSTRIES),
        )?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// `sqlite3 .import` of the file into one table keyed by email.
fn sqlite3_import(file: &Path, db: &Path) -> anyhow::Result<Duration> {
    let columns = COLUMNS
        .split(',')
        .map(|c| {
            if c == "email" {
                "email TEXT PRIMARY KEY".to_owned()
            } else {
                format!("{c} TEXT")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let script = format!(
        "CREATE TABLE leads ({columns});\n.import --csv --skip 1 {} leads\n",
        file.display()
    );
    let started = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run sqlite3 (install it: apt-get install sqlite3)")?;
    child
        .stdin
        .take()
        .context("sqlite3 stdin")?
        .write_all(script.as_bytes())?;
    let output = child.wait_with_output()?;
    let elapsed = started.elapsed();
    if !output.status.success() || !output.stderr.is_empty() {
        bail!(
            "sqlite3 .import failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(elapsed)
}

/// The peak resident memory of a running process, in KiB (`VmHWM`).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs `accord import leads FILE` against `url`; returns the time, its last output line
/// and its peak memory.
fn accord_import(file: &Path, url: &str) -> anyhow::Result<(Duration, String, u64)> {
    let exe = std::env::current_exe()?;
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args(["import", "leads"])
        .arg(file)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn,app::imports=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let mut peak = 0;
    while child.try_wait()?.is_none() {
        if let Some(kib) = peak_kib(pid) {
            peak = peak.max(kib);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "accord import failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let summary = text.lines().next().unwrap_or_default().to_owned();
    let log = String::from_utf8_lossy(&output.stderr);
    if let Some(line) = log.lines().find(|l| l.contains("import timings")) {
        say(&format!(
            "  {}",
            line.split("import timings")
                .nth(1)
                .unwrap_or_default()
                .trim_start_matches(':')
                .trim()
        ));
    }
    Ok((elapsed, summary, peak))
}

/// Runs the benchmark and prints a Markdown table.
pub async fn run(args: ImportBenchArgs) -> anyhow::Result<()> {
    if args.rows == 0 {
        bail!("--rows must be at least 1");
    }
    let dir = std::env::temp_dir().join(format!("accord-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("cannot create a scratch directory")?;
    let file: PathBuf = dir.join("leads.csv");
    let started = Instant::now();
    let bytes = generate(&file, args.rows)?;
    say(&format!(
        "Generated {} rows ({:.0} MB) in {:.1} s",
        args.rows,
        bytes as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    ));

    let baseline = sqlite3_import(&file, &dir.join("sqlite3.db"))?;
    say(&format!("sqlite3 .import: {:.2} s", baseline.as_secs_f64()));

    let url = format!("sqlite://{}?mode=rwc", dir.join("accord.db").display());
    let options = config::leptos_options(
        "127.0.0.1:3000".parse().expect("valid address"),
        &config::site_root(),
    );
    let state = config::open_state(&url, options, AuthSettings::default()).await?;
    app::definitions::service::ensure_seeded(&state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    service::create_user_as_operator(
        &state,
        NewUserInput {
            email: "bench@accord.test".into(),
            name: "Bench".into(),
            team: "marketing".into(),
            role: "admin".into(),
            password: "bench-password-123".into(),
            locale: None,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    state.db.close().await;

    let (first, summary, peak) = accord_import(&file, &url)?;
    say(&format!(
        "accord import: {:.2} s — {summary}",
        first.as_secs_f64()
    ));
    let (again, summary_again, peak_again) = accord_import(&file, &url)?;
    say(&format!(
        "accord import (same file again): {:.2} s — {summary_again}",
        again.as_secs_f64()
    ));

    let ratio = first.as_secs_f64() / baseline.as_secs_f64();
    let mib = |kib: u64| kib as f64 / 1024.0;
    say("");
    say(&format!(
        "| {} lead rows ({:.0} MB CSV) | time | rows/s | peak memory |",
        args.rows,
        bytes as f64 / 1_048_576.0
    ));
    say("|---|---|---|---|");
    say(&format!(
        "| `sqlite3 .import` into one table (email primary key) | {:.2} s | {:.0} | – |",
        baseline.as_secs_f64(),
        args.rows as f64 / baseline.as_secs_f64()
    ));
    say(&format!(
        "| `accord import leads` (new leads, accounts, stages, history) | {:.2} s | {:.0} | {:.0} MiB |",
        first.as_secs_f64(),
        args.rows as f64 / first.as_secs_f64(),
        mib(peak)
    ));
    say(&format!(
        "| `accord import leads`, same file again (all unchanged) | {:.2} s | {:.0} | {:.0} MiB |",
        again.as_secs_f64(),
        args.rows as f64 / again.as_secs_f64(),
        mib(peak_again)
    ));
    say(&format!(
        "\nRatio accord import / sqlite3 .import: {ratio:.2}× (target ≤ 2×); peak memory {:.0} MiB (target ≤ 200 MiB)",
        mib(peak.max(peak_again))
    ));
    if args.keep {
        say(&format!("Kept {}", dir.display()));
    } else {
        std::fs::remove_dir_all(&dir).ok();
    }
    Ok(())
}
