//! The circuit breaker: opened by failures, short-circuiting, one probe, closed or opened again.
//! Stepped one input at a time over `native/harness.rs`: a manual clock, a scripted provider.
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::*;
use raptor_secondary_core::booking::policy::breaker::BreakerState;
use raptor_secondary_core::booking::wire::scalar::Scalar;
use raptor_secondary_core::booking::{ClientConfig, Input, State};
use raptor_secondary_core::ErrorCode;

#[test]
fn timeouts_exhaust_retries_then_the_breaker_short_circuits_and_recovers() {
    let config = ClientConfig {
        attempts: 2,
        breaker_threshold: 2,
        attempt_timeout_ms: 1000,
        ..config()
    };
    let mut sim = Sim::new(config.clone()).script("create", &[Canned::Timeout, Canned::Timeout]);
    let first = sim.booked(&keyed("key-timeout-001"));
    let error = first.error.clone().unwrap();
    assert_eq!(error.code, ErrorCode::RetryExhausted);
    assert_eq!(error.cause.as_ref().unwrap().code, ErrorCode::Timeout);
    assert_eq!(first.attempts, 2);
    assert_eq!(sim.aborted.len(), 2, "each timed-out attempt was aborted");
    assert!(matches!(
        sim.client.breaker_state(),
        BreakerState::Open { .. }
    ));

    // Another booking while open: no provider call.
    let mut other = request();
    other.slot_start = Some(Scalar::Text("2026-12-01T09:30:00Z".into()));
    let rejected = sim.booked(&other);
    assert_eq!(rejected.error.unwrap().code, ErrorCode::CircuitOpen);
    assert_eq!(rejected.attempts, 0);
    assert_eq!(sim.count("create"), 2);

    // After the cool-down the next call is the probe; it succeeds and closes the breaker.
    sim.now += 5000;
    let probe = sim.booked(&other);
    assert_eq!(probe.state, State::Completed);
    assert_eq!(
        sim.client.breaker_state(),
        BreakerState::Closed { failures: 0 }
    );
    assert_eq!(sim.client.metrics().breaker_opens, 1);
    let transitions: Vec<(&str, &str)> = sim
        .logs
        .iter()
        .filter_map(|r| r.breaker.map(|b| (b.from, b.to)))
        .collect();
    assert_eq!(
        transitions,
        [
            ("closed", "open"),
            ("open", "half_open"),
            ("half_open", "closed")
        ]
    );
}

#[test]
fn a_probe_that_timed_out_is_heard_before_a_retry_due_at_the_same_wake_up() {
    let config = ClientConfig {
        breaker_threshold: 2,
        breaker_cooldown_ms: 500,
        attempt_timeout_ms: 1000,
        ..config()
    };
    let mut sim = Sim::new(config).script(
        "create",
        &[
            Canned::RetryAfter(503, "2"),
            Canned::Status(503),
            Canned::Timeout,
        ],
    );
    let slot = |s: &str| {
        let mut r = request();
        r.slot_start = Some(Scalar::Text(s.into()));
        r
    };
    let waiting = sim.book(&slot("2026-12-01T09:30:00Z")); // retries at 2,000
    sim.book(&slot("2026-12-02T09:30:00Z")); // the second failure opens the breaker
    sim.advance(600);
    sim.book(&slot("2026-12-03T09:30:00Z")); // the half-open probe, never answered
    assert_eq!(sim.count("create"), 3);

    // One wake-up long after both the probe's timeout (at 1,600) and the retry (at 2,000):
    // the probe's end reopens the breaker before the retry asks it, so the retry is no probe.
    sim.now += 1900;
    sim.input(Input::Timer);
    assert_eq!(sim.count("create"), 3, "no second probe");
    let result = sim.result(waiting).expect("the retry ended");
    assert_eq!(result.error.as_ref().unwrap().code, ErrorCode::CircuitOpen);
    assert!(matches!(
        sim.client.breaker_state(),
        BreakerState::Open { .. }
    ));
}

#[test]
fn a_failed_probe_reopens_the_breaker() {
    let config = ClientConfig {
        attempts: 1,
        breaker_threshold: 1,
        ..config()
    };
    let mut sim = Sim::new(config).script("create", &[Canned::Status(503), Canned::Status(503)]);
    sim.booked(&request());
    sim.now += 5000;
    let probe = sim.booked(&request());
    assert_eq!(
        probe.error.unwrap().cause.as_ref().unwrap().code,
        ErrorCode::ProviderUnavailable
    );
    assert!(matches!(
        sim.client.breaker_state(),
        BreakerState::Open { .. }
    ));
    assert_eq!(sim.client.metrics().breaker_opens, 2);
    let rejected = sim.booked(&request());
    assert_eq!(rejected.error.unwrap().code, ErrorCode::CircuitOpen);
    assert_eq!(sim.count("create"), 2);
}
