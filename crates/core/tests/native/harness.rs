//! A test driver for the sans-IO core: a manual clock, a scripted provider and a storage, so a
//! test feeds one input at a time and sees exactly which commands (calls, waits, logs,
//! results) came out. The loop is the one every driver runs: feed an input, drain every
//! command, sleep until `poll_timeout`, feed `Timer` (quinn's `TestEndpoint::drive_outgoing`).

#![allow(dead_code)]

pub use crate::storage::Origin;
use raptor_secondary_core::booking::report::log::LogRecord;
use raptor_secondary_core::booking::wire::scalar::Scalar;
use raptor_secondary_core::booking::{
    Answer, BookingResult, CallId, Client, ClientConfig, Command, Input, Random, RawBookingRequest,
    RequestId, Send,
};
use std::collections::{BTreeMap, VecDeque};

/// 2026-11-23T08:00:00Z.
pub const START: i64 = 1_795_420_800_000;

/// Ids from a counter (unique, reproducible) and scripted jitter draws (half-way when none
/// are left).
#[derive(Default)]
pub struct Scripted {
    pub counter: u32,
    pub draws: VecDeque<u32>,
}

impl Random for Scripted {
    fn id_u32(&mut self) -> u32 {
        self.counter = self.counter.wrapping_add(0x9e37_79b9);
        self.counter
    }
    fn jitter_u32(&mut self) -> u32 {
        self.draws.pop_front().unwrap_or(1 << 31)
    }
}

/// What the scripted provider answers.
#[derive(Clone, Debug)]
pub enum Canned {
    Confirmed,
    Pending,
    Status(u16),
    RetryAfter(u16, &'static str),
    /// No answer: the core's attempt timeout has to end it.
    Timeout,
    Network,
    /// Answers confirmed after this long.
    Slow(u64),
    /// Answers confirmed with this appointment id (a provider replaying a key's first answer).
    ConfirmedAs(&'static str),
    /// Answers with the appointment, cancelled.
    Cancelled,
}

/// A test driver around one client; see the module documentation.
pub struct Sim {
    pub client: Client<Scripted>,
    pub now: i64,
    pub create: VecDeque<Canned>,
    pub get: VecDeque<Canned>,
    pub cancel: VecDeque<Canned>,
    pub publish: VecDeque<Canned>,
    /// Every call sent, in order.
    pub sent: Vec<Send>,
    /// Every call aborted.
    pub aborted: Vec<CallId>,
    pub logs: Vec<LogRecord>,
    pub results: BTreeMap<RequestId, BookingResult>,
    pub flushed: BTreeMap<RequestId, (u32, u32)>,
    /// The storage and locks of the page's origin, when the client persists (`None`: not).
    pub storage: Option<Origin>,
    /// Answers on their way: (due, call, answer).
    deliveries: Vec<(i64, CallId, Answer)>,
    next_id: RequestId,
    created: u32,
}

fn appointment(id: &str, status: &str) -> Answer {
    let status_url = (status == "pending").then(|| ["/api/v2/appointments/", id].concat());
    Answer::Ok {
        id: Some(id.into()),
        status: Some(status.into()),
        status_url,
    }
}

impl Sim {
    pub fn new(config: ClientConfig) -> Self {
        Sim::with(config, Scripted::default(), START, None)
    }

    /// A page whose client persists to an empty storage (`storage: 'local'`, say).
    pub fn stored(config: ClientConfig) -> Self {
        Sim::with(config, Scripted::default(), START, Some(Origin::default()))
    }

    /// A client whose jitter draws are `draws` (then half-way).
    pub fn drawing(config: ClientConfig, draws: &[u32]) -> Self {
        let random = Scripted {
            draws: draws.iter().copied().collect(),
            ..Scripted::default()
        };
        Sim::with(config, random, START, None)
    }

    /// A page: a client at `now` whose storage holds `storage` (`Some` turns persistence on).
    pub fn with(config: ClientConfig, random: Scripted, now: i64, storage: Option<Origin>) -> Self {
        let mut sim = Sim {
            client: Client::new(config, random, now),
            now,
            create: VecDeque::new(),
            get: VecDeque::new(),
            cancel: VecDeque::new(),
            publish: VecDeque::new(),
            sent: Vec::new(),
            aborted: Vec::new(),
            logs: Vec::new(),
            results: BTreeMap::new(),
            flushed: BTreeMap::new(),
            storage: None,
            deliveries: Vec::new(),
            next_id: 1,
            created: 0,
        };
        if let Some(origin) = storage {
            let loaded = origin.loaded();
            sim.storage = Some(origin);
            sim.input(loaded);
        }
        sim
    }

    /// The next page over the same storage (a reload): nothing of this page survives but it.
    pub fn reload(&self, config: ClientConfig) -> Sim {
        let mut next = Sim::with(
            config,
            Scripted {
                counter: 0x5555_0000,
                draws: VecDeque::new(),
            },
            self.now,
            self.storage.clone().map(|mut origin| {
                origin.close(0);
                origin
            }),
        );
        next.created = self.created;
        next
    }

    /// A reload whose provider still has `replies` scripted for `endpoint` (they apply from
    /// the moment the next page loads, when it may already publish what it finds pending).
    pub fn reload_scripted(&self, config: ClientConfig, endpoint: &str, replies: &[Canned]) -> Sim {
        let mut origin = self.storage.clone().expect("a reload needs a storage");
        origin.close(0);
        let random = Scripted {
            counter: 0x5555_0000,
            draws: VecDeque::new(),
        };
        let mut next = Sim::with(config, random, self.now, None);
        next = next.script(endpoint, replies);
        let loaded = origin.loaded();
        next.storage = Some(origin);
        next.input(loaded);
        next.created = self.created;
        next
    }

    pub fn script(mut self, endpoint: &str, replies: &[Canned]) -> Self {
        self.queue(endpoint).extend(replies.iter().cloned());
        self
    }

    fn queue(&mut self, endpoint: &str) -> &mut VecDeque<Canned> {
        match endpoint {
            "create" => &mut self.create,
            "poll" => &mut self.get,
            "cancel" | "compensate" => &mut self.cancel,
            _ => &mut self.publish,
        }
    }

    /// Feeds one input and drains: commands carried out, answers due now delivered.
    pub fn input(&mut self, input: Input) {
        self.client.handle(self.now, input);
        self.pump();
    }

    fn pump(&mut self) {
        loop {
            while let Some(command) = self.client.poll() {
                self.carry_out(command);
            }
            if let Some(grant) = self.storage.as_mut().and_then(|o| o.next_grant(0)) {
                self.client.handle(self.now, grant);
                continue;
            }
            let due = self
                .deliveries
                .iter()
                .position(|(at, _, _)| *at <= self.now);
            match due {
                Some(i) => {
                    let (_, call, answer) = self.deliveries.remove(i);
                    self.client.handle(self.now, Input::Answer { call, answer });
                }
                None => return,
            }
        }
    }

    fn carry_out(&mut self, command: Command) {
        match command {
            Command::Send(send) => {
                let endpoint = send.step.name();
                let reply = self
                    .queue(endpoint)
                    .pop_front()
                    .unwrap_or(Canned::Confirmed);
                let (after, answer) = match reply {
                    Canned::Confirmed | Canned::Pending | Canned::Slow(_) | Canned::Cancelled => {
                        let status = match reply {
                            Canned::Pending => "pending",
                            Canned::Cancelled => "cancelled",
                            _ if endpoint == "cancel" || endpoint == "compensate" => "cancelled",
                            _ => "confirmed",
                        };
                        let after = if let Canned::Slow(ms) = reply {
                            ms as i64
                        } else {
                            0
                        };
                        let id = if endpoint == "create" {
                            self.created += 1;
                            ["apt_", &self.created.to_string()].concat()
                        } else {
                            let parts: Vec<&str> = send.url.split('/').collect();
                            let at = parts.iter().position(|p| *p == "appointments").unwrap_or(0);
                            parts.get(at + 1).map_or(String::new(), |s| s.to_string())
                        };
                        (Some(after), appointment(&id, status))
                    }
                    Canned::ConfirmedAs(id) => (Some(0), appointment(id, "confirmed")),
                    Canned::Status(s) => (
                        Some(0),
                        Answer::Status {
                            status: s,
                            retry_after: None,
                        },
                    ),
                    Canned::RetryAfter(s, after) => (
                        Some(0),
                        Answer::Status {
                            status: s,
                            retry_after: Some(after.into()),
                        },
                    ),
                    Canned::Network => (Some(0), Answer::Network),
                    Canned::Timeout => (None, Answer::Network),
                };
                if let Some(after) = after {
                    self.deliveries.push((self.now + after, send.call, answer));
                }
                self.sent.push(send);
            }
            Command::Abort { call } => {
                self.deliveries.retain(|(_, c, _)| *c != call);
                self.aborted.push(call);
            }
            Command::Log { record } => self.logs.push(record),
            Command::Done { id, result } => {
                assert!(
                    self.results.insert(id, result).is_none(),
                    "one result per call"
                );
            }
            Command::Flushed {
                id,
                published,
                pending,
            } => {
                self.flushed.insert(id, (published, pending));
            }
            command => {
                let origin = self.storage.as_mut();
                let origin = origin.expect("storage commands only with a storage");
                assert!(origin.carry_out(0, &command), "{command:?} is carried out");
            }
        }
    }

    fn id(&mut self) -> RequestId {
        self.next_id += 1;
        self.next_id
    }

    /// `book(request)`; returns the call's id (see [`result`](Self::result)).
    pub fn book(&mut self, request: &RawBookingRequest) -> RequestId {
        let id = self.id();
        self.input(Input::Book {
            id,
            request: request.clone(),
        });
        id
    }

    /// `book(request)` once per request, all in one tick (two clicks the page makes before
    /// the driver carries out a command: a claim's lock is granted only after both); their ids.
    pub fn book_together(&mut self, requests: &[RawBookingRequest]) -> Vec<RequestId> {
        let ids: Vec<RequestId> = requests
            .iter()
            .map(|request| {
                let id = self.id();
                let request = request.clone();
                self.client.handle(self.now, Input::Book { id, request });
                id
            })
            .collect();
        self.pump();
        ids
    }

    /// One request of `replay({ requests, dryRun: false })`; returns the call's id.
    pub fn replay(&mut self, request: &RawBookingRequest) -> RequestId {
        let id = self.id();
        self.input(Input::Replay {
            id,
            request: request.clone(),
        });
        id
    }

    /// `handle(event, request)` with the click's label.
    pub fn handle(&mut self, label: &str, request: &RawBookingRequest) -> RequestId {
        let id = self.id();
        self.input(Input::Click {
            id,
            label: label.into(),
            request: request.clone(),
        });
        id
    }

    /// `flushOutbox()`.
    pub fn flush(&mut self) -> RequestId {
        let id = self.id();
        self.input(Input::Flush { id });
        id
    }

    /// The page gives up on call `id`.
    pub fn abandon(&mut self, id: RequestId) {
        self.input(Input::Abandon { id, aborted: false });
    }

    /// Moves the clock by `ms` and wakes the core.
    pub fn advance(&mut self, ms: u64) {
        self.now += ms as i64;
        self.input(Input::Timer);
    }

    /// Sleeps until the core's next wake-up or the next answer, whichever is first; `false`
    /// when nothing waits.
    pub fn step(&mut self) -> bool {
        let answer = self.deliveries.iter().map(|(at, _, _)| *at).min();
        let Some(next) = [self.client.poll_timeout(), answer]
            .into_iter()
            .flatten()
            .min()
        else {
            return false;
        };
        self.now = self.now.max(next);
        self.input(Input::Timer);
        true
    }

    /// Runs until call `id` is answered (bounded, to catch a livelock); its result.
    pub fn run(&mut self, id: RequestId) -> BookingResult {
        for _ in 0..10_000 {
            if let Some(result) = self.results.get(&id) {
                return result.clone();
            }
            assert!(self.step(), "call {id} is not answered and nothing waits");
        }
        panic!("call {id} still unanswered after 10,000 steps");
    }

    /// `book`, run to its result.
    pub fn booked(&mut self, request: &RawBookingRequest) -> BookingResult {
        let id = self.book(request);
        self.run(id)
    }

    pub fn result(&self, id: RequestId) -> Option<&BookingResult> {
        self.results.get(&id)
    }

    pub fn endpoints(&self) -> Vec<&'static str> {
        self.sent.iter().map(|s| s.step.name()).collect()
    }

    pub fn count(&self, endpoint: &str) -> usize {
        self.sent
            .iter()
            .filter(|s| s.step.name() == endpoint)
            .count()
    }

    pub fn events(&self) -> Vec<&'static str> {
        self.logs.iter().map(|r| r.event).collect()
    }

    /// Every wait the core scheduled (retries and polls), in order.
    pub fn waits(&self) -> Vec<u64> {
        self.logs
            .iter()
            .filter(|r| r.event == "retry.scheduled" || r.event == "poll.scheduled")
            .filter_map(|r| r.delay_ms)
            .collect()
    }
}

/// The test settings: the documented defaults.
pub fn config() -> ClientConfig {
    ClientConfig::default()
}

fn t(s: &str) -> Option<Scalar> {
    Some(Scalar::Text(s.into()))
}

/// A valid booking.
pub fn request() -> RawBookingRequest {
    RawBookingRequest {
        calendar_id: t("cal_dr-smith"),
        slot_start: t("2026-11-30T09:30:00Z"),
        duration_minutes: Some(Scalar::Number(30.0)),
        patient_name: t("Jane Doe"),
        patient_email: t("jane.doe@example.org"),
        patient_phone: t("+44 20 7946 0958"),
        notes: t("allergic to penicillin"),
        ..Default::default()
    }
}

/// A valid booking with the caller's own key.
pub fn keyed(key: &str) -> RawBookingRequest {
    RawBookingRequest {
        idempotency_key: t(key),
        ..request()
    }
}
