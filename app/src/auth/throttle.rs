//! Sign-in throttling: too many failures for one account or from one client address within
//! a window block further attempts until the oldest counted failure ages out. Failures live
//! in the database, so every app server sees the same count.

use chrono::{DateTime, Duration, Utc};

/// A limit of failures within a sliding window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Failures allowed within `window` before attempts are refused.
    pub max_failures: usize,
    /// The sliding window.
    pub window: Duration,
}

/// The limits for accounts and for client addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Per account (email).
    pub per_account: Limit,
    /// Per client address.
    pub per_address: Limit,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            per_account: Limit {
                max_failures: 5,
                window: Duration::minutes(15),
            },
            per_address: Limit {
                max_failures: 30,
                window: Duration::minutes(15),
            },
        }
    }
}

/// The throttle bucket of an account.
pub fn account_bucket(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

/// The throttle bucket of a client address.
pub fn address_bucket(address: &str) -> String {
    format!("address:{address}")
}

/// How long until another attempt is allowed, given the failures within the window (oldest
/// first); `None` when an attempt is allowed now.
pub fn retry_after(failures: &[DateTime<Utc>], limit: Limit, now: DateTime<Utc>) -> Option<Duration> {
    let recent: Vec<_> = failures.iter().filter(|at| **at > now - limit.window).collect();
    if recent.len() < limit.max_failures {
        return None;
    }
    let frees_at = *recent[recent.len() - limit.max_failures] + limit.window;
    Some((frees_at - now).max(Duration::seconds(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Limit = Limit {
        max_failures: 3,
        window: Duration::minutes(10),
    };

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(min)
    }

    #[test]
    fn attempts_are_allowed_below_the_limit() {
        assert_eq!(retry_after(&[t(0), t(1)], LIMIT, t(2)), None);
    }

    #[test]
    fn reaching_the_limit_blocks_until_the_oldest_failure_ages_out() {
        assert_eq!(
            retry_after(&[t(0), t(1), t(2)], LIMIT, t(3)),
            Some(Duration::minutes(7))
        );
    }

    #[test]
    fn failures_outside_the_window_do_not_count() {
        assert_eq!(
            retry_after(&[t(0), t(1), t(2)], LIMIT, t(10) + Duration::seconds(1)),
            None
        );
    }

    #[test]
    fn buckets_are_case_insensitive_for_accounts() {
        assert_eq!(account_bucket(" A@B.co "), account_bucket("a@b.co"));
    }
}
