//! SQL for handoff decisions, assignment, escalation and opportunities, on both backends
//! (one implementation compiled for each backend's connection, as in `leads::store`).

use chrono::{DateTime, NaiveDate, Utc};

use crate::store::{StoreError, StoreResult};

/// A `handoffs` row with the emails and names it refers to.
#[derive(Clone, Debug, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct HandoffRow {
    pub id: i64,
    pub lead_id: i64,
    pub lead_email: String,
    pub stage: String,
    pub from_team: String,
    pub to_team: String,
    pub status: String,
    pub requested_by: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_email: Option<String>,
    pub assignee_name: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub sla_due_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason_code: Option<String>,
    pub note: Option<String>,
    pub qualification_notes: Option<String>,
    pub meeting_at: Option<DateTime<Utc>>,
}

const HANDOFF_SELECT: &str = "SELECT h.id, h.lead_id, l.email AS lead_email, h.stage, h.from_team, h.to_team, \
     h.status, rq.email AS requested_by, h.assignee_id, au.email AS assignee_email, au.name AS assignee_name, \
     h.requested_at, h.sla_due_at, h.escalated_at, dc.email AS decided_by, h.decided_at, h.reason_code, h.note, \
     h.qualification_notes, h.meeting_at FROM handoffs h JOIN leads l ON l.id = h.lead_id \
     LEFT JOIN users rq ON rq.id = h.requested_by LEFT JOIN users au ON au.id = h.assignee_id \
     LEFT JOIN users dc ON dc.id = h.decided_by";

/// Which handoffs to read; every `None` is "any".
#[derive(Clone, Debug, Default)]
#[allow(missing_docs)]
pub struct HandoffQuery<'a> {
    pub status: Option<&'a str>,
    pub escalated_only: bool,
    pub to_team: Option<&'a str>,
    pub assignee_id: Option<i64>,
    pub lead_id: Option<i64>,
}

/// A handoff a person requests.
#[allow(missing_docs)]
pub struct HandoffInsert<'a> {
    pub lead_id: i64,
    pub stage: &'a str,
    pub from_team: &'a str,
    pub to_team: &'a str,
    pub requested_by: i64,
    pub assignee_id: Option<i64>,
    pub requested_at: DateTime<Utc>,
    pub sla_due_at: DateTime<Utc>,
    pub qualification_notes: Option<&'a str>,
    pub meeting_at: Option<DateTime<Utc>>,
}

/// A decision on a pending handoff.
#[allow(missing_docs)]
pub struct DecisionWrite<'a> {
    pub id: i64,
    pub status: &'a str,
    pub by: i64,
    pub at: DateTime<Utc>,
    pub reason_code: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// An `opportunities` row with its lead's email and owner.
#[derive(Clone, Debug, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct OpportunityRow {
    pub id: i64,
    pub lead_id: i64,
    pub lead_email: String,
    pub account_id: Option<i64>,
    pub owner_id: i64,
    pub owner_email: Option<String>,
    pub owner_name: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub close_date: NaiveDate,
    pub stage: String,
    pub probability: f64,
    pub lost_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const OPPORTUNITY_SELECT: &str = "SELECT o.id, o.lead_id, l.email AS lead_email, o.account_id, o.owner_id, \
     u.email AS owner_email, u.name AS owner_name, o.amount_minor, o.currency, o.close_date, o.stage, \
     o.probability, o.lost_reason, o.created_at, o.updated_at FROM opportunities o \
     JOIN leads l ON l.id = o.lead_id LEFT JOIN users u ON u.id = o.owner_id";

/// An opportunity's changeable fields.
#[allow(missing_docs)]
pub struct OpportunityWrite<'a> {
    pub amount_minor: i64,
    pub currency: &'a str,
    pub close_date: NaiveDate,
    pub stage: &'a str,
    pub probability: f64,
    pub lost_reason: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// One handoff as the leader scorecard counts it: who received it, who decided, how and when.
#[derive(Clone, Debug, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct ScorecardRow {
    pub stage: String,
    pub to_team: String,
    pub status: String,
    pub decided_by: Option<i64>,
    pub decider_email: Option<String>,
    pub decider_name: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub sla_due_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason_code: Option<String>,
}

/// Queries of the handoffs domain on a connection or transaction of either backend.
#[allow(async_fn_in_trait, missing_docs)]
pub trait HandoffQueries {
    async fn handoff(&mut self, id: i64) -> StoreResult<Option<HandoffRow>>;
    /// Matching handoffs, soonest due first.
    async fn handoffs(&mut self, q: &HandoffQuery<'_>) -> StoreResult<Vec<HandoffRow>>;
    /// Opens a requested handoff; `Conflict` when one is already pending for the lead and stage.
    async fn insert_handoff(&mut self, h: &HandoffInsert<'_>) -> StoreResult<i64>;
    /// Records a decision if the handoff is still pending; `false` when it no longer was.
    async fn decide_handoff(&mut self, d: &DecisionWrite<'_>) -> StoreResult<bool>;
    async fn set_handoff_assignee(&mut self, id: i64, assignee_id: Option<i64>) -> StoreResult<()>;
    /// Marks pending handoffs past their SLA at `now` as escalated; returns their ids and teams.
    async fn escalate_breached(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<(i64, String)>>;
    /// How many pending handoffs are breached at `now` and not yet escalated.
    async fn count_unescalated(&mut self, now: DateTime<Utc>) -> StoreResult<i64>;
    /// A user's team and role.
    async fn user_team_role(&mut self, id: i64) -> StoreResult<Option<(String, String)>>;
    /// Ids of a team's members (role `member`), for round-robin.
    async fn team_member_ids(&mut self, team: &str) -> StoreResult<Vec<i64>>;
    /// Sets the lead's owner and marks it as past a human decision.
    async fn set_lead_owner(
        &mut self,
        lead_id: i64,
        owner_id: Option<i64>,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn insert_opportunity(
        &mut self,
        lead_id: i64,
        account_id: Option<i64>,
        owner_id: i64,
        o: &OpportunityWrite<'_>,
    ) -> StoreResult<i64>;
    async fn opportunity(&mut self, id: i64) -> StoreResult<Option<OpportunityRow>>;
    /// Every opportunity, by close date.
    async fn opportunities(&mut self, lead_id: Option<i64>) -> StoreResult<Vec<OpportunityRow>>;
    async fn update_opportunity(&mut self, id: i64, o: &OpportunityWrite<'_>) -> StoreResult<()>;
    /// Everyone on a team (id, email, name), by name: the people a handoff can go to.
    async fn team_people(&mut self, team: &str) -> StoreResult<Vec<(i64, String, String)>>;
    /// Handoffs requested in `[from, to)`, for the leader scorecard.
    async fn scorecard_rows(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<ScorecardRow>>;
}

macro_rules! impl_handoff_queries {
    ($conn:ty) => {
        impl HandoffQueries for $conn {
            async fn handoff(&mut self, id: i64) -> StoreResult<Option<HandoffRow>> {
                sqlx::query_as(&format!("{HANDOFF_SELECT} WHERE h.id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn handoffs(&mut self, q: &HandoffQuery<'_>) -> StoreResult<Vec<HandoffRow>> {
                let sql = format!(
                    "{HANDOFF_SELECT} WHERE ($1 IS NULL OR h.status = $1) AND ($2 = FALSE OR h.escalated_at IS NOT NULL) \
                     AND ($3 IS NULL OR h.to_team = $3) AND ($4 IS NULL OR h.assignee_id = $4) \
                     AND ($5 IS NULL OR h.lead_id = $5) ORDER BY h.sla_due_at, h.id"
                );
                sqlx::query_as(&sql)
                    .bind(q.status)
                    .bind(q.escalated_only)
                    .bind(q.to_team)
                    .bind(q.assignee_id)
                    .bind(q.lead_id)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn insert_handoff(&mut self, h: &HandoffInsert<'_>) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "INSERT INTO handoffs (lead_id, stage, from_team, to_team, status, requested_by, assignee_id, \
                     requested_at, sla_due_at, qualification_notes, meeting_at) \
                     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(h.lead_id)
                .bind(h.stage)
                .bind(h.from_team)
                .bind(h.to_team)
                .bind(h.requested_by)
                .bind(h.assignee_id)
                .bind(h.requested_at)
                .bind(h.sla_due_at)
                .bind(h.qualification_notes)
                .bind(h.meeting_at)
                .fetch_one(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn decide_handoff(&mut self, d: &DecisionWrite<'_>) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE handoffs SET status = $1, decided_by = $2, decided_at = $3, reason_code = $4, note = $5 \
                     WHERE id = $6 AND status = 'pending'",
                )
                .bind(d.status)
                .bind(d.by)
                .bind(d.at)
                .bind(d.reason_code)
                .bind(d.note)
                .bind(d.id)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_handoff_assignee(&mut self, id: i64, assignee_id: Option<i64>) -> StoreResult<()> {
                sqlx::query("UPDATE handoffs SET assignee_id = $1 WHERE id = $2")
                    .bind(assignee_id)
                    .bind(id)
                    .execute(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn escalate_breached(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<(i64, String)>> {
                sqlx::query_as(
                    "UPDATE handoffs SET escalated_at = $1 WHERE status = 'pending' AND escalated_at IS NULL \
                     AND sla_due_at < $1 RETURNING id, to_team",
                )
                .bind(now)
                .fetch_all(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn count_unescalated(&mut self, now: DateTime<Utc>) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM handoffs WHERE status = 'pending' AND escalated_at IS NULL AND sla_due_at < $1",
                )
                .bind(now)
                .fetch_one(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn user_team_role(&mut self, id: i64) -> StoreResult<Option<(String, String)>> {
                sqlx::query_as("SELECT team, role FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn team_member_ids(&mut self, team: &str) -> StoreResult<Vec<i64>> {
                sqlx::query_scalar("SELECT id FROM users WHERE team = $1 AND role = 'member' ORDER BY id")
                    .bind(team)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn set_lead_owner(&mut self, lead_id: i64, owner_id: Option<i64>, at: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE leads SET owner_id = COALESCE($1, owner_id), past_human_decision = TRUE, updated_at = $2 \
                     WHERE id = $3",
                )
                .bind(owner_id)
                .bind(at)
                .bind(lead_id)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn insert_opportunity(
                &mut self,
                lead_id: i64,
                account_id: Option<i64>,
                owner_id: i64,
                o: &OpportunityWrite<'_>,
            ) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "INSERT INTO opportunities (lead_id, account_id, owner_id, amount_minor, currency, close_date, stage, \
                     probability, lost_reason, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
                )
                .bind(lead_id)
                .bind(account_id)
                .bind(owner_id)
                .bind(o.amount_minor)
                .bind(o.currency)
                .bind(o.close_date)
                .bind(o.stage)
                .bind(o.probability)
                .bind(o.lost_reason)
                .bind(o.at)
                .fetch_one(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn opportunity(&mut self, id: i64) -> StoreResult<Option<OpportunityRow>> {
                sqlx::query_as(&format!("{OPPORTUNITY_SELECT} WHERE o.id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn opportunities(&mut self, lead_id: Option<i64>) -> StoreResult<Vec<OpportunityRow>> {
                sqlx::query_as(&format!(
                    "{OPPORTUNITY_SELECT} WHERE ($1 IS NULL OR o.lead_id = $1) ORDER BY o.close_date, o.id"
                ))
                .bind(lead_id)
                .fetch_all(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }

            async fn update_opportunity(&mut self, id: i64, o: &OpportunityWrite<'_>) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE opportunities SET amount_minor = $1, currency = $2, close_date = $3, stage = $4, \
                     probability = $5, lost_reason = $6, updated_at = $7, \
                     closed_at = CASE WHEN $4 IN ('won', 'lost') THEN $7 ELSE NULL END WHERE id = $8",
                )
                .bind(o.amount_minor)
                .bind(o.currency)
                .bind(o.close_date)
                .bind(o.stage)
                .bind(o.probability)
                .bind(o.lost_reason)
                .bind(o.at)
                .bind(id)
                .execute(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)?;
                Ok(())
            }

            async fn team_people(&mut self, team: &str) -> StoreResult<Vec<(i64, String, String)>> {
                sqlx::query_as("SELECT id, email, name FROM users WHERE team = $1 ORDER BY name, id")
                    .bind(team)
                    .fetch_all(&mut *self)
                    .await
                    .map_err(StoreError::from_sqlx)
            }

            async fn scorecard_rows(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<ScorecardRow>> {
                sqlx::query_as(
                    "SELECT h.stage, h.to_team, h.status, h.decided_by, u.email AS decider_email, \
                     u.name AS decider_name, h.requested_at, h.sla_due_at, h.decided_at, h.reason_code \
                     FROM handoffs h LEFT JOIN users u ON u.id = h.decided_by \
                     WHERE h.requested_at >= $1 AND h.requested_at < $2 ORDER BY h.requested_at, h.id",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&mut *self)
                .await
                .map_err(StoreError::from_sqlx)
            }
        }
    };
}

impl_handoff_queries!(sqlx::SqliteConnection);
impl_handoff_queries!(sqlx::PgConnection);
