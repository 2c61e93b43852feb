//! Retries, waits and deadlines: exact backoff under the same key, `Retry-After`, polling a
//! pending booking, attempt timeouts and the overall deadline.
//! Stepped one input at a time over `native/harness.rs`: a manual clock, a scripted provider.
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::*;
use raptor_secondary_core::booking::{ClientConfig, State, Step};
use raptor_secondary_core::ErrorCode;

#[test]
fn retries_step_by_step_with_exact_backoff_and_the_same_key() {
    // u32::MAX draws: each wait is one below its ceiling (100, 200 ms).
    let mut sim = Sim::drawing(config(), &[u32::MAX, u32::MAX])
        .script("create", &[Canned::Status(503), Canned::Network]);
    let id = sim.book(&keyed("key-retry-00001"));
    assert_eq!(sim.count("create"), 1);
    assert_eq!(sim.waits(), [99]);
    assert_eq!(sim.client.poll_timeout(), Some(START + 99));

    sim.advance(98);
    assert_eq!(sim.count("create"), 1, "never early");

    sim.advance(1);
    assert_eq!(sim.count("create"), 2);
    assert_eq!(sim.waits(), [99, 199]);

    sim.advance(199);
    let result = sim.result(id).cloned().expect("finished");
    assert_eq!(result.state, State::Completed);
    assert_eq!((result.attempts, result.retries), (3, 2));
    let keys: Vec<&str> = sim
        .sent
        .iter()
        .filter(|s| s.step == Step::Create)
        .map(|s| s.key.as_str())
        .collect();
    assert_eq!(keys, ["key-retry-00001"; 3]);
}

#[test]
fn retry_after_is_honoured_and_never_early() {
    let mut sim = Sim::drawing(config(), &[0]).script("create", &[Canned::RetryAfter(429, "2")]);
    let id = sim.book(&request());
    assert_eq!(sim.waits(), [2000], "max(hint 2000, backoff 0)");
    sim.advance(1999);
    assert_eq!(sim.count("create"), 1);
    sim.advance(1);
    assert_eq!(sim.result(id).unwrap().state, State::Completed);
}

#[test]
fn a_retry_after_beyond_the_limit_ends_retrying() {
    let mut sim = Sim::new(config()).script("create", &[Canned::RetryAfter(503, "3600")]);
    let result = sim.booked(&request());
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::RetryExhausted);
    assert_eq!(
        error.cause.as_ref().unwrap().code,
        ErrorCode::ProviderUnavailable
    );
    assert_eq!(sim.count("create"), 1);
    assert!(sim.waits().is_empty());
}

#[test]
fn a_pending_booking_is_polled_until_confirmed() {
    let mut sim = Sim::new(config())
        .script("create", &[Canned::Pending])
        .script("poll", &[Canned::Pending]);
    let result = sim.booked(&request());
    assert_eq!(result.state, State::Completed);
    assert_eq!(sim.endpoints(), ["create", "poll", "poll", "publish"]);
    assert_eq!(sim.sent[1].method, "GET");
    assert_eq!(sim.sent[1].url, "/api/v2/appointments/apt_1");
    assert_eq!(sim.waits(), [500, 500]);
}

#[test]
fn a_booking_still_pending_at_its_deadline_fails_and_is_cancelled() {
    let config = ClientConfig {
        deadline_ms: 1200,
        ..config()
    };
    let mut sim = Sim::new(config)
        .script("create", &[Canned::Pending])
        .script("poll", &[Canned::Pending, Canned::Pending]);
    let result = sim.booked(&request());
    assert_eq!(result.error.unwrap().code, ErrorCode::Timeout);
    assert!(result.compensated);
    assert_eq!(sim.endpoints(), ["create", "poll", "poll", "compensate"]);
}

#[test]
fn a_slow_answer_within_the_timeout_completes() {
    let mut sim = Sim::new(config()).script("create", &[Canned::Slow(1500)]);
    let result = sim.booked(&request());
    assert_eq!(result.state, State::Completed);
    assert_eq!(result.duration_ms, 1500);
}

#[test]
fn the_overall_deadline_bounds_every_attempt() {
    let config = ClientConfig {
        deadline_ms: 3000,
        attempt_timeout_ms: 2000,
        breaker_threshold: 10,
        ..config()
    };
    let mut sim =
        Sim::drawing(config.clone(), &[0]).script("create", &[Canned::Timeout, Canned::Timeout]);
    let result = sim.booked(&request());
    let timeouts: Vec<u64> = sim.sent.iter().map(|s| s.timeout_ms).collect();
    assert_eq!(
        timeouts,
        [2000, 1000],
        "the second attempt gets only what is left"
    );
    assert_eq!(result.error.unwrap().code, ErrorCode::Timeout);
}

#[test]
fn no_retry_is_scheduled_past_the_deadline_after_a_slow_attempt() {
    // The attempt uses its whole 2 s timeout, leaving 500 ms of the 2.5 s deadline; the next
    // wait would be 999 ms: give up now with `timeout` instead of sleeping past the deadline.
    let config = ClientConfig {
        deadline_ms: 2500,
        attempt_timeout_ms: 2000,
        base_delay_ms: 1000,
        max_delay_ms: 1000,
        ..config()
    };
    let mut sim = Sim::drawing(config.clone(), &[u32::MAX]).script("create", &[Canned::Timeout]);
    let result = sim.booked(&request());
    assert!(sim.waits().is_empty());
    assert_eq!(sim.count("create"), 1);
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::Timeout);
    assert_eq!(error.cause.as_ref().unwrap().code, ErrorCode::Timeout);
}
