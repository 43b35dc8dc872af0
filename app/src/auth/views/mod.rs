//! Sign-in and user administration pages.

mod sign_in;
mod users;

pub use sign_in::SignInPage;
pub use users::UsersPage;
