//! `accord bench impact`: the impact preview of a proposal against a bare scan of the leads
//! table, on a scratch database seeded with `--leads N` synthetic leads (default a million).
//! The scan is the floor any whole-funnel computation pays; the target is impact ≤ 3 × scan.

use std::time::Instant;

use anyhow::bail;
use clap::Args;

use app::auth::{NewUserInput, User, service};
use app::definitions::criteria::Criteria;
use app::definitions::proposal::NewProposal;
use app::state::{AppState, AuthSettings};

use super::scratch::{ScratchArgs, median, ms, run_on_scratch};
use crate::cli::say;
use crate::config;

/// Options of `accord bench impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    #[command(flatten)]
    pub data: ScratchArgs,
    /// Timed runs of each measurement (the median is reported).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: u64,
}

/// Runs the benchmark on a scratch database (see [`run_on_scratch`]).
pub async fn run(args: ImpactArgs, database_url: &str) -> anyhow::Result<()> {
    run_on_scratch(&args.data, database_url, "impact", async |url| {
        measure(&args, url).await
    })
    .await
}

async fn measure(args: &ImpactArgs, url: &str) -> anyhow::Result<String> {
    let options = config::leptos_options(
        "127.0.0.1:3000".parse().expect("valid address"),
        &config::site_root(),
    );
    let state = config::open_state(url, options, AuthSettings::default()).await?;
    let backend = format!("{:?}", state.db.backend());
    let mut out = String::new();
    let existing = app::leads::bulk::scan_leads(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if existing == 0 {
        let report = crate::seed::synthetic::synthetic(&state, args.data.leads, args.data.seed).await?;
        say(&report.summary());
        out.push_str(&format!(
            "Seeding ({backend}, `seed --leads {} --seed {}`): {:.1} s, {} rows ({:.0} rows/s, {:.0} leads/s)\n\n",
            args.data.leads,
            args.data.seed,
            report.elapsed.as_secs_f64(),
            report.rows(),
            report.rows() as f64 / report.elapsed.as_secs_f64(),
            report.counts.leads as f64 / report.elapsed.as_secs_f64(),
        ));
    } else {
        out.push_str(&format!(
            "Reused a database with {existing} leads ({backend}).\n\n"
        ));
    }
    let user = bench_user(&state).await?;
    let proposal = draft_proposal(&state, &user).await?;

    // One untimed pass of each warms the caches; then the two alternate.
    let rows = app::leads::bulk::scan_leads(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let impact = app::leads::publish::proposal_impact(&state, Some(&user), proposal)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (mut scans, mut impacts) = (Vec::new(), Vec::new());
    for _ in 0..args.runs {
        let t = Instant::now();
        app::leads::bulk::scan_leads(&state.db)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        scans.push(t.elapsed());
        let t = Instant::now();
        app::leads::publish::proposal_impact(&state, Some(&user), proposal)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        impacts.push(t.elapsed());
    }
    state.db.close().await;
    let (scan, preview) = (median(scans), median(impacts));
    let moved: u64 = impact.moves.iter().map(|m| m.count).sum();
    out.push_str(&format!(
        "| measurement ({backend}, {rows} leads) | runs | median |\n|---|---:|---:|\n\
         | bare scan of the leads' evaluation columns | {} | {:.0} ms |\n\
         | impact preview (`GET /api/v1/proposals/{{id}}/impact`; {} evaluated, {moved} would move) | {} | {:.0} ms |\n\
         | ratio impact / scan | | {:.2} × |\n",
        args.runs,
        ms(scan),
        impact.evaluated,
        args.runs,
        ms(preview),
        preview.as_secs_f64() / scan.as_secs_f64().max(1e-9),
    ));
    Ok(out)
}

async fn bench_user(state: &AppState) -> anyhow::Result<User> {
    const EMAIL: &str = "bench.impact@accord.test";
    if let Some((user, _)) = state.db.user_credentials(EMAIL).await? {
        return Ok(user);
    }
    let input = NewUserInput {
        email: EMAIL.into(),
        name: "Bench".into(),
        team: "sales".into(),
        role: "leader".into(),
        password: "bench-password-123".into(),
        locale: None,
    };
    service::create_user_as_operator(state, input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The demo's story as a proposal: a Lead needs 100+ employees instead of 50.
async fn draft_proposal(state: &AppState, user: &User) -> anyhow::Result<i64> {
    let (version, mut definition) = app::leads::bulk::current_definition(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(Criteria::All { all }) = definition
        .stages
        .iter_mut()
        .find(|s| s.key == "lead")
        .and_then(|s| s.entry.as_mut())
    else {
        bail!("the current definition has no `lead` stage with `all` criteria to change");
    };
    if let Some(Criteria::Condition(c)) = all.first_mut() {
        c.value = Some(serde_json::json!(100));
    }
    let proposal = NewProposal {
        base_version: version,
        title: "Leads need 100+ employees".into(),
        rationale: "Benchmark of the impact preview.".into(),
        definition,
        requalify: false,
    };
    let proposal = app::definitions::service::create_proposal(state, Some(user), proposal)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(proposal.id)
}
