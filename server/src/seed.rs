//! Demo data for `accord seed demo` (the README's run command uses it on an empty database).

use app::auth::{NewUserInput, service};
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
        say("Demo data created.");
    } else {
        say("The database already has users; demo data left as it is.");
    }
    say(&format!("Demo logins (password for all: {DEMO_PASSWORD}):"));
    for (email, _, _, _, what) in DEMO_USERS {
        say(&format!("  {what:<18} {email}"));
    }
    Ok(())
}
