//! Faults the mock provider can play, switched at run time (admin call or per-request header).

/// How the provider behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// `201` confirmed at once.
    Immediate,
    /// `202` pending with a status URL; the second poll sees it confirmed.
    Pending,
    /// Creates answer after [`DELAYED_MS`].
    Delayed,
    /// The first create attempt of each key fails with `503`.
    FailOnce,
    /// The first `n` create attempts of each key fail with `503`.
    FailTimes(u32),
    /// Creates never answer (the connection is held, then dropped, nothing is created).
    AlwaysTimeout,
    /// The first create attempt of each key gets `429` with `Retry-After: 1`.
    RateLimited,
    /// The first create attempt of each key gets `503` with `Retry-After: 1`.
    Unavailable,
    /// Every create fails with `503` (drives the breaker open).
    Down,
    /// `POST /events` fails with `503` (drives compensation).
    EventsDown,
    /// Every endpoint answers after [`SLOW_MS`].
    Slow,
}

/// Delay of [`Scenario::Delayed`].
pub const DELAYED_MS: u64 = 800;
/// Delay of [`Scenario::Slow`].
pub const SLOW_MS: u64 = 300;
/// How long [`Scenario::AlwaysTimeout`] holds a connection.
pub const HANG_MS: u64 = 30_000;

/// Every scenario name, for help and errors.
pub const NAMES: &str =
    "immediate, pending, delayed, fail_once, fail_times:N, always_timeout, rate_limited, unavailable, down, events_down, slow";

impl Scenario {
    /// Parses a name such as `fail_once` or `fail_times:3`.
    pub fn parse(name: &str) -> Option<Scenario> {
        Some(match name.trim() {
            "immediate" => Scenario::Immediate,
            "pending" => Scenario::Pending,
            "delayed" => Scenario::Delayed,
            "fail_once" => Scenario::FailOnce,
            "always_timeout" => Scenario::AlwaysTimeout,
            "rate_limited" => Scenario::RateLimited,
            "unavailable" => Scenario::Unavailable,
            "down" => Scenario::Down,
            "events_down" => Scenario::EventsDown,
            "slow" => Scenario::Slow,
            other => {
                let n = other.strip_prefix("fail_times:")?.parse().ok()?;
                Scenario::FailTimes(n)
            }
        })
    }

    /// The name [`parse`](Self::parse) reads.
    pub fn name(self) -> String {
        match self {
            Scenario::Immediate => "immediate".into(),
            Scenario::Pending => "pending".into(),
            Scenario::Delayed => "delayed".into(),
            Scenario::FailOnce => "fail_once".into(),
            Scenario::FailTimes(n) => format!("fail_times:{n}"),
            Scenario::AlwaysTimeout => "always_timeout".into(),
            Scenario::RateLimited => "rate_limited".into(),
            Scenario::Unavailable => "unavailable".into(),
            Scenario::Down => "down".into(),
            Scenario::EventsDown => "events_down".into(),
            Scenario::Slow => "slow".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in NAMES.split(", ") {
            let name = name.replace(":N", ":4");
            assert_eq!(Scenario::parse(&name).map(Scenario::name), Some(name));
        }
        assert_eq!(Scenario::parse("fail_times:x"), None);
        assert_eq!(Scenario::parse("chaos"), None);
    }
}
