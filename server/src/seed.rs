//! Demo data for `accord seed demo` (the README's run command uses it on an empty database),
//! and synthetic data in bulk for `accord seed --leads N` ([`synthetic`]).

mod generate;
mod rng;
pub mod synthetic;
mod vocab;

use app::auth::{NewUserInput, User, service};
use app::leads::model::{AccountInput, LeadInput};
use app::state::AppState;

use crate::cli::say;

/// The password of every demo account (demo data only; printed on purpose).
pub const DEMO_PASSWORD: &str = "accord-demo-2026";

/// One demo account per team and role: (email, name, team, role, what they are).
pub const DEMO_USERS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "mika.sato@accord.test",
        "Mika Sato",
        "marketing",
        "leader",
        "marketing leader",
    ),
    (
        "ken.ito@accord.test",
        "Ken Ito",
        "marketing",
        "member",
        "marketer",
    ),
    ("sara.lee@accord.test", "Sara Lee", "sdr", "leader", "SDR leader"),
    ("tom.baker@accord.test", "Tom Baker", "sdr", "member", "SDR"),
    (
        "hiro.tanaka@accord.test",
        "Hiro Tanaka",
        "sales",
        "leader",
        "sales leader",
    ),
    (
        "emma.clark@accord.test",
        "Emma Clark",
        "sales",
        "member",
        "account executive",
    ),
    ("admin@accord.test", "Alex Admin", "marketing", "admin", "admin"),
];

/// Synthetic leads behind the demo's story leads, so that the funnel page has a year of
/// stage history to show (entries per week, conversions, time in stage).
const DEMO_HISTORY_LEADS: u64 = 1_500;

/// Creates the demo accounts when the database has no users, then prints the logins.
pub async fn demo(state: &AppState) -> anyhow::Result<()> {
    if state.db.count_users().await? == 0 {
        for (email, name, team, role, _) in DEMO_USERS {
            let input = NewUserInput {
                email: (*email).into(),
                name: (*name).into(),
                team: (*team).into(),
                role: (*role).into(),
                password: DEMO_PASSWORD.into(),
                locale: Some("en".into()),
            };
            service::create_user_as_operator(state, input)
                .await
                .map_err(|e| anyhow::anyhow!("cannot create demo user {email}: {e}"))?;
        }
        demo_funnel(state).await?;
        let history = synthetic::synthetic(state, DEMO_HISTORY_LEADS, 2026).await?;
        demo_pipeline(state).await?;
        say(&format!(
            "Demo data created, with {} leads of history over the last twelve months.",
            history.counts.leads
        ));
    } else {
        say("The database already has users; demo data left as it is.");
    }
    say(&format!("Demo logins (password for all: {DEMO_PASSWORD}):"));
    for (email, _, _, _, what) in DEMO_USERS {
        say(&format!("  {what:<18} {email}"));
    }
    Ok(())
}

/// (email, first name, last name, title, persona, consent, company domain, activities).
type DemoLead = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    &'static [&'static str],
);

async fn demo_user(state: &AppState, email: &str) -> anyhow::Result<User> {
    state
        .db
        .user_credentials(email)
        .await?
        .map(|(user, _)| user)
        .ok_or_else(|| anyhow::anyhow!("demo user {email} is missing"))
}

/// Accounts, contacts and activities that tell the story: some leads sit between 50 and 100
/// employees, so the sales leader's draft proposal (Lead = 100+ employees) visibly changes
/// the funnel in its impact preview.
async fn demo_funnel(state: &AppState) -> anyhow::Result<()> {
    let mika = demo_user(state, "mika.sato@accord.test").await?;
    let hiro = demo_user(state, "hiro.tanaka@accord.test").await?;
    let accounts = [
        (
            "sakura-logistics.jp",
            "Sakura Logistics",
            1200,
            "logistics",
            "JP",
            true,
            Some("1"),
        ),
        (
            "northwind.io",
            "Northwind Analytics",
            340,
            "software",
            "US",
            true,
            Some("2"),
        ),
        ("kumo-cloud.jp", "Kumo Cloud", 85, "software", "JP", false, None),
        ("bluefin.co", "Bluefin Retail", 60, "retail", "GB", false, None),
        ("tiny-studio.com", "Tiny Studio", 12, "media", "US", false, None),
        (
            "hikari-bank.jp",
            "Hikari Bank",
            5400,
            "finance",
            "JP",
            true,
            Some("1"),
        ),
    ];
    for (domain, name, employees, industry, country, target, tier) in accounts {
        let input = AccountInput {
            domain: domain.into(),
            name: Some(name.into()),
            employees: Some(employees),
            industry: Some(industry.into()),
            country: Some(country.into()),
            annual_revenue: None,
            is_target: Some(target),
            tier: tier.map(Into::into),
        };
        app::leads::service::upsert_account(state, Some(&mika), input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let leads: &[DemoLead] = &[
        (
            "yuki.mori@sakura-logistics.jp",
            "Yuki",
            "Mori",
            "CMO",
            "cmo",
            true,
            "sakura-logistics.jp",
            &["demo_request", "meeting_booked", "form_submit"],
        ),
        (
            "dan.fox@northwind.io",
            "Dan",
            "Fox",
            "VP Marketing",
            "vp_marketing",
            true,
            "northwind.io",
            &[
                "content_download",
                "webinar_attended",
                "form_submit",
                "email_click",
            ],
        ),
        (
            "aoi.kato@kumo-cloud.jp",
            "Aoi",
            "Kato",
            "Marketing Manager",
            "marketing_manager",
            true,
            "kumo-cloud.jp",
            &[
                "demo_request",
                "form_submit",
                "event_attended",
                "content_download",
            ],
        ),
        (
            "sam.reed@bluefin.co",
            "Sam",
            "Reed",
            "Head of Ops",
            "operations",
            true,
            "bluefin.co",
            &["content_download", "page_view", "page_view"],
        ),
        (
            "lee.park@tiny-studio.com",
            "Lee",
            "Park",
            "Founder",
            "ceo",
            true,
            "tiny-studio.com",
            &["form_submit"],
        ),
        (
            "mei.ito@hikari-bank.jp",
            "Mei",
            "Ito",
            "CTO",
            "cto",
            true,
            "hikari-bank.jp",
            &["webinar_attended", "content_download"],
        ),
        (
            "ken.sato@kumo-cloud.jp",
            "Ken",
            "Sato",
            "Engineer",
            "engineer",
            false,
            "kumo-cloud.jp",
            &["page_view"],
        ),
        (
            "ann.lowe@bluefin.co",
            "Ann",
            "Lowe",
            "CFO",
            "cfo",
            true,
            "bluefin.co",
            &["demo_request", "meeting_booked", "email_click"],
        ),
        // The handoff journey's MQL: waits in the SDR queue for the SDR to accept it.
        (
            "ren.aoki@hikari-bank.jp",
            "Ren",
            "Aoki",
            "Head of Marketing",
            "vp_marketing",
            true,
            "hikari-bank.jp",
            &["demo_request", "meeting_booked", "form_submit"],
        ),
        (
            "visitor-4821@example.com",
            "",
            "",
            "",
            "",
            false,
            "",
            &["page_view"],
        ),
    ];
    for (email, first, last, title, persona, consent, domain, activities) in leads {
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_owned());
        let input = LeadInput {
            email: (*email).into(),
            first_name: opt(first),
            last_name: opt(last),
            job_title: opt(title),
            persona: opt(persona),
            consent: Some(*consent),
            source: Some("inbound".into()),
            country: None,
            account_domain: opt(domain),
        };
        app::leads::service::upsert_lead(state, Some(&mika), input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        for kind in *activities {
            app::leads::service::record_activity(state, Some(&mika), email, kind, None)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    // The story: the sales leader proposes that a Lead needs 100+ employees.
    let current = app::definitions::service::version(state, Some(&hiro), None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut definition = current.definition.clone();
    if let Some(stage) = definition.stages.iter_mut().find(|s| s.key == "lead")
        && let Some(app::definitions::criteria::Criteria::All { all }) = stage.entry.as_mut()
        && let Some(app::definitions::criteria::Criteria::Condition(c)) = all.first_mut()
    {
        c.value = Some(serde_json::json!(100));
    }
    let proposal = app::definitions::proposal::NewProposal {
        base_version: current.version,
        title: "Leads need 100+ employees".into(),
        rationale:
            "Accounts under 100 employees close at under 5 %. Sales wants SDR time on larger accounts.".into(),
        definition,
        requalify: false,
    };
    app::definitions::service::create_proposal(state, Some(&hiro), proposal)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// The story's company domains: their leads stay as the story left them (the journeys use them).
const STORY_DOMAINS: [&str; 6] = [
    "sakura-logistics.jp",
    "northwind.io",
    "kumo-cloud.jp",
    "bluefin.co",
    "tiny-studio.com",
    "hikari-bank.jp",
];

/// Some MQLs of the history worked through to sales, so that the funnel's sales stages,
/// pipeline, expected revenue and the leader scorecard have numbers from the first run: the
/// SDR leader accepts most and recycles a few, hands half of those on to sales; the AE
/// accepts them, converts some into opportunities and closes a few.
async fn demo_pipeline(state: &AppState) -> anyhow::Result<()> {
    use app::handoffs::model::{
        HandoffFilter, HandoffRequest, OpportunityInput, OpportunityPatch, RejectInput,
    };
    use app::handoffs::{opportunities, queue, service as handoffs};
    let err = |e: app::error::AppError| anyhow::anyhow!("{e}");
    let sara = demo_user(state, "sara.lee@accord.test").await?;
    let emma = demo_user(state, "emma.clark@accord.test").await?;
    let filter = HandoffFilter {
        status: Some("pending".into()),
        to_team: Some("sdr".into()),
        ..HandoffFilter::default()
    };
    let pending = queue::list_handoffs(state, Some(&sara), &filter)
        .await
        .map_err(err)?;
    let now = state.clock.now();
    let worked = pending
        .iter()
        .filter(|h| {
            !STORY_DOMAINS
                .iter()
                .any(|d| h.lead.email.ends_with(&format!("@{d}")))
        })
        .take(48);
    for (i, h) in worked.enumerate() {
        if i % 6 == 5 {
            let recycle = RejectInput {
                reason_code: "not_ready".into(),
                note: Some("Not buying this year; back to nurture.".into()),
            };
            handoffs::reject_handoff(state, Some(&sara), h.id, recycle)
                .await
                .map_err(err)?;
            continue;
        }
        handoffs::accept_handoff(state, Some(&sara), h.id)
            .await
            .map_err(err)?;
        if i % 2 == 1 {
            continue;
        }
        let request = HandoffRequest {
            to_team: "sales".into(),
            assignee_id: Some(emma.id.0),
            note: Some("Budget and timing confirmed on the call; meeting booked with the AE.".into()),
            meeting_at: Some(now + chrono::Duration::days(3)),
            ..HandoffRequest::default()
        };
        let sql = handoffs::request_handoff(state, Some(&sara), h.lead.id, request)
            .await
            .map_err(err)?;
        handoffs::accept_handoff(state, Some(&emma), sql.id)
            .await
            .map_err(err)?;
        if i % 4 != 0 {
            continue;
        }
        let input = OpportunityInput {
            amount: 1_200_000.0 + 150_000.0 * i as f64,
            currency: Some("JPY".into()),
            close_date: (now + chrono::Duration::days(30 + i as i64)).date_naive(),
            ..OpportunityInput::default()
        };
        let opportunity = opportunities::convert_lead(state, Some(&emma), h.lead.id, input)
            .await
            .map_err(err)?;
        let close = match i % 12 {
            0 => Some(("won", None)),
            4 => Some(("lost", Some("price".to_owned()))),
            _ => None,
        };
        if let Some((stage, lost_reason)) = close {
            let patch = OpportunityPatch {
                stage: Some(stage.into()),
                lost_reason,
                ..OpportunityPatch::default()
            };
            opportunities::update_opportunity(state, Some(&emma), opportunity.id, patch)
                .await
                .map_err(err)?;
        }
    }
    Ok(())
}
