//! `accord seed --leads N [--seed S]`: realistic synthetic accounts, leads, activities and
//! stage history over the last twelve months, for benchmarks and the funnel screens.
//!
//! Fast enough for a million leads: accounts are made in memory on a blocking thread (see
//! [`super::generate`]) while the previous batch is written with multi-row INSERTs in one
//! transaction (`app::leads::bulk`); no lead goes through the per-lead service path.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DurationRound, TimeDelta};
use indicatif::{ProgressBar, ProgressStyle};

use app::leads::bulk::{self, BulkAccount, BulkCounts};
use app::state::AppState;

use super::generate::Generator;

/// Leads per batch (one transaction each).
const BATCH_LEADS: u64 = 20_000;

/// What a synthetic seeding run did.
#[derive(Clone, Copy, Debug)]
pub struct SyntheticReport {
    /// Rows written and skipped.
    pub counts: BulkCounts,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

impl SyntheticReport {
    /// Rows written in all tables.
    pub fn rows(&self) -> u64 {
        let c = &self.counts;
        c.accounts + c.leads + c.activities + c.transitions + c.handoffs
    }

    /// One line for the terminal.
    pub fn summary(&self) -> String {
        let c = &self.counts;
        let secs = self.elapsed.as_secs_f64();
        let mut line = format!(
            "Seeded {} leads in {} accounts ({} activities, {} stage changes, {} handoffs) in {secs:.1} s: \
             {:.0} rows/s, {:.0} leads/s.",
            c.leads,
            c.accounts,
            c.activities,
            c.transitions,
            c.handoffs,
            self.rows() as f64 / secs.max(1e-9),
            c.leads as f64 / secs.max(1e-9),
        );
        if c.skipped_accounts > 0 {
            line.push_str(&format!(
                " Skipped {} accounts ({} leads) this seed had created before.",
                c.skipped_accounts, c.skipped_leads
            ));
        }
        line
    }
}

/// Generates `leads` leads (with their accounts, activities, history) from `seed`, evaluated
/// under the current version at the state's clock. Owners are picked among existing users of
/// each lead's stage team. Deterministic: the same seed and clock give the same rows; a
/// re-run of a seed skips the accounts it created before.
pub async fn synthetic(state: &AppState, leads: u64, seed: u64) -> anyhow::Result<SyntheticReport> {
    let started = Instant::now();
    let (version, def) = bulk::current_definition(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the current definition: {e}"))?;
    let owners = state
        .db
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.team, u.id.0))
        .collect();
    // Whole seconds, so that the same clock gives byte-identical rows on both backends.
    let now = state.clock.now();
    let now = now.duration_trunc(TimeDelta::seconds(1)).unwrap_or(now);
    let generator = Arc::new(Generator::new(seed, version, def, now, owners));

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<BulkAccount>>(2);
    let producer = tokio::task::spawn_blocking(move || {
        let (mut k, mut left) = (0u64, leads);
        while left > 0 {
            let mut batch = Vec::new();
            let mut in_batch = 0;
            while left > 0 && in_batch < BATCH_LEADS {
                let account = generator.account(k, left);
                k += 1;
                let n = account.leads.len() as u64;
                left -= n;
                in_batch += n;
                batch.push(account);
            }
            if tx.blocking_send(batch).is_err() {
                return;
            }
        }
    });

    let bar = ProgressBar::new(leads).with_style(
        ProgressStyle::with_template("{spinner} seeding [{bar:40}] {pos}/{len} leads, {per_sec}, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut counts = BulkCounts::default();
    while let Some(batch) = rx.recv().await {
        let written = bulk::write_batch(&state.db, &batch)
            .await
            .map_err(|e| anyhow::anyhow!("cannot write synthetic data: {e}"))?;
        bar.inc(written.leads + written.skipped_leads);
        counts += written;
    }
    producer.await?;
    bar.finish_and_clear();
    if counts.leads > 0 {
        bulk::tidy_after_load(&state.db)
            .await
            .map_err(|e| anyhow::anyhow!("cannot vacuum and analyze after seeding: {e}"))?;
    }
    let report = SyntheticReport {
        counts,
        elapsed: started.elapsed(),
    };
    tracing::info!(
        leads = counts.leads,
        seconds = report.elapsed.as_secs_f64(),
        "synthetic seed done"
    );
    Ok(report)
}
