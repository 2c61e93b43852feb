//! One sender per payload across tabs: claims taken, waited on, given up and passed on.
//! Two tabs stepped deterministically over `native/tabs.rs`. Each test fails on the builds before
//! claims (one blob per tab, a key minted per tab).
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;
#[path = "native/tabs.rs"]
mod tabs;

use harness::{config, request};
use raptor_secondary_core::booking::{Input, RequestId, State};
use raptor_secondary_core::ErrorCode;
use tabs::*;

#[test]
fn the_same_payload_booked_in_two_tabs_at_once_is_one_appointment() {
    let mut b = Browser::new();
    let first = b.book(0);
    let second = b.book(1);
    assert_eq!(
        b.creates, 1,
        "the second tab waits for the first tab's claim"
    );
    b.settle();
    let (a, c) = (b.result(0, first).clone(), b.result(1, second).clone());
    assert_eq!(b.creates, 1, "one create in all");
    assert_eq!((a.state, c.state), (State::Completed, State::Completed));
    assert_eq!(
        a.idempotency_key, c.idempotency_key,
        "one key for the payload across tabs"
    );
    assert_eq!(a.appointment_id, c.appointment_id);
    assert!(
        c.idempotent_replay,
        "the second tab replays the first tab's result"
    );
    assert_eq!(b.origin.claims, (2, 2), "every claim granted and released");
}

#[test]
fn a_tab_that_waits_past_its_deadline_is_told_the_payload_is_in_progress() {
    let mut b = Browser::new();
    b.book(0);
    let waiting = b.book(1);
    b.now += config().deadline_ms as i64;
    b.input(1, Input::Timer);
    let result = b.result(1, waiting).clone();
    assert_eq!(result.state, State::Failed);
    assert_eq!(
        result.error.map(|e| e.code),
        Some(ErrorCode::RequestInProgress)
    );
    assert_eq!(b.creates, 1, "nothing sent by the tab that gave up");
    // The first tab's claim is still held; the second tab's was let go without being granted.
    assert_eq!(b.origin.claims, (1, 1));
}

/// Issue 16: a double click waits behind one claim; when the first click gives up, the second
/// waits on in its place (the claim is not let go), then replays the other tab's booking.
#[test]
fn a_double_click_waits_behind_one_claim_and_outlives_the_first_click_giving_up() {
    let mut b = Browser::new();
    let first_tab = b.book(0);
    let ids: Vec<RequestId> = (0..2)
        .map(|_| {
            b.tabs[1].next_id += 1;
            let id = b.tabs[1].next_id;
            let book = Input::Book {
                id,
                request: request(),
            };
            b.tabs[1].client.handle(b.now, book);
            id
        })
        .collect();
    b.drain();
    let abandon = Input::Abandon {
        id: ids[0],
        aborted: true,
    };
    b.input(1, abandon);
    assert_eq!(
        b.result(1, ids[0]).error.as_ref().map(|e| e.code),
        Some(ErrorCode::Aborted)
    );
    assert_eq!(b.origin.claims, (1, 0), "tab 1's claim still waits");
    b.settle();
    let (a, c) = (b.result(0, first_tab).clone(), b.result(1, ids[1]).clone());
    assert_eq!(b.creates, 1);
    assert_eq!(c.state, State::Completed);
    assert!(c.idempotent_replay);
    assert_eq!(a.idempotency_key, c.idempotency_key);
    assert_eq!(b.origin.claims, (2, 2), "two claims in all: one per tab");
}

#[test]
fn a_call_abandoned_while_waiting_for_its_claim_lets_it_go() {
    let mut b = Browser::new();
    b.book(0);
    let waiting = b.book(1);
    b.input(
        1,
        Input::Abandon {
            id: waiting,
            aborted: false,
        },
    );
    assert_eq!(
        b.result(1, waiting).error.as_ref().map(|e| e.code),
        Some(ErrorCode::Timeout)
    );
    b.settle();
    assert_eq!(b.origin.claims, (1, 2), "one claim granted, both released");
    assert_eq!(b.creates, 1);
}

#[test]
fn a_double_click_in_one_tab_joins_without_a_second_claim() {
    let mut b = Browser::new();
    let first = b.book(0);
    let second = b.book(0);
    b.settle();
    assert_eq!(b.creates, 1);
    assert_eq!(
        b.origin.claims,
        (1, 1),
        "the second click joined the booking in flight"
    );
    assert_eq!(
        b.result(0, first).appointment_id,
        b.result(0, second).appointment_id
    );
}

#[test]
fn a_tab_that_went_away_mid_booking_leaves_its_key_to_the_next_claim() {
    let mut b = Browser::new();
    b.book(0);
    assert_eq!(b.creates, 1);
    let key = b.calls[0].1.key.clone();
    // Tab 0 closes with its create in flight: the browser lets go of its locks.
    b.calls.clear();
    b.close(0);
    let retry = b.book(1);
    assert_eq!(
        b.calls[0].1.key, key,
        "the re-booking runs under the first tab's key"
    );
    b.settle();
    assert_eq!(b.result(1, retry).state, State::Completed);
}
