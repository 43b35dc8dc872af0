//! Who may do what: the one place every page, server function and API handler asks.
//!
//! Rules are pure functions of the user (and later, of the record), so they are tested
//! without a database and cannot drift between the UI and the API.

use crate::auth::{Role, User};
use crate::error::AppError;

/// Something a user may attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See the app's pages and read shared data (any signed-in user).
    UseApp,
    /// List and create users.
    ManageUsers,
    /// Create API tokens for integrations.
    ManageTokens,
}

/// Whether `user` may perform `action`.
pub fn allows(user: &User, action: Action) -> bool {
    match action {
        Action::UseApp => true,
        Action::ManageUsers | Action::ManageTokens => user.role == Role::Admin,
    }
}

/// Authorizes an optional user: `Unauthorized` when nobody is signed in, `Forbidden` when
/// the user may not perform `action`.
pub fn authorize(user: Option<&User>, action: Action) -> Result<&User, AppError> {
    let user = user.ok_or(AppError::Unauthorized)?;
    if allows(user, action) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The navigation entries a user should see: only pages they may open.
pub fn nav_entries(user: &User) -> Vec<NavEntry> {
    [NavEntry::Home, NavEntry::Users]
        .into_iter()
        .filter(|entry| allows(user, entry.action()))
        .collect()
}

/// A page of the app shell's navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NavEntry {
    /// The signed-in home page.
    Home,
    /// The admin users page.
    Users,
}

impl NavEntry {
    /// The action needed to open the page.
    pub fn action(self) -> Action {
        match self {
            Self::Home => Action::UseApp,
            Self::Users => Action::ManageUsers,
        }
    }

    /// The page's path.
    pub fn path(self) -> &'static str {
        match self {
            Self::Home => "/",
            Self::Users => "/admin/users",
        }
    }

    /// The translation key of its label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Home => "nav.home",
            Self::Users => "nav.users",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Team;
    use crate::i18n::Locale;
    use crate::ids::UserId;

    fn user(team: Team, role: Role) -> User {
        User {
            id: UserId(1),
            email: "u@example.com".into(),
            name: "U".into(),
            team,
            role,
            locale: Locale::En,
        }
    }

    #[test]
    fn nobody_signed_in_is_unauthorized_for_everything() {
        for action in [Action::UseApp, Action::ManageUsers, Action::ManageTokens] {
            assert_eq!(authorize(None, action).unwrap_err(), AppError::Unauthorized);
        }
    }

    #[test]
    fn only_admins_manage_users_and_tokens() {
        for team in Team::ALL {
            for role in [Role::Member, Role::Leader] {
                let u = user(team, role);
                assert_eq!(
                    authorize(Some(&u), Action::ManageUsers).unwrap_err(),
                    AppError::Forbidden
                );
                assert_eq!(
                    authorize(Some(&u), Action::ManageTokens).unwrap_err(),
                    AppError::Forbidden
                );
                assert!(authorize(Some(&u), Action::UseApp).is_ok());
            }
            let admin = user(team, Role::Admin);
            assert!(authorize(Some(&admin), Action::ManageUsers).is_ok());
        }
    }

    #[test]
    fn navigation_shows_the_users_page_to_admins_only() {
        assert_eq!(nav_entries(&user(Team::Sales, Role::Leader)), [NavEntry::Home]);
        assert_eq!(
            nav_entries(&user(Team::Sales, Role::Admin)),
            [NavEntry::Home, NavEntry::Users]
        );
    }
}
