//! Tests of synthetic account generation against the pure rules.

use super::*;
use app::definitions::seed::version_one;
use app::definitions::stage::automatic_stage;

fn generator(seed: u64) -> Generator {
    let now = DateTime::parse_from_rfc3339("2026-11-02T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    Generator::new(seed, 1, version_one(), now, vec![(Team::Sdr, 7)])
}

#[test]
fn base36_is_short_and_unique() {
    assert_eq!(base36(0), "0");
    assert_eq!(base36(35), "z");
    assert_eq!(base36(36), "10");
}

#[test]
fn the_same_seed_and_number_give_the_same_account() {
    assert_eq!(generator(3).account(17, 100), generator(3).account(17, 100));
    assert_ne!(
        generator(3).account(17, 100).domain,
        generator(4).account(17, 100).domain
    );
}

#[test]
fn every_lead_is_consistent_with_the_rules_today() {
    let g = generator(9);
    for k in 0..300 {
        let account = g.account(k, 8);
        assert!((1..=8).contains(&account.leads.len()));
        for lead in &account.leads {
            let acts: Vec<ScoredActivity> = lead
                .activities
                .iter()
                .map(|(kind, at)| ScoredActivity {
                    kind: kind.clone(),
                    occurred_at: *at,
                })
                .collect();
            assert_eq!(lead.score, score(&g.def.scoring, &acts, g.now).total);
            let facts = LeadFacts {
                email: Some(lead.email.clone()),
                consent: lead.consent,
                persona: lead.persona.clone(),
                job_title: lead.job_title.clone(),
                score: lead.score,
                source: lead.source.clone(),
                country: lead.country.clone(),
                account: Some(AccountFacts {
                    employees: account.employees,
                    industry: account.industry.clone(),
                    country: account.country.clone(),
                    annual_revenue: account.annual_revenue,
                    is_target: account.is_target,
                    tier: account.tier.clone(),
                }),
                activity_counts: Vec::new(),
            };
            assert_eq!(lead.stage, g.def.stages[automatic_stage(&g.def, &facts)].key);
            assert_eq!(lead.transitions.last().unwrap().to, lead.stage);
            assert!(lead.transitions.windows(2).all(|w| w[0].at <= w[1].at));
            assert!(
                lead.activities
                    .iter()
                    .all(|(_, at)| *at >= lead.created_at && *at <= g.now)
            );
            assert_eq!(lead.handoffs.len(), usize::from(lead.stage == "mql"));
        }
    }
}
