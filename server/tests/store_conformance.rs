//! The store contract, exercised identically on SQLite and PostgreSQL.

mod common;

use chrono::Duration;

use app::auth::{Email, NewUser, Role, Team};
use app::i18n::Locale;
use app::ids::UserId;
use app::store::{Db, StoreError};
use common::{Backend, TestDb, start_time};

async fn fresh(backend: Backend) -> (Db, TestDb) {
    let test_db = TestDb::create(backend).await;
    let db = Db::connect(&test_db.url).await.expect("connect");
    db.migrate().await.expect("migrate");
    assert_eq!(db.backend(), backend);
    (db, test_db)
}

fn new_user(email: &str, team: Team, role: Role) -> NewUser {
    NewUser {
        email: Email::parse(email).unwrap(),
        name: format!("Name of {email}"),
        team,
        role,
        locale: Locale::Ja,
    }
}

async fn migrations_can_run_again_without_effect(backend: Backend) {
    let (db, _guard) = fresh(backend).await;
    db.migrate().await.expect("second run is a no-op");
    assert_eq!(db.count_users().await.unwrap(), 0);
}

async fn users_round_trip_and_emails_match_case_insensitively(backend: Backend) {
    let (db, _guard) = fresh(backend).await;
    let created = db
        .insert_user(
            &new_user("mika@example.com", Team::Marketing, Role::Leader),
            "hash-1",
            start_time(),
        )
        .await
        .unwrap();
    assert_eq!(created.email, "mika@example.com");
    assert_eq!(
        (created.team, created.role, created.locale),
        (Team::Marketing, Role::Leader, Locale::Ja)
    );

    let (found, hash) = db
        .user_credentials("MIKA@EXAMPLE.COM")
        .await
        .unwrap()
        .expect("found");
    assert_eq!(found, created);
    assert_eq!(hash, "hash-1");
    assert_eq!(db.user_by_id(created.id).await.unwrap(), Some(created.clone()));
    assert_eq!(db.user_by_id(UserId(999_999)).await.unwrap(), None);
    assert!(db.user_credentials("nobody@example.com").await.unwrap().is_none());
}

async fn a_duplicate_email_is_a_conflict_not_a_crash(backend: Backend) {
    let (db, _guard) = fresh(backend).await;
    db.insert_user(
        &new_user("mika@example.com", Team::Marketing, Role::Leader),
        "h",
        start_time(),
    )
    .await
    .unwrap();
    let mut dup = new_user("mika@example.com", Team::Sales, Role::Member);
    dup.name = "Other".into();
    match db.insert_user(&dup, "h", start_time()).await {
        Err(StoreError::Conflict(name)) => assert_eq!(name, "users_email_key"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(db.count_users().await.unwrap(), 1);
}

async fn users_are_listed_by_team_then_name(backend: Backend) {
    let (db, _guard) = fresh(backend).await;
    for (email, team) in [
        ("zed@x.io", Team::Sales),
        ("amy@x.io", Team::Sales),
        ("bob@x.io", Team::Marketing),
        ("cy@x.io", Team::Sdr),
    ] {
        db.insert_user(&new_user(email, team, Role::Member), "h", start_time())
            .await
            .unwrap();
    }
    let emails: Vec<_> = db
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(emails, ["bob@x.io", "amy@x.io", "zed@x.io", "cy@x.io"]);
    assert_eq!(db.count_users().await.unwrap(), 4);
}

async fn a_users_locale_can_be_changed(backend: Backend) {
    let (db, _guard) = fresh(backend).await;
    let user = db
        .insert_user(
            &new_user("mika@example.com", Team::Marketing, Role::Leader),
            "h",
            start_time(),
        )
        .await
        .unwrap();
    db.set_user_locale(user.id, Locale::En).await.unwrap();
    assert_eq!(db.user_by_id(user.id).await.unwrap().unwrap().locale, Locale::En);
    assert!(matches!(
        db.set_user_locale(UserId(424242), Locale::En).await,
        Err(StoreError::NotFound)
    ));
}

async fn api_tokens_resolve_to_their_user(backend: Backend) {
    let (db, _guard) = fresh(backend).await;
    let user = db
        .insert_user(
            &new_user("root@example.com", Team::Marketing, Role::Admin),
            "h",
            start_time(),
        )
        .await
        .unwrap();
    db.insert_api_token("forms", "abc123", user.id, start_time())
        .await
        .unwrap();
    assert_eq!(db.user_by_token_hash("abc123").await.unwrap(), Some(user.clone()));
    assert_eq!(db.user_by_token_hash("nope").await.unwrap(), None);
    assert!(matches!(
        db.insert_api_token("again", "abc123", user.id, start_time())
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        db.insert_api_token("orphan", "def", UserId(77777), start_time())
            .await,
        Err(StoreError::Conflict(_))
    ));
}

async fn sign_in_failures_are_counted_within_a_window_and_cleared(backend: Backend) {
    let (db, _guard) = fresh(backend).await;
    let t0 = start_time();
    for minutes in [0, 5, 10] {
        db.record_sign_in_failure("account:a@x.io", t0 + Duration::minutes(minutes))
            .await
            .unwrap();
    }
    db.record_sign_in_failure("account:b@x.io", t0).await.unwrap();
    let since = db
        .sign_in_failures_since("account:a@x.io", t0 + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(since, [t0 + Duration::minutes(5), t0 + Duration::minutes(10)]);
    db.clear_sign_in_failures("account:a@x.io", t0 - Duration::hours(1))
        .await
        .unwrap();
    assert!(
        db.sign_in_failures_since("account:a@x.io", t0 - Duration::hours(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.sign_in_failures_since("account:b@x.io", t0 - Duration::hours(1))
            .await
            .unwrap()
            .len(),
        1
    );
    db.clear_sign_in_failures("account:none", t0 + Duration::minutes(1))
        .await
        .unwrap();
    assert!(
        db.sign_in_failures_since("account:b@x.io", t0 - Duration::hours(1))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn the_database_answers_a_ping(backend: Backend) {
    let (db, _guard) = fresh(backend).await;
    db.ping().await.unwrap();
    db.close().await;
    assert!(db.ping().await.is_err());
}

on_both_backends!(
    migrations_can_run_again_without_effect,
    users_round_trip_and_emails_match_case_insensitively,
    a_duplicate_email_is_a_conflict_not_a_crash,
    users_are_listed_by_team_then_name,
    a_users_locale_can_be_changed,
    api_tokens_resolve_to_their_user,
    sign_in_failures_are_counted_within_a_window_and_cleared,
    the_database_answers_a_ping,
);

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout() {
    let (db, _guard) = fresh(Backend::Sqlite).await;
    let Db::Sqlite(pool) = &db else { unreachable!() };
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .unwrap();
    let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1);
    assert!(timeout >= 5000, "{timeout}");
}

#[tokio::test]
async fn an_unsupported_database_url_is_refused_with_a_clear_error() {
    let err = Db::connect("mysql://root:secret@localhost/x").await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("sqlite://") && text.contains("postgres://"),
        "{text}"
    );
    assert!(!text.contains("secret"), "the password leaked: {text}");
}
