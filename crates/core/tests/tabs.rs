//! Two tabs of one origin, deterministically: two cores over one storage and one set of locks
//! (`native/storage.rs`, granted as the Web Locks API grants them), a manual clock and a
//! provider that holds every call until the test answers it. Each test fails on the builds
//! before claims (one blob per tab, a key minted per tab).
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::{config, request, Scripted, START};
use raptor_secondary_core::booking::{
    Answer, BookingResult, Client, ClientConfig, Command, Input, RequestId, Send, State, Step,
};
use raptor_secondary_core::ErrorCode;
use std::collections::BTreeMap;
use storage::Origin;

struct Tab {
    client: Client<Scripted>,
    results: BTreeMap<RequestId, BookingResult>,
    next_id: RequestId,
}

/// Two tabs, the origin they share, and the provider calls sent and not yet answered.
struct Browser {
    tabs: Vec<Tab>,
    origin: Origin,
    now: i64,
    calls: Vec<(usize, Send)>,
    creates: usize,
    /// Tabs that went away: they do nothing more.
    closed: std::collections::BTreeSet<usize>,
    /// Storage events on their way to other tabs (`storage` fires in every other tab).
    events: std::collections::VecDeque<(usize, Input)>,
    /// Keys whose appointment a compensation cancelled (its answer reached the tab).
    compensated: std::collections::BTreeSet<String>,
    /// What each tab (and each reload) is made with.
    config: ClientConfig,
    /// When a call under each key was last sent.
    last_sent: BTreeMap<String, i64>,
    /// Lookups of an earlier booking's appointment (`GET` under another key than the one it
    /// was created under).
    lookups: u64,
}

impl Browser {
    fn new() -> Browser {
        Browser::with(config())
    }

    /// Two tabs made with `config`.
    fn with(config: ClientConfig) -> Browser {
        // The origin's secret, as the driver keeps it: every tab keys fingerprints with it.
        let mut origin = Origin::default();
        origin
            .items
            .insert("s:".into(), "0123456789abcdef".repeat(4));
        let mut b = Browser {
            tabs: Vec::new(),
            origin,
            now: START,
            calls: Vec::new(),
            creates: 0,
            closed: Default::default(),
            events: Default::default(),
            compensated: Default::default(),
            config,
            last_sent: BTreeMap::new(),
            lookups: 0,
        };
        b.open();
        b.open();
        b
    }

    /// A new tab (or a reload, once the old one is closed) loading what the storage holds.
    fn open(&mut self) -> usize {
        let random = Scripted {
            counter: 0x1000_0193u32.wrapping_mul(self.tabs.len() as u32 + 1),
            ..Scripted::default()
        };
        self.tabs.push(Tab {
            client: Client::new(self.config.clone(), random, self.now),
            results: BTreeMap::new(),
            next_id: 0,
        });
        let tab = self.tabs.len() - 1;
        let json = self.origin.snapshot();
        self.input(tab, Input::Loaded { json });
        for breaker in self.origin.breaker() {
            self.input(tab, breaker);
        }
        tab
    }

    fn input(&mut self, tab: usize, input: Input) {
        if std::env::var("TABS_TRACE").is_ok() {
            eprintln!("@{} tab {tab} {input:?}", self.now - START);
        }
        self.tabs[tab].client.handle(self.now, input);
        self.drain();
    }

    /// Carries out every tab's commands and feeds every grant, until nothing is left.
    fn drain(&mut self) {
        loop {
            let mut moved = false;
            for tab in 0..self.tabs.len() {
                if self.closed.contains(&tab) {
                    continue;
                }
                while let Some(command) = self.tabs[tab].client.poll() {
                    moved = true;
                    if std::env::var("TABS_TRACE").is_ok()
                        && !matches!(command, Command::Log { .. })
                    {
                        eprintln!(
                            "    tab {tab}: {}",
                            raptor_secondary_core::json::ToJson::to_json(&command)
                        );
                    }
                    if self.origin.carry_out(tab, &command) {
                        if let Command::Save { name, json, .. } = &command {
                            for other in (0..self.tabs.len()).filter(|t| *t != tab) {
                                let (name, json) = (name.clone(), json.clone());
                                self.events
                                    .push_back((other, Input::Changed { name, json }));
                            }
                        }
                        continue;
                    }
                    match command {
                        Command::Send(send) => {
                            self.creates += usize::from(send.step == Step::Create);
                            self.last_sent.insert(send.key.clone(), self.now);
                            let apt = ["apt_", &send.key[..8]].concat();
                            self.lookups +=
                                u64::from(send.step == Step::Poll && !send.url.ends_with(&apt));
                            self.calls.push((tab, send));
                        }
                        Command::Abort { call } => {
                            self.calls.retain(|(t, s)| (*t, s.call) != (tab, call))
                        }
                        Command::Done { id, result } => {
                            assert!(self.tabs[tab].results.insert(id, result).is_none());
                        }
                        _ => {}
                    }
                }
                if let Some(grant) = self.origin.next_grant(tab) {
                    moved = true;
                    self.tabs[tab].client.handle(self.now, grant);
                }
            }
            if let Some((tab, event)) = self.events.pop_front() {
                moved = true;
                if !self.closed.contains(&tab) {
                    self.tabs[tab].client.handle(self.now, event);
                }
            }
            if !moved {
                return;
            }
        }
    }

    /// Tab `tab` goes away: its locks are let go; its calls still reach the provider.
    fn close(&mut self, tab: usize) {
        self.origin.close(tab);
        self.closed.insert(tab);
    }

    /// Answers the oldest create with `status`.
    fn fail_create(&mut self, status: u16) {
        let i = self
            .calls
            .iter()
            .position(|(_, s)| s.step == Step::Create)
            .expect("a create");
        let (tab, send) = self.calls.remove(i);
        let answer = Answer::Status {
            status,
            retry_after: None,
        };
        self.input(
            tab,
            Input::Answer {
                call: send.call,
                answer,
            },
        );
    }

    fn book(&mut self, tab: usize) -> RequestId {
        self.tabs[tab].next_id += 1;
        let id = self.tabs[tab].next_id;
        self.input(
            tab,
            Input::Book {
                id,
                request: request(),
            },
        );
        id
    }

    /// Answers the oldest call of `step`: an appointment, confirmed.
    fn answer(&mut self, step: Step) {
        let i = self
            .calls
            .iter()
            .position(|(_, s)| s.step == step)
            .expect("a call to answer");
        let (tab, send) = self.calls.remove(i);
        let answer = match step {
            Step::Create | Step::Poll | Step::Cancel | Step::Compensate => ok(&send),
            _ => Answer::Ok {
                id: Some(["apt_", &send.key[..8]].concat()),
                status: Some("published".into()),
                status_url: None,
            },
        };
        self.input(
            tab,
            Input::Answer {
                call: send.call,
                answer,
            },
        );
    }

    /// Answers every call, oldest first, until none is left.
    fn settle(&mut self) {
        while let Some((_, send)) = self.calls.first() {
            let step = send.step;
            self.answer(step);
        }
    }

    fn result(&self, tab: usize, id: RequestId) -> &BookingResult {
        &self.tabs[tab].results[&id]
    }
}

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

/// Answers every create of `tab`'s booking with a 503, each retry when it is due.
fn fail_every_attempt(b: &mut Browser, tab: usize) {
    while !b.calls.is_empty() {
        b.fail_create(503);
        if let Some(at) = b.tabs[tab].client.poll_timeout() {
            if b.calls.is_empty() {
                b.now = b.now.max(at);
                b.input(tab, Input::Timer);
            }
        }
    }
}

/// Books a payload of its own in `tab` (`n` picks the day).
fn book_day(b: &mut Browser, tab: usize, n: u32) -> RequestId {
    b.tabs[tab].next_id += 1;
    let id = b.tabs[tab].next_id;
    let mut r = request();
    r.slot_start = Some(raptor_secondary_core::booking::wire::scalar::Scalar::Text(
        ["2026-12-", &(10 + n).to_string(), "T09:30:00Z"].concat(),
    ));
    b.input(tab, Input::Book { id, request: r });
    id
}

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
    let json = b.origin.snapshot();
    b.input(0, Input::Loaded { json });
    for input in b.origin.breaker() {
        b.input(0, input);
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

/// Random interleavings of two tabs booking three payloads: clicks in either tab, answers
/// (confirmed, 503, none), the clock, abandons and tab reloads (a closed tab's locks are let
/// go, its calls still reach the provider). After every step, across tabs, at most one create
/// is in flight per payload; at the end, every payload was created under one key only (a new
/// one only after the old one's appointment was cancelled again), every
/// call was answered once and every claim was let go. `TABS_SEQUENCES` sets how many.
#[test]
fn random_two_tab_sequences_use_one_key_per_payload() {
    let count: u64 = std::env::var("TABS_SEQUENCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let only: Option<u64> = std::env::var("TABS_SEED").ok().and_then(|v| v.parse().ok());
    let (mut steps_run, mut lookups) = (0u64, 0u64);
    for seed in (0..count).filter(|s| only.is_none_or(|o| o == *s)) {
        let (steps, looked_up) = two_tabs(seed);
        steps_run += steps;
        lookups += looked_up;
    }
    println!("tabs: {count} two-tab sequences, {steps_run} steps, {lookups} lookups of expired bookings; one create in flight per payload across tabs, one key per payload");
}

fn two_tabs(seed: u64) -> (u64, u64) {
    let mut g = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = |n: u64| {
        g ^= g << 13;
        g ^= g >> 7;
        g ^= g << 17;
        g % n
    };
    // One sequence in four runs with a memory cap of 1 to 3 records (storage keeps the rest).
    let cap = match next(4) {
        0 => 1 + next(3) as u32,
        _ => config().idempotency_max_entries,
    };
    // One in four with records that expire within the sequence (then they are looked up); a
    // time to live is at least a booking's deadline (20 s here), as any real one is.
    let ttl = match next(4) {
        0 => 20_000 + next(20_000),
        _ => config().idempotency_ttl_ms,
    };
    let mut b = Browser::with(ClientConfig {
        idempotency_max_entries: cap,
        idempotency_ttl_ms: ttl,
        ..config()
    });
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let mut live = vec![0usize, 1];
    // Double clicks: the tab and the first call's id (the second's is the next).
    let mut clicks: Vec<(usize, RequestId)> = Vec::new();
    let steps = 10 + next(60);
    for _ in 0..steps {
        let tab = live[next(2) as usize];
        match next(10) {
            0..=2 => {
                b.tabs[tab].next_id += 1;
                let id = b.tabs[tab].next_id;
                let mut r = request();
                r.slot_start = Some(raptor_secondary_core::booking::wire::scalar::Scalar::Text(
                    ["2026-12-0", &(1 + next(3)).to_string(), "T09:30:00Z"].concat(),
                ));
                // One booking in four is a double click: two calls in one tick.
                if next(4) == 0 {
                    let request = r.clone();
                    b.tabs[tab]
                        .client
                        .handle(b.now, Input::Book { id, request });
                    b.tabs[tab].next_id += 1;
                    clicks.push((tab, id));
                }
                let id = b.tabs[tab].next_id;
                b.input(tab, Input::Book { id, request: r });
            }
            3..=5 if !b.calls.is_empty() => {
                let i = next(b.calls.len() as u64) as usize;
                let (t, send) = b.calls.remove(i);
                let answer = match next(3) {
                    0 => Answer::Status {
                        status: 503,
                        retry_after: None,
                    },
                    _ => ok(&send),
                };
                b.deliver(t, &live, &send, answer);
            }
            6 => {
                // Now and then a long pause, past a time to live; no call hangs that long, so
                // the provider answers every call first (a page gone away hears nothing).
                let long = next(6) == 0;
                while let Some((t, send)) = b.calls.first().cloned().filter(|_| long) {
                    b.calls.remove(0);
                    b.deliver(t, &live, &send, ok(&send));
                }
                b.now += if long { next(60_000) } else { next(3_000) } as i64;
                for t in live.clone() {
                    b.input(t, Input::Timer);
                }
            }
            7 => {
                let waiting: Vec<RequestId> = (1..=b.tabs[tab].next_id)
                    .filter(|id| !b.tabs[tab].results.contains_key(id))
                    .collect();
                if let Some(&id) = waiting.first() {
                    b.input(
                        tab,
                        Input::Abandon {
                            id,
                            aborted: next(2) == 0,
                        },
                    );
                }
            }
            8 => {
                // A reload: the tab's calls still reach the provider, their answers reach nobody.
                b.close(tab);
                let reopened = b.open();
                live.retain(|t| *t != tab);
                live.push(reopened);
            }
            _ => {}
        }
        check_one_create_per_payload(&b, &live, &mut keys, seed);
    }
    // The end: answer everything, let the clock run out.
    for _ in 0..10_000 {
        if let Some((t, send)) = b.calls.first().cloned() {
            b.calls.remove(0);
            b.deliver(t, &live, &send, ok(&send));
        } else if let Some(at) = live
            .iter()
            .filter_map(|&t| b.tabs[t].client.poll_timeout())
            .min()
        {
            b.now = b.now.max(at);
            for t in live.clone() {
                b.input(t, Input::Timer);
            }
        } else {
            break;
        }
        check_one_create_per_payload(&b, &live, &mut keys, seed);
    }
    for &t in &live {
        let tab = &b.tabs[t];
        assert_eq!(
            tab.results.len() as u32,
            tab.next_id,
            "seed {seed}: a call never answered"
        );
        assert!(!b.origin.busy(t), "seed {seed}: a claim never let go");
    }
    // The two calls of a double click are one run: where both saw an appointment, it is one
    // appointment under one key, whatever the run's end (one that gave up before its run
    // started has neither).
    for (t, id) in clicks {
        let results = &b.tabs[t].results;
        let (Some(x), Some(y)) = (results.get(&id), results.get(&(id + 1))) else {
            continue; // the tab was reloaded before it answered
        };
        if x.appointment_id.is_some() && y.appointment_id.is_some() {
            assert_eq!(
                (&x.idempotency_key, &x.appointment_id),
                (&y.idempotency_key, &y.appointment_id),
                "seed {seed}: a double click made two runs"
            );
        }
    }
    (steps, b.lookups)
}

/// A provider's 2xx for `send`: the appointment, cancelled for a cancel or a compensation; a
/// lookup (`GET /appointments/{id}`) answers with the appointment it names.
fn ok(send: &Send) -> Answer {
    let cancel = matches!(send.step, Step::Cancel | Step::Compensate);
    let looked_up = (send.step == Step::Poll)
        .then(|| send.url.rsplit('/').next().map(str::to_string))
        .flatten();
    Answer::Ok {
        id: Some(looked_up.unwrap_or_else(|| ["apt_", &send.key[..8]].concat())),
        status: Some(if cancel { "cancelled" } else { "confirmed" }.into()),
        status_url: None,
    }
}

impl Browser {
    /// Delivers `answer` to `send`'s tab if it is still open; notes a compensation that went
    /// through.
    fn deliver(&mut self, tab: usize, live: &[usize], send: &Send, answer: Answer) {
        if !live.contains(&tab) {
            return;
        }
        if send.step == Step::Compensate && matches!(answer, Answer::Ok { .. }) {
            let key = send.key.trim_end_matches(":cancel").to_string();
            self.compensated.insert(key);
        }
        let call = send.call;
        self.input(tab, Input::Answer { call, answer });
    }
}

/// Across the open tabs at most one create in flight per payload (its body); one key per
/// payload, including the calls of tabs that went away (the provider still answers those).
fn check_one_create_per_payload(
    b: &Browser,
    live: &[usize],
    keys: &mut BTreeMap<String, String>,
    seed: u64,
) {
    let mut in_flight = std::collections::BTreeSet::new();
    for (tab, send) in b.calls.iter().filter(|(_, s)| s.step == Step::Create) {
        let body = send.body.clone().unwrap_or_default();
        assert!(
            !live.contains(tab) || in_flight.insert(body.clone()),
            "seed {seed}: two creates in flight for one payload"
        );
        let key = keys.entry(body).or_insert_with(|| send.key.clone());
        // A new key only once the old key's appointment was cancelled again (compensated), or
        // once its record may be gone: twice the time to live after the booking ended, which
        // is after its last call.
        let gone = 2 * b.config.idempotency_ttl_ms as i64;
        let forgotten = b
            .last_sent
            .get(key.as_str())
            .is_some_and(|t| b.now - t >= gone);
        if *key != send.key && (b.compensated.contains(key.as_str()) || forgotten) {
            *key = send.key.clone();
        }
        assert_eq!(*key, send.key, "seed {seed}: a second key for one payload");
    }
}
