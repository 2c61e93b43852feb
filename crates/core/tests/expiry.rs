//! Records past `idempotencyTtlMs`: the provider is assumed to have forgotten their keys, so
//! a payload whose only record has expired is never sent blindly under a new key. A booking
//! that made an appointment is looked up first (`GET /appointments/{id}`); one cut short where
//! the provider may have acted is refused once with `idempotency_expired`. Each test fails on
//! the builds before (the create went out under a new key at once).
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::*;
use raptor_secondary_core::booking::{ClientConfig, State};
use raptor_secondary_core::ErrorCode;

const TTL: u64 = 60_000;

fn short() -> ClientConfig {
    ClientConfig {
        idempotency_ttl_ms: TTL,
        ..config()
    }
}

#[test]
fn an_expired_booking_is_looked_up_and_its_appointment_kept() {
    let mut sim = Sim::stored(short());
    let first = sim.booked(&request());
    assert_eq!(first.appointment_id.as_deref(), Some("apt_1"));
    sim.advance(TTL + 1);
    let sent = sim.sent.len();
    let again = sim.booked(&request());
    let calls: Vec<_> = sim.sent[sent..]
        .iter()
        .map(|s| (s.step.name(), s.url.clone()))
        .collect();
    assert_eq!(calls, [("poll", "/api/v2/appointments/apt_1".to_string())]);
    assert_eq!(again.state, State::Completed);
    assert_eq!(
        again.appointment_id.as_deref(),
        Some("apt_1"),
        "the same appointment"
    );
    assert!(again.idempotent_replay, "nothing new was made: {again:?}");
    assert_eq!(sim.count("create"), 1);
    assert!(sim.events().contains(&"idempotency.replayed"));
    // The lookup's record is live now: a reload replays it without a call.
    let mut next = sim.reload(short());
    let third = next.booked(&request());
    assert!(third.idempotent_replay && next.sent.is_empty(), "{third:?}");
    assert_eq!(third.appointment_id.as_deref(), Some("apt_1"));
}

#[test]
fn an_expired_booking_whose_appointment_is_gone_books_anew() {
    for gone in [Canned::Cancelled, Canned::Status(404)] {
        let gone = [gone];
        let mut sim = Sim::stored(short()).script("poll", &gone);
        let first = sim.booked(&request());
        sim.advance(TTL + 1);
        let again = sim.booked(&request());
        assert_eq!(
            sim.endpoints(),
            ["create", "publish", "poll", "create", "publish"],
            "{gone:?}"
        );
        assert_eq!(again.state, State::Completed);
        assert_ne!(again.idempotency_key, first.idempotency_key, "a new key");
        assert_eq!(again.appointment_id.as_deref(), Some("apt_2"));
        assert!(!again.idempotent_replay);
        let creates: Vec<_> = sim
            .sent
            .iter()
            .filter(|s| s.step.name() == "create")
            .collect();
        assert_eq!(creates[1].key, again.idempotency_key);
    }
}

#[test]
fn a_lookup_that_fails_is_made_again_before_any_create_even_after_a_reload() {
    let mut sim = Sim::stored(short()).script("poll", &vec![Canned::Status(503); 3]);
    sim.booked(&request());
    sim.advance(TTL + 1);
    let failed = sim.booked(&request());
    assert_eq!(
        failed.error.map(|e| e.code),
        Some(ErrorCode::RetryExhausted)
    );
    assert_eq!(
        sim.count("create"),
        1,
        "no create while the lookup has no answer"
    );
    // A reload runs the booking again under its key: the lookup first, still.
    let mut next = sim.reload(short());
    let again = next.booked(&request());
    assert_eq!(next.endpoints(), ["poll"]);
    assert_eq!(again.idempotency_key, failed.idempotency_key);
    assert_eq!(again.appointment_id.as_deref(), Some("apt_1"));
    assert!(again.idempotent_replay);
}

#[test]
fn an_expired_booking_cut_short_is_refused_until_the_caller_gives_a_key() {
    let mut sim = Sim::stored(short()).script("create", &vec![Canned::Status(503); 3]);
    let first = sim.booked(&request());
    assert_eq!(first.error.map(|e| e.code), Some(ErrorCode::RetryExhausted));
    sim.advance(TTL + 1);
    let sent = sim.sent.len();
    for _ in 0..2 {
        let refused = sim.booked(&request());
        assert_eq!(
            refused.error.as_ref().map(|e| e.code),
            Some(ErrorCode::IdempotencyExpired)
        );
        assert_eq!(
            refused.idempotency_key, first.idempotency_key,
            "it names the old key"
        );
    }
    // After a reload too: never a new key the provider has not vouched for.
    let mut next = sim.reload(short());
    let refused = next.booked(&request());
    assert_eq!(
        refused.error.map(|e| e.code),
        Some(ErrorCode::IdempotencyExpired)
    );
    assert_eq!((sim.sent.len(), next.sent.len()), (sent, 0), "nothing sent");
    // The page checked the calendar and books with a key of its own (on a copy of the origin).
    let mut checked = next.reload(short());
    let booked = checked.booked(&keyed("checked-calendar-1"));
    assert_eq!(
        (booked.state, checked.count("create")),
        (State::Completed, 1)
    );
    // Once the record is gone (twice the time to live), calls without a key book again.
    next.advance(TTL);
    let later = next.booked(&request());
    assert_eq!(later.state, State::Completed, "{later:?}");
    assert_ne!(later.idempotency_key, first.idempotency_key);
    assert_eq!(next.count("create"), 1);
}

#[test]
fn a_caller_key_and_records_past_twice_the_ttl_are_not_looked_up() {
    let mut sim = Sim::stored(short());
    sim.booked(&request());
    sim.advance(2 * TTL + 1);
    let again = sim.booked(&request());
    assert_eq!(sim.endpoints(), ["create", "publish", "create", "publish"]);
    assert!(!again.idempotent_replay);
    // A caller's own key past its time to live starts afresh under that key.
    let mut keyed_sim = Sim::stored(short());
    keyed_sim.booked(&keyed("caller-key-1"));
    keyed_sim.advance(TTL + 1);
    keyed_sim.booked(&keyed("caller-key-1"));
    assert_eq!(keyed_sim.count("create"), 2);
    assert!(keyed_sim
        .sent
        .iter()
        .all(|s| s.key == "caller-key-1" || s.key.starts_with("caller-key-1")));
}
