//! Replay (`client.replay`): a booking whose outcome is unknown (its answer was lost) is listed
//! and, when the page hands its request back, sent again under its own key with the same body;
//! nothing else is ever sent: a request with no record, one whose outcome is known, and one
//! whose record is past `idempotencyTtlMs` send nothing.
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::*;
use raptor_secondary_core::booking::{BookingResult, ClientConfig, RawBookingRequest, State};
use raptor_secondary_core::ErrorCode;

const TTL: u64 = 60_000;

/// One attempt per step and a short time to live: a lost answer ends the booking at once.
fn once() -> ClientConfig {
    ClientConfig {
        attempts: 1,
        idempotency_ttl_ms: TTL,
        ..config()
    }
}

fn replay(sim: &mut Sim, request: &RawBookingRequest) -> BookingResult {
    let id = sim.replay(request);
    sim.run(id)
}

fn creates(sim: &Sim) -> Vec<(String, Option<String>)> {
    sim.sent
        .iter()
        .filter(|s| s.step.name() == "create")
        .map(|s| (s.key.clone(), s.body.clone()))
        .collect()
}

#[test]
fn a_lost_answer_is_listed_then_sent_again_under_its_key_with_the_same_body() {
    let mut sim = Sim::stored(once()).script("create", &[Canned::Network]);
    let lost = sim.booked(&request());
    assert_eq!(lost.state, State::Failed);
    let unknown = sim.client.unknown(0).collect::<Vec<_>>();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(unknown[0].idempotency_key, lost.idempotency_key);
    assert_eq!(unknown[0].code, "retry_exhausted");
    assert!(!unknown[0].expired);
    assert_eq!(
        sim.client.unknown(sim.now + 1).count(),
        0,
        "ended before `since`"
    );
    let plan = sim.client.replay_plan(&request());
    assert_eq!(
        (plan.status, plan.idempotency_key.as_deref()),
        ("would_send", Some(&*lost.idempotency_key))
    );

    let replayed = replay(&mut sim, &request());
    assert_eq!(replayed.state, State::Completed, "{replayed:?}");
    assert_eq!(replayed.idempotency_key, lost.idempotency_key);
    let sent = creates(&sim);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0], sent[1], "the same key and the same bytes");
    assert_eq!(sim.client.unknown(0).count(), 0, "its outcome is known now");

    // Replayed again (after a reload too): answered from its record, nothing sent.
    let mut next = sim.reload(once());
    assert_eq!(next.client.replay_plan(&request()).status, "answered");
    let again = replay(&mut next, &request());
    assert!(again.idempotent_replay, "{again:?}");
    assert_eq!(again.appointment_id, replayed.appointment_id);
    assert_eq!(next.count("create"), 0);
}

#[test]
fn a_booking_cut_short_by_a_reload_is_replayed_from_the_next_page() {
    let mut sim = Sim::stored(once()).script("create", &[Canned::Timeout]);
    let _ = sim.book(&request()); // the page goes away before the answer
    let mut next = sim.reload(once());
    let unknown = next.client.unknown(0).collect::<Vec<_>>();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    let replayed = replay(&mut next, &request());
    assert_eq!(replayed.state, State::Completed, "{replayed:?}");
    assert_eq!(
        creates(&next)[0].0,
        creates(&sim)[0].0,
        "under the first page's key"
    );
}

#[test]
fn nothing_is_sent_for_a_request_with_no_record_or_a_known_outcome() {
    let mut sim = Sim::stored(once());
    assert_eq!(sim.client.replay_plan(&request()).status, "not_found");
    let none = replay(&mut sim, &request());
    assert_eq!(
        none.error.as_ref().map(|e| e.code),
        Some(ErrorCode::NothingToReplay)
    );
    // A key of the caller's with no record is not a booking to send again either.
    let mine = replay(&mut sim, &keyed("my-key-1"));
    assert_eq!(
        mine.error.as_ref().map(|e| e.code),
        Some(ErrorCode::NothingToReplay)
    );
    assert_eq!(sim.count("create"), 0);

    let booked = sim.booked(&request());
    assert_eq!(booked.state, State::Completed);
    let known = replay(&mut sim, &request());
    assert!(known.idempotent_replay && known.appointment_id == booked.appointment_id);
    assert_eq!(sim.count("create"), 1);

    let mut invalid = request();
    invalid.slot_start = None;
    let plan = sim.client.replay_plan(&invalid);
    assert_eq!(
        (plan.status, plan.code),
        ("invalid", Some("invalid_request"))
    );
}

#[test]
fn a_lost_answer_past_its_time_to_live_is_for_reconciliation_never_sent() {
    let mut sim = Sim::stored(once()).script("create", &[Canned::Network]);
    let lost = sim.booked(&request());
    sim.advance(TTL + 1);
    let unknown = sim.client.unknown(0).collect::<Vec<_>>();
    assert!(unknown.len() == 1 && unknown[0].expired, "{unknown:?}");
    let plan = sim.client.replay_plan(&request());
    assert_eq!(
        (plan.status, plan.idempotency_key),
        ("reconcile", Some(lost.idempotency_key.clone()))
    );
    let refused = replay(&mut sim, &request());
    assert_eq!(
        refused.error.as_ref().map(|e| e.code),
        Some(ErrorCode::IdempotencyExpired)
    );
    // Even under the caller's own key, an expired record is not sent again by a replay.
    let mut sim = Sim::stored(once()).script("create", &[Canned::Network]);
    let _ = sim.booked(&keyed("my-key-2"));
    sim.advance(TTL + 1);
    let refused = replay(&mut sim, &keyed("my-key-2"));
    assert_eq!(
        refused.error.as_ref().map(|e| e.code),
        Some(ErrorCode::IdempotencyExpired)
    );
    assert_eq!(sim.count("create"), 1);
}

#[test]
fn twenty_lost_answers_among_a_hundred_replayed_twice_make_a_hundred_appointments() {
    let mut sim = Sim::stored(ClientConfig {
        idempotency_max_entries: 1000,
        ..once()
    });
    let requests: Vec<RawBookingRequest> = (0..100)
        .map(|i| {
            let mut r = request();
            r.calendar_id = Some(raptor_secondary_core::booking::wire::scalar::Scalar::Text(
                format!("cal_{i}"),
            ));
            r
        })
        .collect();
    for (i, r) in requests.iter().enumerate() {
        if i % 5 == 0 {
            sim = sim.script("create", &[Canned::Network]);
        }
        let _ = sim.booked(r);
    }
    assert_eq!(sim.client.unknown(0).count(), 20);
    for round in 0..2 {
        let before = sim.count("create");
        let results: Vec<_> = requests.iter().map(|r| replay(&mut sim, r)).collect();
        assert!(
            results.iter().all(|r| r.state == State::Completed),
            "round {round}"
        );
        assert_eq!(
            sim.count("create") - before,
            [20, 0][round],
            "round {round}"
        );
    }
    // The scripted provider mints one appointment per create: 120 creates, but the 20 sent
    // again carry their first key, which the provider answers with its first appointment.
    let keys: std::collections::BTreeSet<_> = creates(&sim).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys.len(), 100, "one key per booking");
    assert_eq!(sim.client.unknown(0).count(), 0);
}
