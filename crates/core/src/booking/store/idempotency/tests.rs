//! The idempotency store's unit tests.
use super::*;
use crate::booking::wire::outcome::Operation;
use crate::booking::wire::state::State;
use crate::{Error, ErrorCode};
use std::prelude::rust_2021::*;
#[allow(unused_imports)]
use std::{format, vec};

fn result(state: State, error: Option<ErrorCode>) -> BookingResult {
    BookingResult {
        operation: Some(Operation::Book),
        state,
        appointment_id: Some("apt_1".into()),
        error: error.map(|c| Error::new(c, "x")),
        attempts: 1,
        retries: 0,
        idempotent_replay: false,
        correlation_id: "c".into(),
        idempotency_key: "k".into(),
        compensated: false,
        action_label: None,
        duration_ms: 1,
    }
}

#[test]
fn replay_join_conflict_and_rerun() {
    let mut s = IdempotencyStore::new(1000, 10);
    assert_eq!(s.begin("k1", 7, 0), Begin::Start);
    assert_eq!(s.begin("k1", 7, 1), Begin::Join);
    assert_eq!(s.begin("k1", 8, 1), Begin::Conflict);
    s.finish("k1", result(State::Completed, None), 2);
    assert!(matches!(s.begin("k1", 7, 3), Begin::Replay(r) if r.state == State::Completed));
    assert_eq!(s.begin("k1", 8, 3), Begin::Conflict);

    assert_eq!(s.begin("k2", 9, 0), Begin::Start);
    s.finish(
        "k2",
        result(State::Failed, Some(ErrorCode::RetryExhausted)),
        1,
    );
    assert_eq!(
        s.begin("k2", 9, 2),
        Begin::Start,
        "a retryable failure runs again"
    );
    s.finish(
        "k2",
        result(State::Failed, Some(ErrorCode::ProviderRejected)),
        3,
    );
    assert!(
        matches!(s.begin("k2", 9, 4), Begin::Replay(_)),
        "a refusal is replayed"
    );
}

#[test]
fn records_expire_after_the_ttl_but_not_while_in_flight() {
    let mut s = IdempotencyStore::new(1000, 10);
    s.begin("k", 1, 0);
    assert_eq!(
        s.begin("k", 1, 10_000),
        Begin::Join,
        "in flight never expires"
    );
    s.finish("k", result(State::Completed, None), 10_000);
    assert!(matches!(s.begin("k", 1, 10_999), Begin::Replay(_)));
    assert_eq!(
        s.begin("k", 2, 11_000),
        Begin::Start,
        "expired: the key is free again"
    );
}

#[test]
fn the_cap_evicts_the_oldest_finished_record() {
    let mut s = IdempotencyStore::new(1_000_000, 3);
    for (i, key) in ["a", "b", "c"].iter().enumerate() {
        s.begin(key, i as u64, 0);
    }
    s.finish("b", result(State::Completed, None), 1);
    s.finish("c", result(State::Completed, None), 1);
    s.begin("d", 3, 2);
    assert_eq!(s.len(), 3);
    assert_eq!(s.begin("a", 0, 3), Begin::Join, "in flight is kept");
    assert_eq!(
        s.begin("b", 99, 3),
        Begin::Start,
        "b, the oldest finished, was evicted"
    );
    for i in 0..100u64 {
        let key = ["x", &crate::json::decimal(i)].concat();
        s.begin(&key, 1000 + i, 4);
        s.finish(&key, result(State::Completed, None), 4);
    }
    assert!(s.len() <= 3 + 1, "bounded: {}", s.len());
}

#[test]
fn the_cap_never_evicts_a_booking_that_must_run_again_under_its_key() {
    let mut s = IdempotencyStore::new(1_000_000, 3);
    s.begin("timed-out", 7, 0);
    s.finish(
        "timed-out",
        result(State::Failed, Some(ErrorCode::Timeout)),
        0,
    );
    for i in 0..500u64 {
        let key = ["x", &crate::json::decimal(i)].concat();
        s.begin(&key, 1000 + i, 1);
        s.finish(&key, result(State::Completed, None), 1);
    }
    assert_eq!(
        s.key_for(7, 2).as_deref(),
        Some("timed-out"),
        "the payload still finds its key after 500 other bookings"
    );
    assert!(s.len() <= 3 + 1, "the rest is still bounded: {}", s.len());
    assert_eq!(s.begin("timed-out", 7, 3), Begin::Start, "it runs again");
}

#[test]
fn with_a_storage_the_cap_drops_saved_records_of_any_kind_but_not_unsaved_ones() {
    let mut s = IdempotencyStore::new(1_000_000, 3);
    s.set_durable(7);
    for (i, key) in ["a", "b", "c"].iter().enumerate() {
        s.begin(key, i as u64, 0);
        s.finish(key, result(State::Failed, Some(ErrorCode::Timeout)), 0);
    }
    s.begin("d", 3, 1);
    assert_eq!(s.len(), 4, "unsaved: kept until saved");
    assert_eq!(s.changes().len(), 4);
    s.begin("e", 4, 2);
    assert_eq!(
        s.len(),
        3,
        "saved rerunnable records go too: storage keeps them"
    );
    assert_eq!(s.key_for(0, 2), None, "a, the oldest, left memory");
    assert!(
        s.changes()
            .iter()
            .all(|(f, c)| *f == 4 && matches!(c, ItemChange::Put(_))),
        "and nothing is deleted"
    );
}

#[test]
fn a_merged_record_is_kept_even_when_the_cap_is_full() {
    let mut s = IdempotencyStore::new(1_000_000, 2);
    s.begin("late", 1, 0);
    s.finish("late", result(State::Failed, Some(ErrorCode::Timeout)), 0);
    s.begin("later", 2, 0);
    s.finish("later", result(State::Failed, Some(ErrorCode::Timeout)), 0);
    let saved = SavedRecord {
        key: "other-tab".into(),
        fingerprint: 9,
        expires_at_ms: Some(1_000),
        result: Some(result(State::Completed, None)),
        findable: true,
        compensating: None,
        verify: None,
        rev: 0,
        seq: 0,
        item: None,
    };
    s.merge(saved, 1);
    assert_eq!(s.key_for(9, 1).as_deref(), Some("other-tab"));
}

#[test]
fn each_write_of_a_payload_counts_on_and_an_earlier_one_read_late_never_replaces_it() {
    let mut s = IdempotencyStore::new(1_000_000, 10);
    s.set_durable(0);
    s.begin("k", 4, 0);
    let seq = |s: &mut IdempotencyStore| match &s.changes()[..] {
        [(4, ItemChange::Put(json))] => SavedRecord::from_json(json).unwrap().seq,
        other => core::panic!("one write of payload 4, not {other:?}"),
    };
    assert_eq!(seq(&mut s), 1);
    s.finish("k", result(State::Failed, Some(ErrorCode::Timeout)), 0);
    assert_eq!(seq(&mut s), 2);
    // Run again under its key: the count goes on from the record it replaces.
    s.begin("k", 4, 0);
    assert_eq!(seq(&mut s), 3);
    s.finish("k", result(State::Completed, None), 0);
    assert_eq!(seq(&mut s), 4);
    let stale = |seq| SavedRecord {
        key: "k".into(),
        fingerprint: 4,
        expires_at_ms: Some(500_000),
        result: Some(result(State::Failed, Some(ErrorCode::Timeout))),
        findable: true,
        compensating: None,
        verify: None,
        rev: 0,
        seq,
        item: None,
    };
    // Storage read late (this page's second write): this page's fourth stays.
    s.merge(stale(2), 1);
    assert!(matches!(s.begin("k", 4, 1), Begin::Replay(r) if r.state == State::Completed));
    // A later write of another tab replaces it.
    s.merge(stale(5), 1);
    assert_eq!(
        s.begin("k", 4, 1),
        Begin::Start,
        "the failed run is run again"
    );
}

#[test]
fn key_for_finds_live_records_by_payload() {
    let mut s = IdempotencyStore::new(1000, 10);
    assert_eq!(s.key_for(5, 0), None);
    s.begin("k", 5, 0);
    assert_eq!(s.key_for(5, 0).as_deref(), Some("k"));
    s.finish("k", result(State::Completed, None), 0);
    assert_eq!(s.key_for(5, 999).as_deref(), Some("k"));
    assert_eq!(s.key_for(5, 1000), None);
    s.begin("k2", 6, 0);
    s.finish("k2", result(State::Completed, None), 0);
    s.forget_appointment("apt_1");
    assert_eq!(s.key_for(6, 1), None);
    assert!(
        matches!(s.begin("k2", 6, 1), Begin::Replay(_)),
        "keyed replay still works"
    );
}

#[test]
fn records_survive_export_and_restore() {
    let mut s = IdempotencyStore::new(1000, 10);
    s.begin("done", 1, 0);
    s.finish("done", result(State::Completed, None), 0);
    s.begin("flying", 2, 0);
    s.begin("old", 3, 0);
    s.finish("old", result(State::Completed, None), -5000);
    let saved = s.export(10);
    assert_eq!(saved.len(), 2, "the expired record is not saved");

    let mut back = IdempotencyStore::new(1000, 10);
    assert_eq!(back.restore(saved.clone(), 20), 2);
    assert!(matches!(back.begin("done", 1, 21), Begin::Replay(r) if r.state == State::Completed));
    assert_eq!(
        back.key_for(2, 21).as_deref(),
        Some("flying"),
        "found by payload after a reload"
    );
    assert_eq!(
        back.begin("flying", 2, 21),
        Begin::Start,
        "an interrupted booking runs again under its key"
    );
    assert_eq!(back.begin("flying", 9, 21), Begin::Conflict);
    assert_eq!(
        IdempotencyStore::new(1000, 10).restore(saved, 5000),
        1,
        "expired by now: only the interrupted one"
    );
}
