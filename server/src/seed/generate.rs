//! Synthetic accounts and leads, made in memory and evaluated with the app's pure rules: each
//! lead's score comes from `leads::scoring` over its activities, its stage and history from
//! `leads::lifecycle` under the current definition, as if every event had come in live.
//!
//! The history replays the lead's life: created at its first stage (cause `rule`), moved
//! forward where the rules say so on creation and after each activity, with the handoffs the
//! gates open. One adjustment keeps today's picture exact: a move is never recorded past the
//! stage the lead qualifies for *today* (a lead whose score has since decayed simply never
//! became an MQL), so re-evaluating today's leads under the current version yields their
//! stored stages, and the history always ends in the stored stage.

use chrono::{DateTime, Duration, Utc};

use app::auth::Team;
use app::definitions::criteria::{AccountFacts, LeadFacts, activity_windows};
use app::definitions::{Definition, Stage};
use app::leads::bulk::{BulkAccount, BulkHandoff, BulkLead, BulkTransition};
use app::leads::lifecycle::{forward_move, handoffs_due};
use app::leads::scoring::{ScoredActivity, activity_counts, score};

use super::rng::Rng;
use super::vocab::{
    COUNTRIES, EN_COMPANY, EN_FIRST, EN_LAST, INDUSTRIES, JA_COMPANY, JA_FAMILY, JA_GIVEN, KIND_WEIGHTS,
    PERSONAS, ascii_lower, base36, capitalize, unique_local,
};

/// How far back the data reaches.
const HISTORY_DAYS: i64 = 365;

/// Everything account generation needs, shared by every account of a run.
#[derive(Debug)]
pub struct Generator {
    seed: u64,
    version: i64,
    def: Definition,
    now: DateTime<Utc>,
    windows: Vec<(String, u32)>,
    /// Scored kinds (positive points) and their weights per engagement level.
    kinds: Vec<(String, [u32; 4])>,
    /// Users who may own leads, by team.
    owners: Vec<(Team, i64)>,
}

impl Generator {
    /// A generator for seed `seed` under version `version` (`def`), with data ending at `now`
    /// and leads owned by `owners` (team, user id) where their stage's team has users.
    pub fn new(
        seed: u64,
        version: i64,
        def: Definition,
        now: DateTime<Utc>,
        owners: Vec<(Team, i64)>,
    ) -> Self {
        let windows = activity_windows(&def);
        let kinds = def
            .scoring
            .rules
            .iter()
            .filter(|r| r.points > 0)
            .map(|r| {
                let weights = KIND_WEIGHTS
                    .iter()
                    .find(|(k, _)| *k == r.kind)
                    .map_or([1; 4], |(_, w)| *w);
                (r.kind.clone(), weights)
            })
            .collect();
        Self {
            seed,
            version,
            def,
            now,
            windows,
            kinds,
            owners,
        }
    }

    /// Account number `k` of the run with at most `max_leads` contacts (at least one). The same
    /// seed, `k` and clock always give the same account.
    pub fn account(&self, k: u64, max_leads: u64) -> BulkAccount {
        let mut rng = Rng::new(self.seed, k);
        let country_weights: Vec<u32> = COUNTRIES.iter().map(|c| c.1).collect();
        let (country, _, tlds) = COUNTRIES[rng.weighted(&country_weights)];
        let industry_weights: Vec<u32> = INDUSTRIES.iter().map(|i| i.weight).collect();
        let industry = &INDUSTRIES[rng.weighted(&industry_weights)];
        let japanese = country == "JP";
        let (slug, name) = if japanese {
            let (romaji, written) = *rng.pick(JA_COMPANY);
            let en = rng.pick(industry.en);
            if rng.chance(0.5) {
                (
                    format!("{romaji}-{}", en.to_lowercase()),
                    format!("{written}{}株式会社", industry.ja),
                )
            } else {
                (
                    format!("{romaji}-{}", en.to_lowercase()),
                    format!("{} {en} K.K.", capitalize(romaji)),
                )
            }
        } else {
            let first = rng.pick(EN_COMPANY);
            let en = rng.pick(industry.en);
            (
                format!("{}-{}", first.to_lowercase(), en.to_lowercase()),
                format!("{first} {en}"),
            )
        };
        // A unique domain per (seed, k): re-runs of one seed meet their own accounts again.
        let domain = format!("{slug}-{}-{}.{}", self.seed, base36(k), rng.pick(tlds));
        // Head counts are log-normal: a median of 60, a long tail of large companies.
        let employees = (60f64.ln() + 1.6 * rng.normal())
            .exp()
            .round()
            .clamp(1.0, 400_000.0) as i64;
        let annual_revenue = rng.chance(0.92).then(|| {
            let revenue = employees as f64 * industry.revenue_per_employee * (0.35 * rng.normal()).exp();
            (revenue / 1000.0).round() * 1000.0
        });
        let is_target = (employees >= 200 && rng.chance(0.35)) || rng.chance(0.04);
        let tier = is_target.then(|| {
            let tier = match employees {
                2000.. => ["1", "1", "1", "2"][rng.below(4)],
                200.. => ["2", "3"][rng.below(2)],
                _ => "3",
            };
            tier.to_owned()
        });
        let facts = AccountFacts {
            employees: Some(employees),
            industry: Some(industry.key.to_owned()),
            country: Some(country.to_owned()),
            annual_revenue,
            is_target,
            tier: tier.clone(),
        };
        let wanted = [3, 3, 4, 4, 5, 5, 6, 7, 8][rng.weighted(&[12, 12, 11, 11, 9, 9, 14, 12, 10])]
            + u64::from(employees >= 1000);
        let count = wanted.min(8).min(max_leads.max(1));
        let mut leads: Vec<BulkLead> = Vec::with_capacity(count as usize);
        let mut locals: Vec<String> = Vec::with_capacity(count as usize);
        for _ in 0..count {
            leads.push(self.lead(&mut rng, &domain, japanese, &facts, &mut locals));
        }
        let furthest = leads.iter().filter_map(|l| self.def.stage_index(&l.stage)).max();
        BulkAccount {
            domain,
            name,
            employees: Some(employees),
            industry: facts.industry.clone(),
            country: facts.country.clone(),
            annual_revenue,
            is_target,
            tier,
            stage: furthest.map(|i| self.def.stages[i].key.clone()),
            created_at: leads.iter().map(|l| l.created_at).min().unwrap_or(self.now),
            leads,
        }
    }

    fn lead(
        &self,
        rng: &mut Rng,
        domain: &str,
        japanese_account: bool,
        account: &AccountFacts,
        locals: &mut Vec<String>,
    ) -> BulkLead {
        let japanese = if japanese_account {
            rng.chance(0.9)
        } else {
            rng.chance(0.03)
        };
        let (first_name, last_name, first_ascii, last_ascii) = if japanese {
            let (given, given_written) = *rng.pick(JA_GIVEN);
            let (family, family_written) = *rng.pick(JA_FAMILY);
            if japanese_account && rng.chance(0.6) {
                (
                    given_written.to_owned(),
                    family_written.to_owned(),
                    given.to_owned(),
                    family.to_owned(),
                )
            } else {
                (
                    capitalize(given),
                    capitalize(family),
                    given.to_owned(),
                    family.to_owned(),
                )
            }
        } else {
            let first = *rng.pick(EN_FIRST);
            let last = *rng.pick(EN_LAST);
            (
                first.to_owned(),
                last.to_owned(),
                ascii_lower(first),
                ascii_lower(last),
            )
        };
        let local = match rng.below(10) {
            0..=6 => format!("{first_ascii}.{last_ascii}"),
            7 | 8 => format!("{}{last_ascii}", &first_ascii[..1]),
            _ => first_ascii.clone(),
        };
        let local = unique_local(locals, local);
        let email = format!("{local}@{domain}");

        let persona_weights: Vec<u32> = PERSONAS.iter().map(|p| p.1).collect();
        let (persona_key, _, en_titles, ja_titles) = PERSONAS[rng.weighted(&persona_weights)];
        let has_persona = rng.chance(0.85);
        let job_title = (has_persona || rng.chance(0.5)).then(|| {
            let titles = if japanese && rng.chance(0.7) {
                ja_titles
            } else {
                en_titles
            };
            (*rng.pick(titles)).to_owned()
        });
        let inbound = rng.chance(0.6);
        let consent = rng.chance(if inbound { 0.8 } else { 0.45 });

        // Created within the last year, more of them recently (a growing pipeline).
        let span = HISTORY_DAYS * 86_400;
        let created_at = self.now - Duration::seconds((rng.unit().powf(1.4) * span as f64) as i64);
        let activities = self.activities(rng, created_at, inbound);

        let mut facts = LeadFacts {
            email: Some(email.clone()),
            consent,
            persona: has_persona.then(|| persona_key.to_owned()),
            job_title: job_title.clone(),
            score: 0,
            source: Some(if inbound { "inbound" } else { "outbound" }.to_owned()),
            country: account.country.clone(),
            account: Some(account.clone()),
            activity_counts: Vec::new(),
        };
        let (stage_index, total, transitions, handoffs) = self.history(&mut facts, &activities, created_at);
        let stage = &self.def.stages[stage_index];
        let owners: Vec<i64> = self
            .owners
            .iter()
            .filter(|(team, _)| *team == stage.owner_team)
            .map(|(_, id)| *id)
            .collect();
        let owner_id = (!owners.is_empty() && rng.chance(0.85)).then(|| *rng.pick(&owners));
        let stage_entered_at = transitions.last().map_or(created_at, |t| t.at);
        let last_activity = activities.last().map_or(created_at, |a| a.occurred_at);
        BulkLead {
            email,
            first_name: Some(first_name),
            last_name: Some(last_name),
            job_title,
            persona: facts.persona,
            consent,
            source: facts.source,
            country: facts.country,
            owner_id,
            score: total,
            stage: stage.key.clone(),
            stage_entered_at,
            created_at,
            updated_at: stage_entered_at.max(last_activity),
            activities: activities.into_iter().map(|a| (a.kind, a.occurred_at)).collect(),
            transitions,
            handoffs,
        }
    }

    /// A lead's activities in time order, between its creation and now: most leads barely
    /// engage, a few engage in bursts (webinars, downloads, a demo request).
    fn activities(&self, rng: &mut Rng, created_at: DateTime<Utc>, inbound: bool) -> Vec<ScoredActivity> {
        if self.kinds.is_empty() {
            return Vec::new();
        }
        let level = rng.weighted(&[30, 45, 20, 5]);
        let count = match level {
            0 => rng.between(0, 1),
            1 => rng.between(1, 5),
            2 => rng.between(5, 15),
            _ => rng.between(8, 25),
        };
        let weights: Vec<u32> = self.kinds.iter().map(|(_, w)| w[level].max(1)).collect();
        let life = (self.now - created_at).num_seconds().max(1) as f64;
        let burst = rng.unit() * life;
        let mut acts: Vec<ScoredActivity> = (0..count)
            .map(|i| {
                let kind = if i == 0 && inbound {
                    // An inbound lead arrives through a form.
                    self.kinds
                        .iter()
                        .position(|(k, _)| k == "form_submit")
                        .unwrap_or_else(|| rng.weighted(&weights))
                } else {
                    rng.weighted(&weights)
                };
                let offset = if i == 0 && inbound {
                    0.0
                } else if level >= 2 {
                    (burst + rng.normal() * 15.0 * 86_400.0).clamp(0.0, life)
                } else {
                    rng.unit() * life
                };
                ScoredActivity {
                    kind: self.kinds[kind].0.clone(),
                    occurred_at: created_at + Duration::seconds(offset as i64),
                }
            })
            .collect();
        acts.sort_by_key(|a| a.occurred_at);
        acts
    }

    /// Today's stage and score, and the history that led there (see the module doc).
    fn history(
        &self,
        facts: &mut LeadFacts,
        acts: &[ScoredActivity],
        created_at: DateTime<Utc>,
    ) -> (usize, i64, Vec<BulkTransition>, Vec<BulkHandoff>) {
        self.evaluate(facts, acts, self.now);
        let total = facts.score;
        let today = forward_move(&self.def, 0, facts).unwrap_or(0);
        let first = &self.def.stages[0];
        let mut transitions = vec![BulkTransition {
            from: None,
            to: first.key.clone(),
            at: created_at,
            definition_version: self.version,
        }];
        let mut handoffs = Vec::new();
        let mut current = 0;
        // On creation (no activity yet), then after each activity.
        for upto in 0..=acts.len() {
            if current == today {
                break;
            }
            let at = if upto == 0 {
                created_at
            } else {
                acts[upto - 1].occurred_at
            };
            self.evaluate(facts, &acts[..upto], at);
            if let Some(to) = forward_move(&self.def, current, facts).map(|to| to.min(today))
                && to > current
            {
                self.record_move(&mut transitions, &mut handoffs, current, to, at);
                current = to;
            }
        }
        if current < today {
            // Criteria that only hold at the end (say, a count that must stay low): the move
            // happens at the re-evaluation now.
            self.record_move(&mut transitions, &mut handoffs, current, today, self.now);
        }
        facts.score = total;
        (today, total, transitions, handoffs)
    }

    /// The lead's score and activity counts at `at`, from the activities up to then.
    fn evaluate(&self, facts: &mut LeadFacts, acts: &[ScoredActivity], at: DateTime<Utc>) {
        facts.score = score(&self.def.scoring, acts, at).total;
        facts.activity_counts = activity_counts(&self.windows, acts, at);
    }

    fn record_move(
        &self,
        transitions: &mut Vec<BulkTransition>,
        handoffs: &mut Vec<BulkHandoff>,
        from: usize,
        to: usize,
        at: DateTime<Utc>,
    ) {
        transitions.push(BulkTransition {
            from: Some(self.def.stages[from].key.clone()),
            to: self.def.stages[to].key.clone(),
            at,
            definition_version: self.version,
        });
        for due in handoffs_due(&self.def, from, to) {
            let Stage { key, gate, .. } = &self.def.stages[due];
            if let Some(gate) = gate {
                handoffs.push(BulkHandoff {
                    stage: key.clone(),
                    from_team: gate.from_team.as_str().to_owned(),
                    to_team: gate.to_team.as_str().to_owned(),
                    requested_at: at,
                    sla_due_at: at + Duration::hours(i64::from(gate.sla_hours)),
                });
            }
        }
    }
}

#[cfg(test)]
#[path = "generate_tests.rs"]
mod tests;
