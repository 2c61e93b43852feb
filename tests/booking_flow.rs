//! The appointment client stepped one attempt at a time: a manual clock, a scripted provider,
//! exact waits. Each test names the behaviour it pins down.

#[path = "native/harness.rs"]
mod harness;

use harness::*;
use raptor_secondary::booking::breaker::BreakerState;
use raptor_secondary::booking::outbox::OutboxStatus;
use raptor_secondary::booking::{ClientConfig, State};
use raptor_secondary::ErrorCode;
use std::task::Poll;

#[test]
fn healthy_booking_creates_once_then_publishes_its_event() {
    let env = ManualEnv::new();
    let script = Script::new(&env);
    let client = client(&env, &script, config());
    let result = run(&env, client.book(&keyed("key-healthy-0001"), None));
    assert_eq!(result.state, State::Completed);
    assert_eq!(result.appointment_id.as_deref(), Some("apt_1"));
    assert_eq!((result.attempts, result.retries), (1, 0));
    assert_eq!(script.endpoints(), ["create", "publish"]);
    let calls = script.calls.borrow();
    assert_eq!(calls[0].key, "key-healthy-0001");
    assert_eq!(calls[1].key, "key-healthy-0001:event");
    assert_eq!(calls[0].timeout_ms, 5000);
    assert_eq!(client.outbox()[0].status, OutboxStatus::Published);
    assert_eq!(
        env.events(),
        [
            "booking.requested",
            "state.changed",
            "attempt.started",
            "attempt.succeeded",
            "appointment.confirmed",
            "outbox.written",
            "attempt.started",
            "attempt.succeeded",
            "outbox.published",
            "state.changed",
            "booking.completed"
        ]
    );
}

#[test]
fn retries_step_by_step_with_exact_backoff_and_the_same_key() {
    let env = ManualEnv::new();
    // u32::MAX draws: each wait is one below its ceiling (100, 200 ms).
    env.draws.borrow_mut().extend([u32::MAX, u32::MAX]);
    let script = Script::new(&env).with("create", &[Reply::Status(503), Reply::Network]);
    let client = client(&env, &script, config());
    let raw = keyed("key-retry-00001");
    let mut booking = Box::pin(client.book(&raw, None));

    assert!(poll_once(&mut booking).is_pending());
    assert_eq!(script.count("create"), 1);
    assert_eq!(*env.sleeps.borrow(), [99]);

    env.advance(98);
    assert!(poll_once(&mut booking).is_pending(), "never early");
    assert_eq!(script.count("create"), 1);

    env.advance(1);
    assert!(poll_once(&mut booking).is_pending());
    assert_eq!(script.count("create"), 2);
    assert_eq!(*env.sleeps.borrow(), [99, 199]);

    env.advance(199);
    let Poll::Ready(result) = poll_once(&mut booking) else {
        panic!("should finish")
    };
    assert_eq!(result.state, State::Completed);
    assert_eq!((result.attempts, result.retries), (3, 2));
    let keys: Vec<String> = script
        .calls
        .borrow()
        .iter()
        .filter(|c| c.endpoint == "create")
        .map(|c| c.key.clone())
        .collect();
    assert_eq!(keys, ["key-retry-00001"; 3]);
}

#[test]
fn a_replay_of_a_finished_key_calls_nothing() {
    let env = ManualEnv::new();
    let script = Script::new(&env).with("create", &[Reply::Status(500)]);
    let client = client(&env, &script, config());
    let first = run(&env, client.book(&keyed("key-replay-0001"), None));
    assert_eq!((first.state, first.retries), (State::Completed, 1));
    let calls = script.calls.borrow().len();

    let again = run(&env, client.book(&keyed("key-replay-0001"), None));
    assert!(again.idempotent_replay);
    assert_eq!(again.appointment_id, first.appointment_id);
    assert_eq!(again.attempts, 0);
    assert_ne!(again.correlation_id, first.correlation_id);

    // Without a key, the same payload finds the booking too (a second click after the first
    // finished does not book twice).
    let unkeyed = run(&env, client.book(&request(), None));
    assert!(unkeyed.idempotent_replay);
    assert_eq!(unkeyed.idempotency_key, "key-replay-0001");
    assert_eq!(script.calls.borrow().len(), calls);
    assert_eq!(client.metrics().idempotent_hits, 2);
}

#[test]
fn a_key_reused_with_another_payload_is_refused() {
    let env = ManualEnv::new();
    let script = Script::new(&env);
    let client = client(&env, &script, config());
    run(&env, client.book(&keyed("key-reuse-00001"), None));
    let mut other = keyed("key-reuse-00001");
    other.duration_minutes = Some(raptor_secondary::booking::scalar::Scalar::Number(45.0));
    let refused = run(&env, client.book(&other, None));
    assert_eq!(refused.state, State::Failed);
    assert_eq!(refused.error.unwrap().code, ErrorCode::IdempotencyKeyReused);
    assert_eq!(script.count("create"), 1);
}

#[test]
fn a_double_click_joins_the_booking_in_flight() {
    let env = ManualEnv::new();
    env.draws.borrow_mut().extend([u32::MAX]);
    let script = Script::new(&env).with("create", &[Reply::Status(503)]);
    let client = client(&env, &script, config());
    let raw = request();
    let mut first = Box::pin(client.book(&raw, Some("book-appointment")));
    let mut second = Box::pin(client.book(&raw, Some("book-appointment")));
    assert!(poll_once(&mut first).is_pending(), "waiting to retry");
    assert!(poll_once(&mut second).is_pending(), "joined");
    env.advance(99);
    let Poll::Ready(a) = poll_once(&mut first) else {
        panic!()
    };
    let Poll::Ready(b) = poll_once(&mut second) else {
        panic!()
    };
    assert_eq!(
        script.count("create"),
        2,
        "one failed attempt and one retry, nothing for the second click"
    );
    assert_eq!((a.state, b.state), (State::Completed, State::Completed));
    assert!(!a.idempotent_replay && b.idempotent_replay);
    assert_eq!(a.idempotency_key, b.idempotency_key);
    assert_eq!(a.appointment_id, b.appointment_id);
    assert!(env.events().contains(&"idempotency.joined"));
}

#[test]
fn retry_after_is_honoured_and_never_early() {
    let env = ManualEnv::new();
    env.draws.borrow_mut().extend([0]);
    let script = Script::new(&env).with("create", &[Reply::RetryAfter(429, "2")]);
    let client = client(&env, &script, config());
    let raw = request();
    let mut booking = Box::pin(client.book(&raw, None));
    assert!(poll_once(&mut booking).is_pending());
    assert_eq!(*env.sleeps.borrow(), [2000], "max(hint 2000, backoff 0)");
    env.advance(1999);
    assert!(poll_once(&mut booking).is_pending());
    assert_eq!(script.count("create"), 1);
    env.advance(1);
    assert!(matches!(poll_once(&mut booking), Poll::Ready(r) if r.state == State::Completed));
}

#[test]
fn a_retry_after_beyond_the_limit_ends_retrying() {
    let env = ManualEnv::new();
    let script = Script::new(&env).with("create", &[Reply::RetryAfter(503, "3600")]);
    let client = client(&env, &script, config());
    let result = run(&env, client.book(&request(), None));
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::RetryExhausted);
    assert_eq!(error.cause.unwrap().code, ErrorCode::ProviderUnavailable);
    assert_eq!(script.count("create"), 1);
    assert!(env.sleeps.borrow().is_empty());
}

#[test]
fn timeouts_exhaust_retries_then_the_breaker_short_circuits_and_recovers() {
    let env = ManualEnv::new();
    let config = ClientConfig {
        attempts: 2,
        breaker_threshold: 2,
        attempt_timeout_ms: 1000,
        ..config()
    };
    let script = Script::new(&env).with("create", &[Reply::Timeout, Reply::Timeout]);
    let client = client(&env, &script, config);

    let first = run(&env, client.book(&keyed("key-timeout-001"), None));
    let error = first.error.clone().unwrap();
    assert_eq!(error.code, ErrorCode::RetryExhausted);
    assert_eq!(error.cause.unwrap().code, ErrorCode::Timeout);
    assert_eq!(first.attempts, 2);
    assert!(matches!(client.breaker_state(), BreakerState::Open { .. }));

    // Another booking while open: no provider call.
    let mut other = request();
    other.slot_start = Some(raptor_secondary::booking::scalar::Scalar::Text(
        "2026-12-01T09:30:00Z".into(),
    ));
    let rejected = run(&env, client.book(&other, None));
    assert_eq!(rejected.error.unwrap().code, ErrorCode::CircuitOpen);
    assert_eq!(rejected.attempts, 0);
    assert_eq!(script.count("create"), 2);

    // After the cool-down the next call is the probe; it succeeds and closes the breaker.
    env.advance(5000);
    let probe = run(&env, client.book(&other, None));
    assert_eq!(probe.state, State::Completed);
    assert_eq!(client.breaker_state(), BreakerState::Closed { failures: 0 });
    assert_eq!(client.metrics().breaker_opens, 1);
    let transitions: Vec<(&str, &str)> = env
        .logs
        .borrow()
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
fn a_failed_probe_reopens_the_breaker() {
    let env = ManualEnv::new();
    let config = ClientConfig {
        attempts: 1,
        breaker_threshold: 1,
        ..config()
    };
    let script = Script::new(&env).with("create", &[Reply::Status(503), Reply::Status(503)]);
    let client = client(&env, &script, config);
    run(&env, client.book(&request(), None));
    env.advance(5000);
    let probe = run(&env, client.book(&request(), None));
    assert_eq!(
        probe.error.unwrap().cause.unwrap().code,
        ErrorCode::ProviderUnavailable
    );
    assert!(matches!(client.breaker_state(), BreakerState::Open { .. }));
    assert_eq!(client.metrics().breaker_opens, 2);
    let rejected = run(&env, client.book(&request(), None));
    assert_eq!(rejected.error.unwrap().code, ErrorCode::CircuitOpen);
    assert_eq!(script.count("create"), 2);
}

#[test]
fn a_failed_key_runs_again_under_the_same_key() {
    let env = ManualEnv::new();
    let config = ClientConfig {
        attempts: 1,
        ..config()
    };
    let script = Script::new(&env).with("create", &[Reply::Network]);
    let client = client(&env, &script, config);
    let failed = run(&env, client.book(&request(), None));
    assert_eq!(failed.error.unwrap().code, ErrorCode::RetryExhausted);
    let again = run(&env, client.book(&request(), None));
    assert_eq!(again.state, State::Completed);
    assert!(!again.idempotent_replay);
    assert_eq!(
        again.idempotency_key, failed.idempotency_key,
        "the provider may have acted: same key"
    );
}

#[test]
fn a_pending_booking_is_polled_until_confirmed() {
    let env = ManualEnv::new();
    let script = Script::new(&env)
        .with("create", &[Reply::Pending])
        .with("get", &[Reply::Pending]);
    let client = client(&env, &script, config());
    let result = run(&env, client.book(&request(), None));
    assert_eq!(result.state, State::Completed);
    assert_eq!(script.endpoints(), ["create", "get", "get", "publish"]);
    assert_eq!(*env.sleeps.borrow(), [500, 500]);
}

#[test]
fn a_booking_still_pending_at_its_deadline_fails_and_is_cancelled() {
    let env = ManualEnv::new();
    let config = ClientConfig {
        deadline_ms: 1200,
        ..config()
    };
    let script = Script::new(&env)
        .with("create", &[Reply::Pending])
        .with("get", &[Reply::Pending, Reply::Pending]);
    let client = client(&env, &script, config);
    let result = run(&env, client.book(&request(), None));
    assert_eq!(result.error.unwrap().code, ErrorCode::Timeout);
    assert!(result.compensated);
    assert_eq!(script.endpoints(), ["create", "get", "get", "cancel"]);
}

#[test]
fn a_slow_answer_within_the_timeout_completes() {
    let env = ManualEnv::new();
    let script = Script::new(&env).with("create", &[Reply::Slow(1500)]);
    let client = client(&env, &script, config());
    let result = run(&env, client.book(&request(), None));
    assert_eq!(result.state, State::Completed);
    assert_eq!(result.duration_ms, 1500);
}

#[test]
fn the_overall_deadline_bounds_every_attempt() {
    let env = ManualEnv::new();
    let config = ClientConfig {
        deadline_ms: 3000,
        attempt_timeout_ms: 2000,
        breaker_threshold: 10,
        ..config()
    };
    env.draws.borrow_mut().extend([0]);
    let script = Script::new(&env).with("create", &[Reply::Timeout, Reply::Timeout]);
    let client = client(&env, &script, config);
    let result = run(&env, client.book(&request(), None));
    let timeouts: Vec<u64> = script.calls.borrow().iter().map(|c| c.timeout_ms).collect();
    assert_eq!(
        timeouts,
        [2000, 1000],
        "the second attempt gets only what is left"
    );
    assert_eq!(result.error.unwrap().code, ErrorCode::Timeout);
}

#[test]
fn an_event_that_cannot_be_published_cancels_the_appointment() {
    let env = ManualEnv::new();
    let script = Script::new(&env).with(
        "publish",
        &[Reply::Status(503), Reply::Status(503), Reply::Status(503)],
    );
    let client = client(&env, &script, config());
    let result = run(&env, client.book(&keyed("key-outbox-0001"), None));
    assert_eq!(result.state, State::Failed);
    assert!(result.compensated);
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::OutboxPublishFailed);
    assert_eq!(error.cause.unwrap().code, ErrorCode::RetryExhausted);
    assert_eq!(result.appointment_id.as_deref(), Some("apt_1"));
    assert_eq!(
        script.endpoints(),
        ["create", "publish", "publish", "publish", "cancel"]
    );
    assert_eq!(script.calls.borrow()[4].key, "key-outbox-0001:cancel");
    assert_eq!(client.outbox()[0].status, OutboxStatus::Compensated);
    assert_eq!(client.metrics().compensations, 1);
    assert_eq!(
        client.breaker_state(),
        BreakerState::Closed { failures: 0 },
        "follow-ups do not feed the breaker"
    );
}

#[test]
fn a_failed_compensation_is_flagged_for_reconciliation() {
    let env = ManualEnv::new();
    let config = ClientConfig {
        attempts: 1,
        ..config()
    };
    let script = Script::new(&env)
        .with("publish", &[Reply::Status(500)])
        .with("cancel", &[Reply::Status(500)]);
    let client = client(&env, &script, config);
    let result = run(&env, client.book(&request(), None));
    assert!(!result.compensated);
    assert_eq!(result.error.unwrap().code, ErrorCode::OutboxPublishFailed);
    assert_eq!(client.outbox()[0].status, OutboxStatus::NeedsReconciliation);
    assert_eq!(client.metrics().reconciliations, 1);
    assert!(env.events().contains(&"reconciliation.needed"));
}

#[test]
fn a_refusal_is_not_retried_and_is_replayed() {
    let env = ManualEnv::new();
    let script = Script::new(&env).with("create", &[Reply::Status(422)]);
    let client = client(&env, &script, config());
    let result = run(&env, client.book(&request(), None));
    let error = result.error.unwrap();
    assert_eq!(
        (error.code, error.status),
        (ErrorCode::ProviderRejected, Some(422))
    );
    assert_eq!(script.count("create"), 1);
    assert!(run(&env, client.book(&request(), None)).idempotent_replay);
    assert_eq!(script.count("create"), 1);
}

#[test]
fn invalid_requests_and_unknown_actions_never_reach_the_provider() {
    let env = ManualEnv::new();
    let script = Script::new(&env);
    let client = client(&env, &script, config());
    let mut bad = request();
    bad.patient_email = None;
    let result = run(&env, client.book(&bad, None));
    let error = result.error.unwrap();
    assert_eq!(
        (error.code, error.field),
        (ErrorCode::InvalidRequest, Some("patientEmail"))
    );
    let unknown = run(&env, client.handle("delete-everything", &request()));
    assert_eq!(unknown.error.unwrap().code, ErrorCode::UnknownAction);
    assert_eq!(unknown.operation, None);
    assert!(script.calls.borrow().is_empty());
    let m = client.metrics();
    assert_eq!((m.bookings, m.failed, m.completed), (2, 2, 0));
}

#[test]
fn handle_routes_cancel_clicks() {
    let env = ManualEnv::new();
    let script = Script::new(&env);
    let client = client(&env, &script, config());
    let mut raw = request();
    raw.appointment_id = Some(raptor_secondary::booking::scalar::Scalar::Text(
        "apt_1".into(),
    ));
    let result = run(&env, client.handle("cancel-appointment", &raw));
    assert_eq!(result.state, State::Completed);
    assert_eq!(script.calls.borrow()[0].key, "cancel:apt_1");
    assert_eq!(result.action_label.as_deref(), Some("cancel-appointment"));
}

#[test]
fn an_abandoned_booking_releases_the_calls_that_joined_it() {
    let env = ManualEnv::new();
    let script = Script::new(&env).with("create", &[Reply::Status(503)]);
    let client = client(&env, &script, config());
    let raw = request();
    let mut first = Box::pin(client.book(&raw, None));
    let mut second = Box::pin(client.book(&raw, None));
    assert!(poll_once(&mut first).is_pending());
    assert!(poll_once(&mut second).is_pending());
    drop(first);
    let Poll::Ready(joined) = poll_once(&mut second) else {
        panic!("released")
    };
    assert_eq!(joined.error.unwrap().code, ErrorCode::Timeout);
    // The key is free to run again.
    let again = run(&env, client.book(&request(), None));
    assert_eq!(again.state, State::Completed);
}

#[test]
fn every_record_carries_ids_and_no_personal_data() {
    let env = ManualEnv::new();
    let script = Script::new(&env)
        .with("create", &[Reply::Status(503)])
        .with(
            "publish",
            &[Reply::Status(500), Reply::Status(500), Reply::Status(500)],
        );
    let client = client(&env, &script, config());
    run(&env, client.handle("book-appointment", &request()));
    let logs = env.json_logs();
    assert!(logs.len() > 10);
    for line in &logs {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for field in [
            "ts",
            "level",
            "event",
            "correlation_id",
            "idempotency_key",
            "action_label",
            "attempt",
            "retries",
            "appointment_id",
            "state",
            "error_code",
            "duration_ms",
        ] {
            assert!(v.get(field).is_some(), "{field} missing in {line}");
        }
        assert!(!v["correlation_id"].as_str().unwrap().is_empty());
        assert!(!v["idempotency_key"].as_str().unwrap().is_empty());
        assert_eq!(v["action_label"], "book-appointment");
        assert!(
            v["ts"].as_str().unwrap().starts_with("2026-11-23T08:00:"),
            "{line}"
        );
        for secret in [
            "Jane",
            "Doe",
            "jane.doe",
            "example.org",
            "7946",
            "0958",
            "penicillin",
        ] {
            assert!(!line.contains(secret), "{secret} leaked: {line}");
        }
    }
    let requested = &logs[0];
    assert!(
        requested.contains("J*** D***") && requested.contains("j***@e***.org"),
        "{requested}"
    );
}

#[test]
fn no_retry_is_scheduled_past_the_deadline_after_a_slow_attempt() {
    let env = ManualEnv::new();
    env.draws.borrow_mut().extend([u32::MAX]);
    // The attempt uses its whole 2 s timeout, leaving 500 ms of the 2.5 s deadline; the next
    // wait would be 999 ms: give up now with `timeout` instead of sleeping past the deadline.
    let config = ClientConfig {
        deadline_ms: 2500,
        attempt_timeout_ms: 2000,
        base_delay_ms: 1000,
        max_delay_ms: 1000,
        ..config()
    };
    let script = Script::new(&env).with("create", &[Reply::Timeout]);
    let client = client(&env, &script, config);
    let raw = request();
    let mut booking = Box::pin(client.book(&raw, None));
    let Poll::Ready(result) = poll_once(&mut booking) else {
        panic!("should give up at once, slept {:?}", env.sleeps.borrow())
    };
    assert!(env.sleeps.borrow().is_empty());
    assert_eq!(script.count("create"), 1);
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::Timeout);
    assert_eq!(error.cause.unwrap().code, ErrorCode::Timeout);
}

/// A page going away: its booking future is never polled again and runs no destructor.
fn close_page<F>(future: std::pin::Pin<Box<F>>) {
    std::mem::forget(future);
}

#[test]
fn a_reload_mid_booking_resumes_under_the_same_key() {
    let env = ManualEnv::new();
    env.persist.set(true);
    let script = Script::new(&env).with("create", &[Reply::Status(503)]);
    let raw = request();
    let first = client(&env, &script, config());
    let mut booking = Box::pin(first.book(&raw, Some("book-appointment")));
    assert!(
        poll_once(&mut booking).is_pending(),
        "waiting to retry when the page goes away"
    );
    let key = script.calls.borrow()[0].key.clone();
    close_page(booking);

    let second = client(&env, &script, config());
    let restored = second.restored();
    assert_eq!((restored.enabled, restored.records), (true, 1));
    let result = run(&env, second.book(&raw, Some("book-appointment")));
    assert_eq!(result.state, State::Completed);
    assert_eq!(result.idempotency_key, key, "the same key after the reload");
    let keys: Vec<String> = script
        .calls
        .borrow()
        .iter()
        .filter(|c| c.endpoint == "create")
        .map(|c| c.key.clone())
        .collect();
    assert_eq!(keys, [key.clone(), key]);

    // A third page replays the finished booking without calling the provider.
    let third = client(&env, &script, config());
    let calls = script.calls.borrow().len();
    assert!(run(&env, third.book(&raw, None)).idempotent_replay);
    assert_eq!(script.calls.borrow().len(), calls);
}

#[test]
fn an_event_left_pending_by_a_closed_page_is_published_by_the_next() {
    let env = ManualEnv::new();
    env.persist.set(true);
    let script = Script::new(&env).with("publish", &[Reply::Status(503)]);
    let raw = request();
    let first = client(&env, &script, config());
    let mut booking = Box::pin(first.book(&raw, None));
    assert!(
        poll_once(&mut booking).is_pending(),
        "the event's retry is waiting"
    );
    close_page(booking);

    let second = client(&env, &script, config());
    assert_eq!(second.restored().pending, 1);
    assert_eq!(second.outbox()[0].status, OutboxStatus::Pending);
    assert_eq!(run(&env, second.flush_outbox()), (1, 0));
    assert_eq!(second.outbox()[0].status, OutboxStatus::Published);
    assert_eq!(script.count("publish"), 2);
    assert_eq!(
        client(&env, &script, config()).restored().pending,
        0,
        "saved as published"
    );
}

#[test]
fn without_a_storage_nothing_is_saved_or_restored() {
    let env = ManualEnv::new();
    let script = Script::new(&env);
    run(&env, client(&env, &script, config()).book(&request(), None));
    assert!(env.storage.borrow().is_none());
    assert!(!client(&env, &script, config()).restored().enabled);
}
