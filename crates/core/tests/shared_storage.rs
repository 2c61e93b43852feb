//! What tabs share through storage: the origin's secret, records of every tab, events published
//! once, records never lost to another tab's write or to the memory cap, and cancels.
//! Two tabs stepped deterministically over `native/tabs.rs`. Each test fails on the builds before
//! claims (one blob per tab, a key minted per tab).
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;
#[path = "native/tabs.rs"]
mod tabs;

use harness::{config, request, Scripted};
use raptor_secondary_core::booking::{Answer, Client, ClientConfig, Input, State, Step};
use tabs::*;

/// Issue 16: where no storage orders tabs that start together (localStorage without
/// IndexedDB), each may mint a secret of its own, and then one payload goes under two names.
/// The tabs converge on the lowest secret: the holder of the lowest writes it back over a
/// higher one, the other adopts it and re-keys the records it made, so a booking made under
/// the lost secret is still found by every tab and every later page.
#[test]
fn tabs_that_minted_different_secrets_converge_on_the_lowest_and_re_key_their_records() {
    const LOW: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const HIGH: &str = "9999999999999999999999999999999999999999999999999999999999999999";
    let mut b = Browser::new();
    b.tabs.clear();
    b.origin.items.clear();
    // No storage orders them (localStorage without IndexedDB or Web Locks): nothing is agreed.
    b.origin.secretless = true;
    let (low, high) = (b.open(), b.open());
    let secret = |json: &str| Input::Changed {
        name: "s:".into(),
        json: Some(json.into()),
    };
    b.input(low, secret(LOW));
    b.input(high, secret(HIGH));
    // Both wrote; storage kept the later write, the higher one.
    b.origin.items.insert("s:".into(), HIGH.into());
    let first = b.book(high);
    b.settle();
    let made = b.result(high, first).clone();
    assert_eq!(made.state, State::Completed);
    let names = |b: &Browser| -> Vec<String> {
        let items = b.origin.items.keys();
        items.filter(|n| n.starts_with("p:")).cloned().collect()
    };
    let under_high = names(&b);
    assert_eq!(under_high.len(), 1);
    // The storage event of the higher write reaches the low tab: it writes the lowest back,
    // and that write's event reaches the high tab, which adopts it.
    b.input(low, secret(HIGH));
    assert_eq!(b.origin.items["s:"], LOW, "the lowest is written back");
    let under_low = names(&b);
    assert_eq!(under_low.len(), 1, "re-keyed: the old item removed");
    assert_ne!(under_low, under_high);
    // Every tab and every later page now finds the booking made under the lost secret.
    let again = b.book(low);
    b.settle();
    let replay = b.result(low, again).clone();
    assert!(replay.idempotent_replay);
    assert_eq!(replay.appointment_id, made.appointment_id);
    let later = b.open();
    let third = b.book(later);
    b.settle();
    assert!(b.result(later, third).idempotent_replay);
    assert_eq!(b.creates, 1, "one appointment for the payload");
    // The high tab books with the lowest secret from now on: the same names as the others.
    let fourth = b.book(high);
    b.settle();
    assert!(b.result(high, fourth).idempotent_replay);
    assert_eq!(names(&b), under_low);
}

#[test]
fn records_of_two_tabs_all_survive_a_reload() {
    let mut b = Browser::new();
    for tab in [0, 1, 0, 1] {
        b.tabs[tab].next_id += 1;
        let id = b.tabs[tab].next_id;
        let mut r = request();
        r.slot_start = Some(raptor_secondary_core::booking::wire::scalar::Scalar::Text(
            [
                "2026-12-0",
                &(id + tab as u32 * 2).to_string(),
                "T09:30:00Z",
            ]
            .concat(),
        ));
        b.input(tab, Input::Book { id, request: r });
    }
    b.settle();
    let completed = b.tabs.iter().flat_map(|t| t.results.values());
    assert_eq!(completed.filter(|r| r.state == State::Completed).count(), 4);
    let reload = b.open();
    assert_eq!(
        b.tabs[reload].client.restored().records,
        4,
        "one item per record: none overwritten"
    );
}

#[test]
fn an_event_left_pending_is_published_by_one_tab_only() {
    let mut b = Browser::new();
    b.book(0);
    b.answer(Step::Create);
    assert_eq!(b.calls.len(), 1, "the event is being published");
    // Tab 0 goes away mid-publish; two tabs load and both find the event pending.
    b.calls.clear();
    b.close(0);
    let (c, d) = (b.open(), b.open());
    let publishes: Vec<usize> = b.calls.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        publishes,
        [c],
        "the first tab to load drains it; the other finds it taken"
    );
    assert_eq!(b.origin.refused, 1);
    b.settle();
    // A tab loaded after that reads it back as published and sends nothing.
    let e = b.open();
    assert!(b.calls.is_empty());
    for tab in [c, d, e] {
        assert!(!b.origin.busy(tab), "every claim let go");
    }
    let status = |tab: usize| b.tabs[tab].client.outbox()[0].status;
    assert_eq!(
        status(c),
        raptor_secondary_core::booking::store::outbox::OutboxStatus::Published
    );
    assert_eq!(
        status(e),
        raptor_secondary_core::booking::store::outbox::OutboxStatus::Published
    );
}

#[test]
fn a_late_event_of_a_compensated_booking_does_not_hide_the_booking_that_followed() {
    // Found by the random test (seed 26445 of 30,000): tab 1's booking is compensated while
    // tab 2 waits for the payload's claim; tab 2 then books it anew. The storage event of tab
    // 1's compensated record reached tab 2 after that and was taken in as the newest record,
    // so tab 2 saved it over its own booking, and a third tab booked the payload a second time.
    let mut b = Browser::new();
    b.book(0);
    b.answer(Step::Create);
    let second = b.book(1); // waits for tab 0's claim
                            // Tab 0's event fails every attempt: its booking is compensated.
    while !b.calls.iter().any(|(_, s)| s.step == Step::Compensate) {
        match b.calls.iter().position(|(_, s)| s.step == Step::Publish) {
            Some(i) => {
                let (tab, send) = b.calls.remove(i);
                let answer = Answer::Status {
                    status: 503,
                    retry_after: None,
                };
                b.input(
                    tab,
                    Input::Answer {
                        call: send.call,
                        answer,
                    },
                );
            }
            None => {
                b.now = b.tabs[0].client.poll_timeout().expect("a retry is due");
                b.input(0, Input::Timer);
            }
        }
    }
    let (tab, cancel) = b
        .calls
        .iter()
        .find(|(_, s)| s.step == Step::Compensate)
        .cloned()
        .unwrap();
    b.calls
        .retain(|(_, s)| s.call != cancel.call || s.step != Step::Compensate);
    b.deliver(tab, &[0, 1], &cancel, ok(&cancel));
    b.settle();
    assert_eq!(
        b.result(1, second).state,
        State::Completed,
        "booked anew after the compensation"
    );
    let third = b.open();
    let again = b.book(third);
    b.settle();
    assert!(
        b.result(third, again).idempotent_replay,
        "the third tab replays tab 1's booking"
    );
    assert_eq!(
        b.result(third, again).appointment_id,
        b.result(1, second).appointment_id
    );
}

#[test]
fn a_record_the_cap_dropped_from_memory_is_still_found_in_storage() {
    // Found by the 10,000-click soak: a tab's size cap evicted a record and deleted its storage
    // item, so a page that did not hold it booked the payload again under a new key.
    let small = ClientConfig {
        idempotency_max_entries: 2,
        ..config()
    };
    let mut b = Browser::new();
    b.tabs[0].client = Client::new(small.clone(), Scripted::default(), b.now);
    let loaded = b.origin.loaded();
    b.input(0, loaded);
    while let Some(agreed) = b.origin.next_grant(0) {
        b.input(0, agreed);
    }
    let first = book_day(&mut b, 0, 1);
    b.settle();
    for n in 2..6 {
        book_day(&mut b, 0, n);
        b.settle();
    }
    // A new page (tab 0 dropped the first record from memory long ago) books the first payload.
    let reload = b.open();
    let again = book_day(&mut b, reload, 1);
    b.settle();
    let (a, c) = (b.result(0, first).clone(), b.result(reload, again).clone());
    assert!(c.idempotent_replay, "replayed, not booked again: {c:?}");
    assert_eq!(c.appointment_id, a.appointment_id);
}

#[test]
fn a_record_read_under_its_claim_is_used_even_when_the_memory_cap_is_full() {
    // Found by the 10,000-click soak (65 double-booked slots, all after ~7,100 appointments):
    // once a tab held as many bookings-to-run-again as its cap, the record a claim had just
    // read from storage was dropped from memory at once, so the call minted a new key.
    let mut b = Browser::with(ClientConfig {
        idempotency_max_entries: 2,
        breaker_threshold: 100,
        ..config()
    });
    // Tab 0 holds two bookings that failed where the provider may have acted (rerunnable).
    for n in 1..3 {
        book_day(&mut b, 0, n);
        fail_every_attempt(&mut b, 0);
    }
    // Tab 1 books a payload; then tab 0 books the same one.
    let first = book_day(&mut b, 1, 9);
    b.settle();
    let creates = b.creates;
    let again = book_day(&mut b, 0, 9);
    b.settle();
    let (a, c) = (b.result(1, first).clone(), b.result(0, again).clone());
    assert_eq!(b.creates, creates, "no second create for the payload");
    assert!(c.idempotent_replay, "replayed, not booked again: {c:?}");
    assert_eq!(c.appointment_id, a.appointment_id);
}

#[test]
fn a_tab_dropping_its_old_record_never_deletes_the_newer_one_another_tab_saved() {
    // Found by the random two-tab test (seed 2306, once records could pass twice their time to
    // live): a tab whose old record of a payload went deleted the payload's storage item,
    // which by then held the newer record another tab had saved, so a third page booked the
    // payload under a new key.
    const TTL: u64 = 20_000;
    let mut b = Browser::with(ClientConfig {
        idempotency_ttl_ms: TTL,
        ..config()
    });
    let first = book_day(&mut b, 0, 1);
    b.settle();
    // Past the time to live, tab 1 books the payload: its lookup finds the appointment.
    b.now += TTL as i64 + 5_000;
    let again = book_day(&mut b, 1, 1);
    b.settle();
    assert!(b.result(1, again).idempotent_replay);
    // Past twice the time to live of tab 0's record (not of tab 1's), tab 0 drops it.
    b.now += TTL as i64;
    book_day(&mut b, 0, 2);
    b.settle();
    // A new page books the first payload: it finds tab 1's record, live, and replays it.
    let creates = b.creates;
    let page = b.open();
    let third = book_day(&mut b, page, 1);
    b.settle();
    let (a, c) = (b.result(0, first).clone(), b.result(page, third).clone());
    assert_eq!(
        b.creates, creates,
        "no second create for the payload: {c:?}"
    );
    assert_eq!(c.appointment_id, a.appointment_id);
}

#[test]
fn an_appointment_cancelled_in_one_tab_is_booked_anew_in_the_others() {
    // A page's cancel knows the appointment, not the payload: before, only the cancelling
    // page stopped finding the booking, so another tab (or a later page) booking the payload
    // replayed the cancelled appointment as completed.
    let mut b = Browser::new();
    let first = book_day(&mut b, 0, 1);
    b.settle();
    let appointment = b.result(0, first).appointment_id.clone().expect("booked");
    // Tab 1 cancels it (a patient's other tab).
    b.tabs[1].next_id += 1;
    let id = b.tabs[1].next_id;
    let appointment_id = Some(raptor_secondary_core::booking::wire::scalar::Scalar::Text(
        appointment.clone(),
    ));
    b.input(1, Input::Cancel { id, appointment_id });
    b.settle();
    assert_eq!(b.result(1, id).state, State::Completed);
    // Tab 0, which booked it, and a page opened later each book the slot anew: not a replay.
    for tab in [0, b.open()] {
        let creates = b.creates;
        let again = book_day(&mut b, tab, 1);
        b.settle();
        let r = b.result(tab, again).clone();
        assert!(
            !r.idempotent_replay,
            "tab {tab} replayed the cancelled booking: {r:?}"
        );
        assert_ne!(r.appointment_id.as_deref(), Some(appointment.as_str()));
        assert_eq!(b.creates, creates + 1);
        // Cancelled again, so the next tab books anew too.
        let cancel = b.tabs[tab].next_id + 1;
        b.tabs[tab].next_id = cancel;
        let appointment_id = r
            .appointment_id
            .clone()
            .map(raptor_secondary_core::booking::wire::scalar::Scalar::Text);
        b.input(
            tab,
            Input::Cancel {
                id: cancel,
                appointment_id,
            },
        );
        b.settle();
    }
}
