//! What survives a reload: a booking resumed under its key, an event left pending published by
//! the next page, the outbox draining itself, keyed fingerprints, a cancel resumed.
//! Stepped one input at a time over `native/harness.rs`: a manual clock, a scripted provider.
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::*;
use raptor_secondary_core::booking::store::outbox::OutboxStatus;
use raptor_secondary_core::booking::{Input, State, Step};
use raptor_secondary_core::ErrorCode;

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
fn with_the_origins_secret_storage_keeps_keyed_fingerprints_and_older_records_still_replay() {
    use raptor_secondary_core::booking::store::snapshot::fingerprint_to_hex;
    let plain = fingerprint_to_hex(request().validate(START).unwrap().fingerprint());
    // A record saved before the origin had a secret (an earlier build): a plain fingerprint.
    let mut earlier = harness::Origin::default();
    earlier.secretless = true;
    let mut before = Sim::with(config(), Scripted::default(), START, Some(earlier));
    let first = before.booked(&request());
    let mut origin = before.storage.clone().unwrap();
    origin.secretless = false;
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
