//! The booking core stepped one input at a time: a manual clock, a scripted provider, the
//! exact commands that come out. Each test names the behaviour it pins down.

#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::*;
use raptor_secondary_core::booking::policy::breaker::BreakerState;
use raptor_secondary_core::booking::store::outbox::OutboxStatus;
use raptor_secondary_core::booking::wire::scalar::Scalar;
use raptor_secondary_core::booking::{Answer, ClientConfig, Command, Input, State, Step};
use raptor_secondary_core::json::ToJson;
use raptor_secondary_core::ErrorCode;

#[test]
fn healthy_booking_creates_once_then_publishes_its_event() {
    let mut sim = Sim::new(config());
    let result = sim.booked(&keyed("key-healthy-0001"));
    assert_eq!(result.state, State::Completed);
    assert_eq!(result.appointment_id.as_deref(), Some("apt_1"));
    assert_eq!((result.attempts, result.retries), (1, 0));
    assert_eq!(sim.endpoints(), ["create", "publish"]);
    assert_eq!(sim.sent[0].key, "key-healthy-0001");
    assert_eq!(sim.sent[1].key, "key-healthy-0001:event");
    assert_eq!(sim.sent[0].timeout_ms, 5000);
    assert_eq!(sim.sent[0].url, "/api/v2/appointments");
    assert_eq!(sim.sent[1].url, "/api/v2/events");
    assert_eq!(sim.client.outbox()[0].status, OutboxStatus::Published);
    assert_eq!(
        sim.events(),
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
fn one_input_yields_exactly_these_commands() {
    let mut client =
        raptor_secondary_core::booking::Client::new(config(), Scripted::default(), START);
    client.handle(START, Input::Loaded { json: None });
    assert_eq!(client.poll(), None, "loading an empty storage says nothing");
    client.handle(
        START,
        Input::Book {
            id: 7,
            request: keyed("key-exact-00001"),
        },
    );
    // With a storage, the payload is claimed across tabs first; nothing else happens before.
    let Some(Command::Claim {
        claim,
        lock,
        read,
        wait: true,
    }) = client.poll()
    else {
        panic!("a claim that waits first")
    };
    assert_eq!((client.poll(), lock.len(), &read), (None, 2 + 16, &lock));
    let granted = Input::Claimed {
        claim,
        saved: None,
        granted: true,
    };
    client.handle(START, granted);
    let mut kinds = Vec::new();
    let mut send = None;
    while let Some(command) = client.poll() {
        kinds.push(match &command {
            Command::Save { name, .. } => format!("save {}", &name[..2]),
            Command::Log { record } => record.event.to_string(),
            Command::Send(s) => {
                send = Some(s.clone());
                "send".to_string()
            }
            other => panic!("unexpected {other:?}"),
        });
    }
    assert_eq!(
        kinds,
        [
            "booking.requested",
            "save p:",
            "state.changed",
            "attempt.started",
            "send"
        ],
        "the record is saved in flight before the create is sent"
    );
    let send = send.unwrap();
    assert_eq!(
        (send.step, send.method, send.key.as_str(), send.timeout_ms),
        (Step::Create, "POST", "key-exact-00001", 5000)
    );
    assert!(send
        .body
        .as_deref()
        .unwrap()
        .starts_with(r#"{"calendarId":"cal_dr-smith","#));
    assert_eq!(
        client.poll_timeout(),
        Some(START + 5000),
        "the attempt's timeout"
    );

    // Nothing is due before then: spurious and early wake-ups change nothing.
    client.handle(START + 10, Input::Timer);
    client.handle(START + 4999, Input::Timer);
    assert_eq!(client.poll(), None);
    // Time never goes back: an earlier `now` counts as the latest seen.
    client.handle(START, Input::Timer);
    assert_eq!(client.poll_timeout(), Some(START + 5000));

    let answer = Answer::Ok {
        id: Some("apt_9".into()),
        status: Some("confirmed".into()),
        status_url: None,
    };
    client.handle(
        START + 20,
        Input::Answer {
            call: send.call,
            answer: answer.clone(),
        },
    );
    let mut events = Vec::new();
    while let Some(command) = client.poll() {
        if let Command::Log { record } = command {
            events.push(record.event);
        }
    }
    assert_eq!(
        &events[..3],
        [
            "attempt.succeeded",
            "appointment.confirmed",
            "outbox.written"
        ]
    );
    // A second answer to the same call (a late or duplicated one) changes nothing.
    client.handle(
        START + 21,
        Input::Answer {
            call: send.call,
            answer,
        },
    );
    assert_eq!(client.poll(), None);
}

#[test]
fn a_wake_up_at_now_with_output_queued_does_not_spin() {
    let mut client =
        raptor_secondary_core::booking::Client::new(config(), Scripted::default(), START);
    client.handle(
        START,
        Input::Book {
            id: 1,
            request: request(),
        },
    );
    assert_eq!(
        client.poll_timeout(),
        Some(START),
        "output is queued: wake now"
    );
    while client.poll().is_some() {}
    let next = client.poll_timeout().unwrap();
    assert!(next > START, "drained: the next wake-up is in the future");
    client.handle(next, Input::Timer);
    let mut aborted = false;
    while let Some(command) = client.poll() {
        aborted |= matches!(command, Command::Abort { .. });
    }
    assert!(aborted, "the attempt timed out and was aborted");
    assert!(
        client.poll_timeout().unwrap() > next,
        "after the wake-up, nothing is due at once"
    );
}

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
fn a_replay_of_a_finished_key_calls_nothing() {
    let mut sim = Sim::new(config()).script("create", &[Canned::Status(500)]);
    let first = sim.booked(&keyed("key-replay-0001"));
    assert_eq!((first.state, first.retries), (State::Completed, 1));
    let calls = sim.sent.len();

    let again = sim.booked(&keyed("key-replay-0001"));
    assert!(again.idempotent_replay);
    assert_eq!(again.appointment_id, first.appointment_id);
    assert_eq!(again.attempts, 0);
    assert_ne!(again.correlation_id, first.correlation_id);

    // Without a key, the same payload finds the booking too.
    let unkeyed = sim.booked(&request());
    assert!(unkeyed.idempotent_replay);
    assert_eq!(unkeyed.idempotency_key, "key-replay-0001");
    assert_eq!(sim.sent.len(), calls);
    assert_eq!(sim.client.metrics().idempotent_hits, 2);
}

#[test]
fn a_key_reused_with_another_payload_is_refused() {
    let mut sim = Sim::new(config());
    sim.booked(&keyed("key-reuse-00001"));
    let mut other = keyed("key-reuse-00001");
    other.duration_minutes = Some(Scalar::Number(45.0));
    let refused = sim.booked(&other);
    assert_eq!(refused.state, State::Failed);
    assert_eq!(refused.error.unwrap().code, ErrorCode::IdempotencyKeyReused);
    assert_eq!(sim.count("create"), 1);
}

#[test]
fn a_double_click_joins_the_booking_in_flight() {
    let mut sim = Sim::drawing(config(), &[u32::MAX]).script("create", &[Canned::Status(503)]);
    let first = sim.handle("book-appointment", &request());
    let second = sim.handle("book-appointment", &request());
    assert!(sim.result(first).is_none() && sim.result(second).is_none());
    sim.advance(99);
    let (a, b) = (
        sim.result(first).unwrap().clone(),
        sim.result(second).unwrap().clone(),
    );
    assert_eq!(
        sim.count("create"),
        2,
        "one failed attempt and one retry, nothing for the second click"
    );
    assert_eq!((a.state, b.state), (State::Completed, State::Completed));
    assert!(!a.idempotent_replay && b.idempotent_replay);
    assert_eq!(a.idempotency_key, b.idempotency_key);
    assert_eq!(a.appointment_id, b.appointment_id);
    assert!(sim.events().contains(&"idempotency.joined"));
}

/// Issue 16: with a storage, the second of two clicks in one tick claimed the payload too and
/// waited for the first's lock; the first ended compensated (its record no longer found by
/// payload), so the second minted a key and booked again. It must join, whatever the end.
#[test]
fn a_double_click_in_one_tick_with_storage_joins_even_when_the_booking_ends_compensated() {
    let mut sim = Sim::stored(config()).script(
        "publish",
        &[
            Canned::Status(503),
            Canned::Status(503),
            Canned::Status(503),
        ],
    );
    let ids = sim.book_together(&[request(), request()]);
    let (a, b) = (sim.run(ids[0]), sim.run(ids[1]));
    assert_eq!(
        sim.endpoints(),
        ["create", "publish", "publish", "publish", "compensate"],
        "one booking, whatever its end"
    );
    assert_eq!(a.idempotency_key, b.idempotency_key);
    assert_eq!((a.state, b.state), (State::Failed, State::Failed));
    assert!(a.compensated && b.compensated);
    assert_eq!(a.appointment_id, b.appointment_id);
    assert!(!a.idempotent_replay && b.idempotent_replay);
    let claims = sim.storage.as_ref().unwrap().claims;
    assert_eq!(claims, (1, 1), "one claim, taken and let go");
}

/// The same with a booking that completes, and a third click while the first two wait.
#[test]
fn clicks_made_while_the_claim_is_pending_join_the_first_one() {
    let mut sim = Sim::stored(config());
    let ids = sim.book_together(&[request(), request(), request()]);
    let results: Vec<_> = ids.iter().map(|id| sim.run(*id)).collect();
    assert_eq!(sim.endpoints(), ["create", "publish"]);
    assert!(results.iter().all(|r| r.state == State::Completed
        && r.idempotency_key == results[0].idempotency_key
        && r.appointment_id == results[0].appointment_id));
    let replays: Vec<bool> = results.iter().map(|r| r.idempotent_replay).collect();
    assert_eq!(replays, [false, true, true]);
    let claims = sim.storage.as_ref().unwrap().claims;
    assert_eq!(claims, (1, 1), "the clicks after the first claim nothing");
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
    assert_eq!(error.cause.unwrap().code, ErrorCode::ProviderUnavailable);
    assert_eq!(sim.count("create"), 1);
    assert!(sim.waits().is_empty());
}

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
    assert_eq!(error.cause.unwrap().code, ErrorCode::Timeout);
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
        probe.error.unwrap().cause.unwrap().code,
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

#[test]
fn a_failed_key_runs_again_under_the_same_key() {
    let config = ClientConfig {
        attempts: 1,
        ..config()
    };
    let mut sim = Sim::new(config).script("create", &[Canned::Network]);
    let failed = sim.booked(&request());
    assert_eq!(failed.error.unwrap().code, ErrorCode::RetryExhausted);
    let again = sim.booked(&request());
    assert_eq!(again.state, State::Completed);
    assert!(!again.idempotent_replay);
    assert_eq!(
        again.idempotency_key, failed.idempotency_key,
        "the provider may have acted: same key"
    );
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
fn an_event_that_cannot_be_published_cancels_the_appointment() {
    let mut sim = Sim::new(config()).script(
        "publish",
        &[
            Canned::Status(503),
            Canned::Status(503),
            Canned::Status(503),
        ],
    );
    let result = sim.booked(&keyed("key-outbox-0001"));
    assert_eq!(result.state, State::Failed);
    assert!(result.compensated);
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::OutboxPublishFailed);
    assert_eq!(error.cause.unwrap().code, ErrorCode::RetryExhausted);
    assert_eq!(result.appointment_id.as_deref(), Some("apt_1"));
    assert_eq!(
        sim.endpoints(),
        ["create", "publish", "publish", "publish", "compensate"]
    );
    assert_eq!(sim.sent[4].key, "key-outbox-0001:cancel");
    assert_eq!(sim.sent[4].url, "/api/v2/appointments/apt_1/cancel");
    let bodies: Vec<&str> = sim.sent[1..4]
        .iter()
        .map(|s| s.body.as_deref().unwrap())
        .collect();
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "every try sends the same bytes"
    );
    assert_eq!(sim.client.outbox()[0].status, OutboxStatus::Compensated);
    assert_eq!(sim.client.metrics().compensations, 1);
    assert_eq!(
        sim.client.breaker_state(),
        BreakerState::Closed { failures: 0 },
        "follow-ups do not feed the breaker"
    );
}

#[test]
fn a_failed_compensation_is_flagged_for_reconciliation() {
    let config = ClientConfig {
        attempts: 1,
        ..config()
    };
    let mut sim = Sim::new(config)
        .script("publish", &[Canned::Status(500)])
        .script("compensate", &[Canned::Status(500)]);
    let result = sim.booked(&request());
    assert!(!result.compensated);
    assert_eq!(result.error.unwrap().code, ErrorCode::OutboxPublishFailed);
    assert_eq!(
        sim.client.outbox()[0].status,
        OutboxStatus::NeedsReconciliation
    );
    assert_eq!(sim.client.metrics().reconciliations, 1);
    assert!(sim.events().contains(&"reconciliation.needed"));
}

#[test]
fn a_run_that_meets_an_appointment_an_earlier_run_gave_up_cancels_it_again() {
    // The first run could not publish its event nor cancel its appointment: flagged for
    // reconciliation, the appointment still live at the provider.
    let config = ClientConfig {
        attempts: 1,
        idempotency_ttl_ms: 1000,
        ..config()
    };
    let mut sim = Sim::new(config)
        .script("create", &[Canned::Confirmed, Canned::ConfirmedAs("apt_1")])
        .script("publish", &[Canned::Status(500)])
        .script("compensate", &[Canned::Status(500)]);
    let first = sim.booked(&keyed("key-given-up-01"));
    assert_eq!(first.error.unwrap().code, ErrorCode::OutboxPublishFailed);
    assert_eq!(
        sim.client.outbox()[0].status,
        OutboxStatus::NeedsReconciliation
    );

    // Its idempotency record expires; the outbox entry stays. The same key books again and
    // the provider replays the key's first answer: the same appointment, confirmed.
    sim.now += 5000;
    let again = sim.booked(&keyed("key-given-up-01"));
    assert_eq!(again.appointment_id.as_deref(), Some("apt_1"));
    assert_eq!(again.state, State::Failed, "the run cannot keep it");
    assert!(again.compensated, "so it cancels it, another chance");
    let cancels: Vec<_> = sim
        .sent
        .iter()
        .filter(|s| s.step == Step::Compensate)
        .collect();
    assert_eq!(cancels.len(), 2);
    assert_eq!(cancels[1].key, "key-given-up-01:cancel");
    assert_eq!(cancels[1].url, "/api/v2/appointments/apt_1/cancel");
    assert_eq!(sim.client.outbox()[0].status, OutboxStatus::Compensated);
}

#[test]
fn a_422_on_the_event_under_its_own_key_keeps_the_appointment() {
    let mut sim = Sim::new(config()).script("publish", &[Canned::Status(422)]);
    let result = sim.booked(&request());
    assert_eq!(
        result.state,
        State::Completed,
        "the provider holds an event for this booking"
    );
    assert!(!result.compensated);
    assert_eq!(sim.endpoints(), ["create", "publish"]);
    assert_eq!(sim.client.outbox()[0].status, OutboxStatus::Published);
    let record = sim
        .logs
        .iter()
        .find(|r| r.event == "outbox.published")
        .unwrap();
    assert_eq!(record.status, Some(422));
}

#[test]
fn a_refusal_is_not_retried_and_is_replayed() {
    let mut sim = Sim::new(config()).script("create", &[Canned::Status(422)]);
    let result = sim.booked(&request());
    let error = result.error.unwrap();
    assert_eq!(
        (error.code, error.status),
        (ErrorCode::ProviderRejected, Some(422))
    );
    assert_eq!(error.message, "the provider answered 422");
    assert_eq!(sim.count("create"), 1);
    assert!(sim.booked(&request()).idempotent_replay);
    assert_eq!(sim.count("create"), 1);
}

#[test]
fn invalid_requests_and_unknown_actions_never_reach_the_provider() {
    let mut sim = Sim::new(config());
    let mut bad = request();
    bad.patient_email = None;
    let result = sim.booked(&bad);
    let error = result.error.unwrap();
    assert_eq!(
        (error.code, error.field),
        (ErrorCode::InvalidRequest, Some("patientEmail"))
    );
    let id = sim.handle("delete-everything", &request());
    let unknown = sim.run(id);
    assert_eq!(unknown.error.unwrap().code, ErrorCode::UnknownAction);
    assert_eq!(unknown.operation, None);
    assert!(sim.sent.is_empty());
    let m = sim.client.metrics();
    assert_eq!((m.bookings, m.failed, m.completed), (2, 2, 0));
}

#[test]
fn handle_routes_cancel_clicks() {
    let mut sim = Sim::new(config());
    let mut raw = request();
    raw.appointment_id = Some(Scalar::Text("apt_1".into()));
    let id = sim.handle("cancel-appointment", &raw);
    let result = sim.run(id);
    assert_eq!(result.state, State::Completed);
    assert_eq!(sim.sent[0].key, "cancel:apt_1");
    assert_eq!(sim.sent[0].step, Step::Cancel);
    assert_eq!(result.action_label.as_deref(), Some("cancel-appointment"));
}

#[test]
fn an_abandoned_booking_answers_the_calls_that_joined_it() {
    let mut sim = Sim::new(config()).script("create", &[Canned::Status(503)]);
    let first = sim.book(&request());
    let second = sim.book(&request());
    sim.abandon(first);
    let abandoned = sim.result(first).cloned().expect("answered at once");
    assert_eq!(abandoned.error.unwrap().code, ErrorCode::Timeout);
    let joined = sim.result(second).cloned().expect("released");
    assert_eq!(joined.error.unwrap().code, ErrorCode::Timeout);
    assert_eq!(sim.client.poll_timeout(), None, "nothing left waiting");
    // The key is free to run again.
    let again = sim.booked(&request());
    assert_eq!(again.state, State::Completed);
}

#[test]
fn an_abandoned_booking_with_an_appointment_keeps_it_and_finishes_in_the_background() {
    let mut sim = Sim::new(config()).script("publish", &[Canned::Status(503)]);
    let id = sim.book(&request());
    assert_eq!(
        sim.endpoints(),
        ["create", "publish"],
        "publishing, waiting to retry"
    );
    sim.abandon(id);
    let answered = sim.result(id).cloned().unwrap();
    assert_eq!(
        answered.appointment_id.as_deref(),
        Some("apt_1"),
        "the appointment is reported"
    );
    while sim.step() {}
    assert_eq!(
        sim.client.outbox()[0].status,
        OutboxStatus::Published,
        "its event was still published"
    );
    assert_eq!(sim.count("compensate"), 0);
    assert_eq!(sim.results.len(), 1, "no second answer");
}

#[test]
fn every_record_carries_ids_and_no_personal_data() {
    let mut sim = Sim::new(config())
        .script("create", &[Canned::Status(503)])
        .script(
            "publish",
            &[
                Canned::Status(500),
                Canned::Status(500),
                Canned::Status(500),
            ],
        );
    let id = sim.handle("book-appointment", &request());
    sim.run(id);
    let logs: Vec<String> = sim.logs.iter().map(ToJson::to_json).collect();
    assert!(logs.len() > 10);
    for line in &logs {
        let v = raptor_secondary_core::json::parse(line).unwrap();
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
        assert!(!v.str_field("correlation_id").unwrap().is_empty());
        assert!(!v.str_field("idempotency_key").unwrap().is_empty());
        assert_eq!(v.str_field("action_label"), Some("book-appointment"));
        assert!(
            v.str_field("ts").unwrap().starts_with("2026-11-23T08:00:"),
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
    assert!(
        logs[0].contains("J*** D***") && logs[0].contains("j***@e***.org"),
        "{}",
        logs[0]
    );
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
    assert_eq!(error.cause.unwrap().code, ErrorCode::Timeout);
}

#[test]
fn a_reload_mid_booking_resumes_under_the_same_key() {
    let mut first = Sim::stored(config()).script("create", &[Canned::Status(503)]);
    first.handle("book-appointment", &request());
    assert!(
        first.results.is_empty(),
        "waiting to retry when the page goes away"
    );
    let key = first.sent[0].key.clone();

    let mut second = first.reload(config());
    let restored = second.client.restored();
    assert_eq!((restored.enabled, restored.records), (true, 1));
    let id = second.handle("book-appointment", &request());
    let result = second.run(id);
    assert_eq!(result.state, State::Completed);
    assert_eq!(result.idempotency_key, key, "the same key after the reload");
    assert_eq!(second.sent[0].key, key);

    // A third page replays the finished booking without calling the provider.
    let mut third = second.reload(config());
    assert!(third.booked(&request()).idempotent_replay);
    assert!(third.sent.is_empty());
}

#[test]
fn a_reload_during_the_publish_resends_the_same_event_and_keeps_the_appointment() {
    let mut first = Sim::stored(config()).script("publish", &[Canned::Timeout]);
    first.book(&request());
    let event = first
        .sent
        .iter()
        .find(|s| s.step == Step::Publish)
        .unwrap()
        .clone();
    first.now += 700;

    let mut second = first.reload(config());
    assert_eq!(second.client.restored().pending, 1);
    let result = second.booked(&request());
    assert_eq!(result.state, State::Completed);
    let resent: Vec<_> = second
        .sent
        .iter()
        .filter(|s| s.step == Step::Publish)
        .collect();
    assert_eq!(resent.len(), 1);
    assert_eq!(
        (resent[0].key.as_str(), resent[0].body.as_deref()),
        (event.key.as_str(), event.body.as_deref()),
        "byte for byte"
    );
    assert_eq!(second.count("compensate"), 0);
    let flush = second.flush();
    assert_eq!(second.flushed[&flush], (0, 0), "nothing left pending");
}

#[test]
fn an_event_left_pending_by_a_closed_page_is_published_by_the_next_on_its_own() {
    let mut first = Sim::stored(config()).script("publish", &[Canned::Status(503)]);
    first.book(&request());
    assert!(first.results.is_empty(), "the event's retry is waiting");

    // The next page drains what it loads: no flushOutbox() call.
    let mut second = first.reload(config());
    assert_eq!(second.client.restored().pending, 1);
    assert_eq!(second.client.outbox()[0].status, OutboxStatus::Published);
    assert_eq!(second.count("publish"), 1);
    let flush = second.flush();
    assert_eq!(
        second.flushed[&flush],
        (0, 0),
        "nothing left for flushOutbox()"
    );
    assert_eq!(
        second.reload(config()).client.restored().pending,
        0,
        "saved as published"
    );
}

#[test]
fn a_drain_that_finds_the_provider_down_tries_again_with_backoff_and_on_wake() {
    let mut first = Sim::stored(config()).script("publish", &[Canned::Status(503)]);
    first.book(&request());
    // The next page loads while the provider is down: three drains of three attempts each fail.
    let mut second = first.reload_scripted(config(), "publish", &vec![Canned::Status(503); 9]);
    let mut starts = vec![second.now];
    while second.count("publish") < 9 {
        let before = second.count("publish");
        assert!(
            second.step(),
            "a drain is always scheduled while the entry is pending"
        );
        if before % 3 == 0 && second.count("publish") == before + 1 {
            starts.push(second.now);
        }
    }
    assert_eq!(second.client.outbox()[0].status, OutboxStatus::Pending);
    let gaps: Vec<i64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps.len(), 2, "{starts:?}");
    assert!(
        gaps[0] >= 1_000 && gaps[1] > gaps[0],
        "backoff between drains: {gaps:?}"
    );
    assert!(
        second.client.poll_timeout().is_some(),
        "a fourth drain is scheduled"
    );
    // Coming back online drains at once; the provider is up again.
    second.input(Input::Wake);
    assert_eq!(second.count("publish"), 10);
    assert_eq!(second.client.outbox()[0].status, OutboxStatus::Published);
    assert_eq!(second.client.poll_timeout(), None, "nothing left to drain");
}

#[test]
fn flush_outbox_during_a_drain_waits_for_it_and_counts_it() {
    let mut first = Sim::stored(config()).script("publish", &[Canned::Status(503)]);
    first.book(&request());
    let mut second = first.reload_scripted(config(), "publish", &[Canned::Slow(300)]);
    assert_eq!(second.count("publish"), 1, "the load's drain is publishing");
    let flush = second.flush();
    assert!(
        !second.flushed.contains_key(&flush),
        "it waits for the drain"
    );
    assert_eq!(second.count("publish"), 1, "and sends nothing itself");
    while !second.flushed.contains_key(&flush) {
        assert!(second.step());
    }
    assert_eq!(
        second.flushed[&flush],
        (1, 0),
        "the drained event counts as published"
    );
    // A flush that waits for a drain and is abandoned is answered at once (the property test
    // found that it never was).
    let mut third = first.reload_scripted(config(), "publish", &[Canned::Slow(300)]);
    let waiting = third.flush();
    third.abandon(waiting);
    assert_eq!(
        third.flushed.get(&waiting),
        Some(&(0, 1)),
        "answered; the event stays with the drain"
    );
}

#[test]
fn after_a_compensated_booking_the_payload_books_anew() {
    let mut sim = Sim::new(config()).script("publish", &vec![Canned::Status(503); 3]);
    let first = sim.booked(&request());
    assert!(first.compensated, "{first:?}");
    // The appointment was cancelled again: the slot is free, so a click books it anew.
    let second = sim.booked(&request());
    assert_eq!(second.state, State::Completed);
    assert!(!second.idempotent_replay);
    assert_ne!(second.idempotency_key, first.idempotency_key);
    assert_eq!(sim.count("create"), 2);
    // A call under the first key still replays what happened to it.
    let keyed = sim.booked(&keyed(&first.idempotency_key));
    assert!(keyed.idempotent_replay && keyed.compensated);
}

#[test]
fn with_the_origins_secret_storage_keeps_keyed_fingerprints_and_older_records_still_replay() {
    use raptor_secondary_core::booking::store::snapshot::fingerprint_to_hex;
    let plain = fingerprint_to_hex(request().validate(START).unwrap().fingerprint());
    // A record saved before the origin had a secret (an earlier build): a plain fingerprint.
    let mut before = Sim::stored(config());
    let first = before.booked(&request());
    let origin = before.storage.clone().unwrap();
    assert!(origin.items.contains_key(&["p:", &plain].concat()));
    // The next page has a secret: the old record is still found, and replayed.
    let mut keyed = origin.clone();
    keyed
        .items
        .insert("s:".into(), "00112233445566778899aabbccddeeff".repeat(2));
    let mut after = Sim::with(config(), Scripted::default(), START, Some(keyed));
    let replay = after.booked(&request());
    assert!(replay.idempotent_replay, "{replay:?}");
    assert_eq!(replay.appointment_id, first.appointment_id);
    // A new payload is saved under a keyed fingerprint: the plain one is nowhere in storage.
    let mut other = request();
    other.calendar_id = Some(raptor_secondary_core::booking::wire::scalar::Scalar::Text(
        "cal_other".into(),
    ));
    let plain_other = fingerprint_to_hex(other.validate(START).unwrap().fingerprint());
    after.booked(&other);
    let items = &after.storage.as_ref().unwrap().items;
    assert!(items
        .iter()
        .all(|(name, json)| !name.contains(&plain_other) && !json.contains(&plain_other)));
    assert_eq!(items.keys().filter(|n| n.starts_with("p:")).count(), 2);
    // Another secret makes other fingerprints: storage from one origin says nothing of another.
    let mut elsewhere = harness::Origin::default();
    elsewhere
        .items
        .insert("s:".into(), "ffeeddccbbaa99887766554433221100".repeat(2));
    let mut third = Sim::with(config(), Scripted::default(), START, Some(elsewhere));
    third.booked(&other);
    let theirs: Vec<&String> = third
        .storage
        .as_ref()
        .unwrap()
        .items
        .keys()
        .filter(|n| n.starts_with("p:"))
        .collect();
    assert!(!items.contains_key(theirs[0]));
}

#[test]
fn a_reload_while_the_appointment_is_being_cancelled_resumes_the_cancel_never_a_completion() {
    // Found by the soak: the page went away after the compensating cancel was sent; the next
    // page re-ran the booking under its key, the provider replayed the create ("confirmed"),
    // the event published, and the booking completed on an appointment the cancel had removed.
    let mut first = Sim::stored(config())
        .script("publish", &vec![Canned::Status(503); 3])
        .script("compensate", &[Canned::Slow(5_000)]);
    let id = first.book(&request());
    while first.count("compensate") == 0 {
        assert!(first.step());
    }
    assert!(
        first.result(id).is_none(),
        "the page goes away with the cancel in flight"
    );
    let mut second = first.reload(config());
    assert_eq!(
        second.count("publish"),
        0,
        "no event is published for it on load"
    );
    let again = second.booked(&request());
    assert_eq!(second.count("create"), 0, "the create is not replayed");
    assert_eq!(second.count("compensate"), 1, "the cancel is sent again");
    assert_eq!(
        second.sent[0].key,
        [again.idempotency_key.as_str(), ":cancel"].concat()
    );
    assert_eq!(again.state, State::Failed);
    assert!(again.compensated);
    assert_eq!(
        again.error.map(|e| e.code),
        Some(ErrorCode::OutboxPublishFailed)
    );
}

#[test]
fn without_a_storage_nothing_is_saved_or_restored() {
    let mut sim = Sim::new(config());
    sim.booked(&request());
    assert!(sim.storage.is_none());
    assert!(!sim.client.restored().enabled);
}

#[test]
fn a_late_answer_after_an_abort_changes_nothing() {
    let config = ClientConfig {
        attempt_timeout_ms: 100,
        attempts: 1,
        ..config()
    };
    let mut sim = Sim::new(config).script("create", &[Canned::Timeout]);
    let result = sim.booked(&request());
    assert_eq!(result.error.unwrap().code, ErrorCode::RetryExhausted);
    let call = sim.aborted[0];
    let logs = sim.logs.len();
    sim.input(Input::Answer {
        call,
        answer: Answer::Ok {
            id: Some("apt_late".into()),
            status: Some("confirmed".into()),
            status_url: None,
        },
    });
    assert_eq!(sim.logs.len(), logs, "not even a log record");
    assert_eq!(sim.results.len(), 1);
}
