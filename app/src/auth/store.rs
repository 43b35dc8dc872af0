//! SQL for users, API tokens and sign-in failures, on both backends.

use chrono::{DateTime, Utc};
use tracing::instrument;

use super::{NewUser, Role, Team, User};
use crate::i18n::Locale;
use crate::ids::UserId;
use crate::on_db;
use crate::store::{Db, StoreError, StoreResult};

/// A `users` row; converts into a [`User`] (the hash stays in the store layer).
#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    team: String,
    role: String,
    locale: String,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> StoreResult<User> {
        let bad = |what: &str| {
            StoreError::Other(sqlx::Error::Decode(
                format!("bad {what} in users row {}", row.id).into(),
            ))
        };
        Ok(User {
            id: UserId(row.id),
            team: Team::parse(&row.team).ok_or_else(|| bad("team"))?,
            role: Role::parse(&row.role).ok_or_else(|| bad("role"))?,
            locale: Locale::parse(&row.locale).ok_or_else(|| bad("locale"))?,
            email: row.email,
            name: row.name,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CredentialRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

const USER_COLUMNS: &str = "id, email, name, team, role, locale";

impl Db {
    /// Inserts a user; `Conflict("users_email_key")` when the email is taken (any case).
    #[instrument(skip_all)]
    pub async fn insert_user(
        &self,
        user: &NewUser,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<User> {
        let sql = format!(
            "INSERT INTO users (email, name, team, role, locale, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {USER_COLUMNS}"
        );
        let row: UserRow = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(user.email.as_str())
            .bind(&user.name)
            .bind(user.team.as_str())
            .bind(user.role.as_str())
            .bind(user.locale.as_str())
            .bind(password_hash)
            .bind(now)
            .fetch_one(pool)
            .await)
        .map_err(|e| match StoreError::from_sqlx(e) {
            StoreError::Conflict(_) => StoreError::Conflict("users_email_key".into()),
            other => other,
        })?;
        row.try_into()
    }

    /// The user with this (normalized) email and their password hash.
    #[instrument(skip_all)]
    pub async fn user_credentials(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE lower(email) = lower($1)");
        let row: Option<CredentialRow> =
            on_db!(self, pool => sqlx::query_as(&sql).bind(email).fetch_optional(pool).await)
                .map_err(StoreError::from_sqlx)?;
        row.map(|r| Ok((r.user.try_into()?, r.password_hash))).transpose()
    }

    /// The user with this id.
    #[instrument(skip_all)]
    pub async fn user_by_id(&self, id: UserId) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> =
            on_db!(self, pool => sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await)
                .map_err(StoreError::from_sqlx)?;
        row.map(User::try_from).transpose()
    }

    /// Every user, by team then name.
    #[instrument(skip_all)]
    pub async fn list_users(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY team, name, id");
        let rows: Vec<UserRow> = on_db!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await)
            .map_err(StoreError::from_sqlx)?;
        rows.into_iter().map(User::try_from).collect()
    }

    /// How many users exist (seeding only fills an empty database).
    #[instrument(skip_all)]
    pub async fn count_users(&self) -> StoreResult<i64> {
        on_db!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await)
            .map_err(StoreError::from_sqlx)
    }

    /// Stores a user's interface language.
    #[instrument(skip_all)]
    pub async fn set_user_locale(&self, id: UserId, locale: Locale) -> StoreResult<()> {
        let done = on_db!(self, pool => sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale.as_str()).bind(id.0).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(StoreError::from_sqlx)?;
        if done == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Records an API token by the SHA-256 of its secret.
    #[instrument(skip_all)]
    pub async fn insert_api_token(
        &self,
        name: &str,
        token_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, pool => sqlx::query(
            "INSERT INTO api_tokens (name, token_hash, user_id, created_at) VALUES ($1, $2, $3, $4)")
            .bind(name).bind(token_hash).bind(user.0).bind(now).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(StoreError::from_sqlx)?;
        Ok(())
    }

    /// The user a token (by its hash) acts as.
    #[instrument(skip_all)]
    pub async fn user_by_token_hash(&self, token_hash: &str) -> StoreResult<Option<User>> {
        let sql = "SELECT u.id, u.email, u.name, u.team, u.role, u.locale FROM api_tokens t \
                   JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1";
        let row: Option<UserRow> =
            on_db!(self, pool => sqlx::query_as(sql).bind(token_hash).fetch_optional(pool).await)
                .map_err(StoreError::from_sqlx)?;
        row.map(User::try_from).transpose()
    }

    /// Records one failed sign-in in a throttle bucket.
    #[instrument(skip_all)]
    pub async fn record_sign_in_failure(&self, bucket: &str, at: DateTime<Utc>) -> StoreResult<()> {
        on_db!(self, pool => sqlx::query("INSERT INTO sign_in_failures (bucket, failed_at) VALUES ($1, $2)")
            .bind(bucket).bind(at).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(StoreError::from_sqlx)?;
        Ok(())
    }

    /// The failures of a bucket since `since`, oldest first.
    #[instrument(skip_all)]
    pub async fn sign_in_failures_since(
        &self,
        bucket: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<DateTime<Utc>>> {
        on_db!(self, pool => sqlx::query_scalar(
            "SELECT failed_at FROM sign_in_failures WHERE bucket = $1 AND failed_at > $2 ORDER BY failed_at")
            .bind(bucket).bind(since).fetch_all(pool).await)
        .map_err(StoreError::from_sqlx)
    }

    /// Forgets a bucket's failures (after a successful sign-in) and any older than `before`.
    #[instrument(skip_all)]
    pub async fn clear_sign_in_failures(&self, bucket: &str, before: DateTime<Utc>) -> StoreResult<()> {
        on_db!(self, pool => sqlx::query("DELETE FROM sign_in_failures WHERE bucket = $1 OR failed_at < $2")
            .bind(bucket).bind(before).execute(pool).await.map(|r| r.rows_affected()))
        .map_err(StoreError::from_sqlx)?;
        Ok(())
    }
}
