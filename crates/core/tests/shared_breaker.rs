//! One breaker for the origin's tabs: an outage seen in one tab opens it in the others, and one
//! tab's probe closes it everywhere.
//! Two tabs stepped deterministically over `native/tabs.rs`. Each test fails on the builds before
//! claims (one blob per tab, a key minted per tab).
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;
#[path = "native/tabs.rs"]
mod tabs;

use harness::{config, request};
use raptor_secondary_core::booking::{Input, State};
use raptor_secondary_core::ErrorCode;
use tabs::*;

#[test]
fn an_outage_seen_in_one_tab_opens_the_breaker_in_the_other() {
    let mut b = Browser::new();
    // Tab 0 sees the provider fail (503s) until its breaker opens.
    for n in 0..config().breaker_threshold {
        book_day(&mut b, 0, n);
        fail_every_attempt(&mut b, 0);
    }
    assert_eq!(b.tabs[0].client.breaker_state().name(), "open");
    assert_eq!(
        b.tabs[1].client.breaker_state().name(),
        "open",
        "shared through the storage"
    );
    // Tab 1 books: short-circuited, no call.
    let creates = b.creates;
    let id = book_day(&mut b, 1, 15);
    assert_eq!(b.creates, creates, "no call from the other tab while open");
    assert_eq!(
        b.result(1, id).error.as_ref().map(|e| e.code),
        Some(ErrorCode::CircuitOpen)
    );
    // A reload of tab 1 still sees it open (wall-clock time crosses reloads).
    b.close(1);
    let reloaded = b.open();
    assert_eq!(b.tabs[reloaded].client.breaker_state().name(), "open");
}

#[test]
fn one_tab_sends_the_half_open_probe_and_its_answer_closes_every_tab() {
    let mut b = Browser::new();
    let config = config();
    for n in 0..config.breaker_threshold {
        book_day(&mut b, 0, n);
        fail_every_attempt(&mut b, 0);
    }
    assert_eq!(b.tabs[1].client.breaker_state().name(), "open");
    b.now += config.breaker_cooldown_ms as i64;
    // Both tabs book at the same instant: neither has heard of the other's probe yet.
    let creates = b.creates;
    let (probe, other) = (1 + b.tabs[0].next_id, 1 + b.tabs[1].next_id);
    for (tab, day) in [(0, "15"), (1, "16")] {
        b.tabs[tab].next_id += 1;
        let mut r = request();
        r.slot_start = Some(raptor_secondary_core::booking::wire::scalar::Scalar::Text(
            ["2026-12-", day, "T09:30:00Z"].concat(),
        ));
        let id = b.tabs[tab].next_id;
        b.tabs[tab]
            .client
            .handle(b.now, Input::Book { id, request: r });
    }
    b.drain();
    assert_eq!(b.creates, creates + 1, "one probe across both tabs");
    assert_eq!(
        b.result(1, other).error.as_ref().map(|e| e.code),
        Some(ErrorCode::CircuitOpen)
    );
    b.settle();
    assert_eq!(
        b.result(0, probe).state,
        State::Completed,
        "{:?}",
        b.result(0, probe).error
    );
    for tab in [0, 1] {
        assert_eq!(
            b.tabs[tab].client.breaker_state().name(),
            "closed",
            "tab {tab}"
        );
    }
    let after = book_day(&mut b, 1, 17);
    b.settle();
    assert_eq!(
        b.result(1, after).state,
        State::Completed,
        "{:?}",
        b.result(1, after).error
    );
}
