//! A consecutive-failure circuit breaker. Transitions are pure functions of
//! (state, event, now); half-open is decided from the clock when a call asks to go through,
//! never by a timer (background tabs throttle timers).
use alloc::string::String;

use crate::json::{parse, Object, ToJson};

/// Breaker settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker.
    pub threshold: u32,
    /// How long it stays open before letting one probe through.
    pub cooldown_ms: u64,
    /// How long a probe may stay unanswered before another probe is let through (guards
    /// against a probe whose caller went away).
    pub probe_lease_ms: u64,
}

/// Where the breaker is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through; `failures` consecutive ones have failed.
    Closed {
        /// Consecutive failures so far.
        failures: u32,
    },
    /// Calls are rejected until `until_ms`.
    Open {
        /// When the cool-down ends.
        until_ms: i64,
    },
    /// One probe is out; everything else is rejected until it answers or its lease ends.
    HalfOpen {
        /// When the probe's lease ends.
        probe_until_ms: i64,
    },
}

/// The state as tabs share it (storage item `b:`): `{"state","failures","untilMs"}`, times
/// wall-clock milliseconds (they cross tabs and reloads).
impl ToJson for BreakerState {
    fn write_json(&self, out: &mut String) {
        let (failures, until) = match *self {
            BreakerState::Closed { failures } => (failures, 0),
            BreakerState::Open { until_ms } => (0, until_ms),
            BreakerState::HalfOpen { probe_until_ms } => (0, probe_until_ms),
        };
        Object::new(out)
            .field("state", self.name())
            .field("failures", &failures)
            .field("untilMs", &until)
            .end();
    }
}

impl BreakerState {
    /// The state in `text` (as [`ToJson`] writes it), or `None` when it is not one.
    pub fn from_json(text: &str) -> Option<BreakerState> {
        let v = parse(text)?;
        let until_ms = v.int_field("untilMs")?;
        Some(match v.str_field("state")? {
            "closed" => BreakerState::Closed {
                failures: u32::try_from(v.int_field("failures")?).ok()?,
            },
            "open" => BreakerState::Open { until_ms },
            "half_open" => BreakerState::HalfOpen {
                probe_until_ms: until_ms,
            },
            _ => return None,
        })
    }

    /// The state's name as logs and JavaScript show it.
    pub const fn name(self) -> &'static str {
        match self {
            BreakerState::Closed { .. } => "closed",
            BreakerState::Open { .. } => "open",
            BreakerState::HalfOpen { .. } => "half_open",
        }
    }
}

/// Whether a call may go through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead.
    Call,
    /// Go ahead as the one half-open probe.
    Probe,
    /// Do not call; the breaker may let a call through in `retry_in_ms`.
    Reject {
        /// Time until the breaker may admit a call.
        retry_in_ms: u64,
    },
}

/// How an admitted call ended, as far as the breaker cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// The provider answered (even with a client error).
    Healthy,
    /// A failure that says the provider is unhealthy.
    Unhealthy,
}

/// A call asks to go through at `now_ms`.
pub fn admit(
    state: BreakerState,
    now_ms: i64,
    config: &BreakerConfig,
) -> (BreakerState, Admission) {
    let lease = || BreakerState::HalfOpen {
        probe_until_ms: now_ms.saturating_add(config.probe_lease_ms as i64),
    };
    match state {
        BreakerState::Closed { .. } => (state, Admission::Call),
        BreakerState::Open { until_ms } if now_ms >= until_ms => (lease(), Admission::Probe),
        BreakerState::Open { until_ms } => (
            state,
            Admission::Reject {
                retry_in_ms: (until_ms - now_ms) as u64,
            },
        ),
        BreakerState::HalfOpen { probe_until_ms } if now_ms >= probe_until_ms => {
            (lease(), Admission::Probe)
        }
        BreakerState::HalfOpen { probe_until_ms } => (
            state,
            Admission::Reject {
                retry_in_ms: (probe_until_ms - now_ms) as u64,
            },
        ),
    }
}

/// An admitted call ended at `now_ms`; `probe` says whether it was admitted as the probe.
pub fn record(
    state: BreakerState,
    outcome: Health,
    probe: bool,
    now_ms: i64,
    config: &BreakerConfig,
) -> BreakerState {
    let open = BreakerState::Open {
        until_ms: now_ms.saturating_add(config.cooldown_ms as i64),
    };
    match (state, outcome) {
        (BreakerState::Closed { .. }, Health::Healthy) => BreakerState::Closed { failures: 0 },
        (BreakerState::Closed { failures }, Health::Unhealthy) => {
            let failures = failures.saturating_add(1);
            if failures >= config.threshold {
                open
            } else {
                BreakerState::Closed { failures }
            }
        }
        (BreakerState::HalfOpen { .. }, Health::Healthy) if probe => {
            BreakerState::Closed { failures: 0 }
        }
        (BreakerState::HalfOpen { .. }, Health::Unhealthy) if probe => open,
        // A call admitted before the breaker opened, answering late: the probe decides.
        (BreakerState::HalfOpen { .. } | BreakerState::Open { .. }, _) => state,
    }
}

/// A breaker with its state and its settings. (How often it opened is counted from its
/// transitions, in the metrics.)
#[derive(Clone, Debug)]
pub struct Breaker {
    state: BreakerState,
    config: BreakerConfig,
}

/// A change of breaker state, for logs and observers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerTransition {
    /// State before.
    pub from: &'static str,
    /// State after.
    pub to: &'static str,
}

impl ToJson for BreakerTransition {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("from", self.from)
            .field("to", self.to)
            .end();
    }
}

impl Breaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Self {
        Breaker {
            state: BreakerState::Closed { failures: 0 },
            config,
        }
    }

    /// The current state (half-open is only entered when a call asks; see [`admit`]).
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// The settings.
    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    /// [`admit`], keeping the new state; returns the transition, if any.
    pub fn admit(&mut self, now_ms: i64) -> (Admission, Option<BreakerTransition>) {
        let (next, admission) = admit(self.state, now_ms, &self.config);
        (admission, self.set(next))
    }

    /// [`record`], keeping the new state; returns the transition, if any.
    pub fn record(
        &mut self,
        outcome: Health,
        probe: bool,
        now_ms: i64,
    ) -> Option<BreakerTransition> {
        let next = record(self.state, outcome, probe, now_ms, &self.config);
        self.set(next)
    }

    /// Takes the state another tab shared (see [`BreakerState::from_json`]); returns the
    /// transition, if any.
    pub fn adopt(&mut self, state: BreakerState) -> Option<BreakerTransition> {
        self.set(state)
    }

    fn set(&mut self, next: BreakerState) -> Option<BreakerTransition> {
        let from = self.state.name();
        self.state = next;
        (from != next.name()).then_some(BreakerTransition {
            from,
            to: next.name(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    const CONFIG: BreakerConfig = BreakerConfig {
        threshold: 3,
        cooldown_ms: 5000,
        probe_lease_ms: 1000,
    };

    #[test]
    fn opens_after_threshold_consecutive_failures() {
        let mut b = Breaker::new(CONFIG);
        assert_eq!(b.record(Health::Unhealthy, false, 0), None);
        assert_eq!(
            b.record(Health::Healthy, false, 1),
            None,
            "a success resets the count"
        );
        assert_eq!(b.record(Health::Unhealthy, false, 2), None);
        assert_eq!(b.record(Health::Unhealthy, false, 3), None);
        let t = b.record(Health::Unhealthy, false, 4).unwrap();
        assert_eq!((t.from, t.to), ("closed", "open"));
        assert_eq!(b.state(), BreakerState::Open { until_ms: 5004 });
    }

    #[test]
    fn rejects_while_open_then_lets_exactly_one_probe_through() {
        let mut b = Breaker::new(BreakerConfig {
            threshold: 1,
            ..CONFIG
        });
        b.record(Health::Unhealthy, false, 0);
        assert_eq!(b.admit(4999).0, Admission::Reject { retry_in_ms: 1 });
        let (admission, t) = b.admit(5000);
        assert_eq!(admission, Admission::Probe);
        assert_eq!(t.map(|t| t.to), Some("half_open"));
        assert_eq!(
            b.admit(5001).0,
            Admission::Reject { retry_in_ms: 999 },
            "one probe at a time"
        );
        assert_eq!(
            b.record(Health::Healthy, true, 5002).map(|t| t.to),
            Some("closed")
        );
        assert_eq!(b.admit(5003).0, Admission::Call);
    }

    #[test]
    fn a_failed_probe_reopens_for_a_full_cooldown() {
        let mut b = Breaker::new(BreakerConfig {
            threshold: 1,
            ..CONFIG
        });
        b.record(Health::Unhealthy, false, 0);
        b.admit(6000);
        assert_eq!(
            b.record(Health::Unhealthy, true, 6100).map(|t| t.to),
            Some("open")
        );
        assert_eq!(b.state(), BreakerState::Open { until_ms: 11_100 });
    }

    #[test]
    fn a_late_answer_from_before_the_opening_does_not_decide() {
        let mut b = Breaker::new(BreakerConfig {
            threshold: 1,
            ..CONFIG
        });
        b.record(Health::Unhealthy, false, 0);
        b.admit(5000); // probe out
        assert_eq!(b.record(Health::Healthy, false, 5001), None);
        assert!(matches!(b.state(), BreakerState::HalfOpen { .. }));
        assert_eq!(b.record(Health::Unhealthy, false, 5002), None);
        assert!(matches!(b.state(), BreakerState::HalfOpen { .. }));
    }

    #[test]
    fn an_abandoned_probe_is_replaced_after_its_lease() {
        let mut b = Breaker::new(BreakerConfig {
            threshold: 1,
            ..CONFIG
        });
        b.record(Health::Unhealthy, false, 0);
        assert_eq!(b.admit(5000).0, Admission::Probe);
        assert_eq!(b.admit(5999).0, Admission::Reject { retry_in_ms: 1 });
        assert_eq!(b.admit(6000).0, Admission::Probe);
    }

    #[test]
    fn half_open_comes_from_the_clock_not_a_timer() {
        // Nothing happens between 0 and 60 s (a throttled background tab): the first call
        // after the cool-down is the probe.
        let mut b = Breaker::new(BreakerConfig {
            threshold: 1,
            ..CONFIG
        });
        b.record(Health::Unhealthy, false, 0);
        assert_eq!(b.state().name(), "open");
        assert_eq!(b.admit(60_000).0, Admission::Probe);
    }
}
