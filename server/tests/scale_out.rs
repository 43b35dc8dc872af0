//! Scale-out: two `accord serve` processes started at the same moment on one PostgreSQL
//! database both come up, migrate once, and serve the same signed-in user.

mod common;

use std::process::Stdio;
use std::time::Duration;

use sqlx::Connection;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

use common::{Backend, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_accord");

/// Starts `accord serve` on a free port and returns the child and its base URL, read from
/// the line the server prints once it listens.
async fn start_server(database_url: &str) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn accord serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if let Some(url) = line.strip_prefix("Accord is running at ") {
                return url.trim().to_owned();
            }
        }
        panic!("accord serve exited before listening");
    })
    .await
    .expect("server started within 60 s");
    (child, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_migrate_once_and_share_sessions() {
    let db = TestDb::create(Backend::Postgres).await;

    // Both start at the same moment on an empty database.
    let ((mut a, url_a), (mut b, url_b)) = tokio::join!(start_server(&db.url), start_server(&db.url));

    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/postgres"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "sql"))
        .count() as i64;
    assert_eq!(applied, files, "each migration applied exactly once");

    // A user created with the CLI (password on stdin).
    let mut add = Command::new(BIN)
        .args([
            "user",
            "add",
            "--email",
            "hiro@example.com",
            "--name",
            "Hiro",
            "--team",
            "sales",
            "--role",
            "leader",
        ])
        .env("DATABASE_URL", &db.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"scale-out-password\n")
        .await
        .unwrap();
    assert!(add.wait().await.unwrap().success());

    let http = reqwest::Client::new();
    for url in [&url_a, &url_b] {
        let health = http.get(format!("{url}/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
    }
    let res = http
        .post(format!("{url_a}/api/v1/session"))
        .json(&serde_json::json!({"email": "hiro@example.com", "password": "scale-out-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("accord_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();

    // The session made on A is honoured by B…
    let me = http
        .get(format!("{url_b}/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(
        me.json::<serde_json::Value>().await.unwrap()["email"],
        "hiro@example.com"
    );

    // …and signing out on B ends it on A too.
    let out = http
        .delete(format!("{url_b}/api/v1/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let me = http
        .get(format!("{url_a}/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);

    a.kill().await.ok();
    b.kill().await.ok();
    conn.close().await.ok();
}
