//! One click, one booking: replays of a finished key, a key reused with another payload, double
//! clicks joining the booking in flight, refusals, and what never reaches the provider.
//! Stepped one input at a time over `native/harness.rs`: a manual clock, a scripted provider.
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::*;
use raptor_secondary_core::booking::wire::scalar::Scalar;
use raptor_secondary_core::booking::{ClientConfig, State, Step};
use raptor_secondary_core::ErrorCode;

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
