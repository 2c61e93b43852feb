//! Two tabs of one origin, deterministically: two cores over one storage and one set of locks
//! (`native/storage.rs`, granted as the Web Locks API grants them), a manual clock and a
//! provider that holds every call until the test answers it. The harness of `claims.rs`,
//! `shared_breaker.rs`, `shared_storage.rs` and `tabs_random.rs`.
#![allow(dead_code)]

use crate::harness::{config, request, Scripted, START};
use crate::storage::Origin;
use raptor_secondary_core::booking::{
    Answer, BookingResult, Client, ClientConfig, Command, Input, RequestId, Send, Step,
};
use std::collections::BTreeMap;

pub struct Tab {
    pub client: Client<Scripted>,
    pub results: BTreeMap<RequestId, BookingResult>,
    pub next_id: RequestId,
}

/// Two tabs, the origin they share, and the provider calls sent and not yet answered.
pub struct Browser {
    pub tabs: Vec<Tab>,
    pub origin: Origin,
    pub now: i64,
    pub calls: Vec<(usize, Send)>,
    pub creates: usize,
    /// Tabs that went away: they do nothing more.
    pub closed: std::collections::BTreeSet<usize>,
    /// Storage events on their way to other tabs (`storage` fires in every other tab).
    pub events: std::collections::VecDeque<(usize, Input)>,
    /// Keys whose appointment a compensation cancelled (its answer reached the tab).
    pub compensated: std::collections::BTreeSet<String>,
    /// What each tab (and each reload) is made with.
    pub config: ClientConfig,
    /// When a call under each key was last sent.
    pub last_sent: BTreeMap<String, i64>,
    /// Lookups of an earlier booking's appointment (`GET` under another key than the one it
    /// was created under).
    pub lookups: u64,
}

impl Browser {
    pub fn new() -> Browser {
        Browser::with(config())
    }

    /// Two tabs made with `config`.
    pub fn with(config: ClientConfig) -> Browser {
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
    pub fn open(&mut self) -> usize {
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
        let loaded = self.origin.loaded();
        self.input(tab, loaded);
        // The secret agreed at load, before anything else (the driver waits for it).
        while let Some(agreed) = self.origin.next_grant(tab) {
            self.input(tab, agreed);
        }
        tab
    }

    pub fn input(&mut self, tab: usize, input: Input) {
        if std::env::var("TABS_TRACE").is_ok() {
            eprintln!("@{} tab {tab} {input:?}", self.now - START);
        }
        self.tabs[tab].client.handle(self.now, input);
        self.drain();
    }

    /// Carries out every tab's commands and feeds every grant, until nothing is left.
    pub fn drain(&mut self) {
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
    pub fn close(&mut self, tab: usize) {
        self.origin.close(tab);
        self.closed.insert(tab);
    }

    /// Answers the oldest create with `status`.
    pub fn fail_create(&mut self, status: u16) {
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

    pub fn book(&mut self, tab: usize) -> RequestId {
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
    pub fn answer(&mut self, step: Step) {
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
    pub fn settle(&mut self) {
        while let Some((_, send)) = self.calls.first() {
            let step = send.step;
            self.answer(step);
        }
    }

    pub fn result(&self, tab: usize, id: RequestId) -> &BookingResult {
        &self.tabs[tab].results[&id]
    }
}

impl Browser {
    /// Delivers `answer` to `send`'s tab if it is still open; notes a compensation that went
    /// through.
    pub fn deliver(&mut self, tab: usize, live: &[usize], send: &Send, answer: Answer) {
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

/// Answers every create of `tab`'s booking with a 503, each retry when it is due.
pub fn fail_every_attempt(b: &mut Browser, tab: usize) {
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
pub fn book_day(b: &mut Browser, tab: usize, n: u32) -> RequestId {
    b.tabs[tab].next_id += 1;
    let id = b.tabs[tab].next_id;
    let mut r = request();
    r.slot_start = Some(raptor_secondary_core::booking::wire::scalar::Scalar::Text(
        ["2026-12-", &(10 + n).to_string(), "T09:30:00Z"].concat(),
    ));
    b.input(tab, Input::Book { id, request: r });
    id
}

/// A provider's 2xx for `send`: the appointment, cancelled for a cancel or a compensation; a
/// lookup (`GET /appointments/{id}`) answers with the appointment it names.
pub fn ok(send: &Send) -> Answer {
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
