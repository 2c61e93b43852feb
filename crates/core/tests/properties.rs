//! Property test of the booking core: seeded random sequences of inputs (bookings, cancels,
//! clicks, duplicate and concurrent bookings, answers of every kind and status, malformed
//! bodies, timers, late and duplicate answers, abandons, flushes, reloads), with invariants
//! checked after every input. A sequence is a list of steps ([`Act`]) drawn from its seed; a
//! failing one is shrunk (steps left out while it still fails the same way) and printed as a
//! test to paste here, which fails until the invariant holds again. `PROPERTY_TRACE=1` prints
//! every input and command.
//!
//! ```text
//! cargo test --release -p raptor-secondary-core --test properties -- --nocapture           # 50,000
//! PROPERTY_SEQUENCES=1000000 cargo test --release -p raptor-secondary-core --test properties -- --nocapture
//! PROPERTY_SEED=123 ...                                                                      # one sequence
//! ```

use raptor_secondary_core::booking::report::log::LogRecord;
use raptor_secondary_core::booking::store::snapshot::SavedRecord;
use raptor_secondary_core::booking::wire::scalar::Scalar;
use raptor_secondary_core::booking::{
    Answer, BookingResult, CallId, ChaCha, Client, ClientConfig, Command, Input, RawBookingRequest,
    RequestId, Send, State, Step,
};
use raptor_secondary_core::json::ToJson;
use std::collections::{BTreeMap, BTreeSet};
#[path = "native/storage.rs"]
mod storage;
use storage::Origin;

/// SplitMix64: the generator's own randomness (the core's is its seeded ChaCha).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len() as u64) as usize]
    }
}

const START: i64 = 1_795_420_800_000;
const NAMES: [&str; 3] = ["Jane Doe", "Omar Haddad", "Zoë Brandt"];
const EMAILS: [&str; 3] = [
    "jane.doe@example.org",
    "omar.h@clinic.test",
    "zoe@brandt.example",
];
const PHONE: &str = "+44 20 7946 0958";
const NOTES: &str = "allergic to penicillin";
/// Pieces of personal data that must never appear in a command but the create's own body.
const SECRETS: [&str; 9] = [
    "Jane",
    "Doe",
    "Omar",
    "Haddad",
    "Brandt",
    "example.org",
    "clinic.test",
    "7946 0958",
    "penicillin",
];

fn text(s: &str) -> Option<Scalar> {
    Some(Scalar::Text(s.into()))
}

fn request(g: &mut Gen) -> RawBookingRequest {
    let who = g.below(3) as usize;
    let mut r = RawBookingRequest {
        calendar_id: text(g.word(&["cal_a", "cal_b"])),
        slot_start: text(g.word(&[
            "2026-11-30T09:30:00Z",
            "2026-12-01T10:00:00Z",
            "2026-12-02T11:15:00+01:00",
        ])),
        duration_minutes: Some(Scalar::Number(*g.pick(&[30.0, 45.0]))),
        patient_name: text(NAMES[who]),
        patient_email: text(EMAILS[who]),
        patient_phone: g.chance(50).then(|| Scalar::Text(PHONE.into())),
        notes: g.chance(30).then(|| Scalar::Text(NOTES.into())),
        ..Default::default()
    };
    if g.chance(25) {
        r.idempotency_key = text(g.word(&["caller-key-0001", "caller-key-0002", "bad key"]));
    }
    if g.chance(8) {
        // Spoiled: refused before anything is sent.
        match g.below(3) {
            0 => r.patient_email = None,
            1 => r.duration_minutes = text("30"),
            _ => r.slot_start = text("2020-01-01T00:00:00Z"),
        }
    }
    r
}

fn answer(g: &mut Gen, send: &Send) -> Answer {
    match g.below(20) {
        0..=9 => {
            let status = match send.step {
                Step::Publish => "whatever",
                Step::Cancel | Step::Compensate => "cancelled",
                _ => *g.pick(&["confirmed", "confirmed", "confirmed", "pending", "failed"]),
            };
            let id = *g.pick(&["apt_1", "apt_2", "apt_3", "bad id!"]);
            Answer::Ok {
                id: (!g.chance(3)).then(|| id.into()),
                status: (!g.chance(3)).then(|| status.into()),
                status_url: g
                    .chance(30)
                    .then(|| "https://provider.test/status/x".into()),
            }
        }
        10..=15 => Answer::Status {
            status: *g.pick(&[400, 404, 408, 409, 422, 429, 500, 502, 503]),
            retry_after: g.chance(30).then(|| {
                (*g.pick(&["0", "1", "3600", "Sun, 06 Nov 1994 08:49:37 GMT", "soon"])).into()
            }),
        },
        16..=17 => Answer::Network,
        _ => Answer::Bad,
    }
}

/// One page's view of the run, and what the invariants need across it.
struct World {
    client: Client,
    /// The origin's storage and locks, when the client persists.
    storage: Option<Origin>,
    now: i64,
    next_request: RequestId,
    /// Calls sent and neither answered nor aborted.
    in_flight: BTreeMap<CallId, Send>,
    /// Calls aborted (an answer to them must change nothing).
    aborted: BTreeSet<CallId>,
    /// Requests of this page still waiting for their one answer.
    waiting: BTreeSet<RequestId>,
    answered: BTreeSet<RequestId>,
    /// Sends by correlation id, for the key checks.
    sends: BTreeMap<String, Vec<Send>>,
    logs: Vec<LogRecord>,
    breaker: &'static str,
    probes_in_flight: BTreeSet<CallId>,
    inputs: u64,
    commands: u64,
}

impl World {
    fn new(seed: u64, config: &ClientConfig, storage: Option<Origin>, now: i64) -> World {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        let mut w = World {
            client: Client::new(config.clone(), ChaCha::new(key), now),
            storage: None,
            now,
            next_request: 0,
            in_flight: BTreeMap::new(),
            aborted: BTreeSet::new(),
            waiting: BTreeSet::new(),
            answered: BTreeSet::new(),
            sends: BTreeMap::new(),
            logs: Vec::new(),
            breaker: "closed",
            probes_in_flight: BTreeSet::new(),
            inputs: 0,
            commands: 0,
        };
        if let Some(origin) = storage {
            let loaded = origin.loaded();
            w.storage = Some(origin);
            w.feed(loaded);
            // The secret agreed at load, before anything else (the driver waits for it).
            while let Some(agreed) = w.storage.as_mut().and_then(|o| o.next_grant(0)) {
                w.feed(agreed);
            }
        }
        w
    }

    /// The keys of the records the storage holds.
    fn persisted_keys(&self) -> BTreeSet<String> {
        let items = self.storage.iter().flat_map(|o| o.items.iter());
        items
            .filter(|(name, _)| name.starts_with("p:"))
            .map(|(_, json)| {
                SavedRecord::from_json(json)
                    .expect("a saved record reads back")
                    .key
            })
            .collect()
    }

    /// Feeds the oldest claim granted and not yet fed, if any.
    fn grant(&mut self) -> bool {
        match self.storage.as_mut().and_then(|o| o.next_grant(0)) {
            Some(input) => {
                self.feed(input);
                true
            }
            None => false,
        }
    }

    fn request_id(&mut self) -> RequestId {
        self.next_request += 1;
        self.waiting.insert(self.next_request);
        self.next_request
    }

    /// Feeds one input, drains every command, and checks the invariants.
    fn feed(&mut self, input: Input) {
        self.inputs += 1;
        if std::env::var("PROPERTY_TRACE").is_ok() {
            eprintln!("@{} input {:?}", self.now - START, input);
        }
        let late = match &input {
            Input::Answer { call, .. } => !self.in_flight.contains_key(call),
            _ => false,
        };
        if let Input::Answer { call, .. } = &input {
            if let Some(send) = self.in_flight.remove(call) {
                if send.step.is_guarded() {
                    self.probes_in_flight.remove(call);
                }
            }
        }
        let before = (
            self.client.metrics(),
            self.client.outbox().to_vec(),
            self.client.breaker_state(),
        );
        self.client.handle(self.now, input);
        let mut produced = 0;
        while let Some(command) = self.client.poll() {
            produced += 1;
            self.command(command);
        }
        if late {
            assert_eq!(produced, 0, "a late answer produced commands");
            assert!(
                before
                    == (
                        self.client.metrics(),
                        self.client.outbox().to_vec(),
                        self.client.breaker_state()
                    ),
                "a late answer changed the client"
            );
        }
        if let Some(next) = self.client.poll_timeout() {
            assert!(
                next > self.now,
                "after a full drain the next wake-up is in the future ({next} <= {})",
                self.now
            );
        }
        // At most one call in flight per booking run (its correlation id), and one sender per
        // idempotency key in the page.
        let (mut per_run, mut per_key) = (BTreeSet::new(), BTreeSet::new());
        for send in self.in_flight.values() {
            assert!(
                per_run.insert(&send.correlation_id),
                "two calls in flight for one run ({})",
                send.key
            );
            assert!(
                per_key.insert(&send.key),
                "two calls in flight under key {}",
                send.key
            );
        }
    }

    fn command(&mut self, command: Command) {
        self.commands += 1;
        if std::env::var("PROPERTY_TRACE").is_ok() {
            match &command {
                Command::Log { record } => eprintln!(
                    "    log {} {} {:?}",
                    record.event, record.idempotency_key, record.error_code
                ),
                other => eprintln!("    {}", other.to_json()),
            }
        }
        if !matches!(&command, Command::Send(s) if s.step == Step::Create) {
            let json = command.to_json();
            for secret in SECRETS {
                assert!(
                    !json.contains(secret),
                    "personal data '{secret}' in a command: {json}"
                );
            }
        }
        match command {
            Command::Send(send) => {
                if send.step == Step::Create && self.client.restored().enabled {
                    assert!(
                        self.persisted_keys().contains(&send.key),
                        "create sent before its record was persisted"
                    );
                }
                if send.step.is_guarded() {
                    assert_ne!(
                        self.breaker, "open",
                        "a guarded call while the breaker is open"
                    );
                    if self.breaker == "half_open" {
                        self.probes_in_flight.insert(send.call);
                        assert!(self.probes_in_flight.len() <= 1, "two probes in flight");
                    }
                }
                self.sends
                    .entry(send.correlation_id.clone())
                    .or_default()
                    .push(send.clone());
                assert!(
                    self.in_flight.insert(send.call, send).is_none(),
                    "a call number was reused"
                );
            }
            Command::Abort { call } => {
                assert!(
                    self.in_flight.remove(&call).is_some(),
                    "abort of a call not in flight"
                );
                self.probes_in_flight.remove(&call);
                self.aborted.insert(call);
            }
            Command::Log { record } => {
                if let Some(t) = record.breaker {
                    self.breaker = t.to;
                    if t.to != "half_open" {
                        self.probes_in_flight.clear();
                    }
                }
                self.logs.push(record);
            }
            Command::Done { id, result } => {
                self.answer(id);
                self.check_result(&result);
            }
            Command::Flushed { id, .. } => self.answer(id),
            command => {
                let origin = self.storage.as_mut();
                let origin = origin.expect("storage commands only with a storage");
                assert!(origin.carry_out(0, &command), "{command:?} is carried out");
            }
        }
    }

    fn answer(&mut self, id: RequestId) {
        assert!(
            self.waiting.remove(&id),
            "request {id} answered twice, or never asked"
        );
        self.answered.insert(id);
    }

    /// Every attempt of a run carries the run's key (the event and the compensation theirs).
    fn check_result(&self, result: &BookingResult) {
        if result.idempotent_replay {
            return;
        }
        for send in self.sends.get(&result.correlation_id).into_iter().flatten() {
            let key = &result.idempotency_key;
            let expected = match send.step {
                Step::Create | Step::Poll | Step::Cancel => key.clone(),
                Step::Publish => [key.as_str(), ":event"].concat(),
                Step::Compensate => [key.as_str(), ":cancel"].concat(),
            };
            assert_eq!(
                send.key,
                expected,
                "{} sent under another key",
                send.step.name()
            );
        }
    }

    /// A run that failed once its appointment existed compensated or flagged reconciliation.
    fn check_compensation(&self) {
        for failed in self
            .logs
            .iter()
            .filter(|r| r.event == "booking.failed" && r.appointment_id.is_some())
        {
            if failed.idempotency_key.starts_with("cancel:") {
                continue; // the page's own cancel: its appointment id is the one it cancels
            }
            let of_run = |event: &str| {
                self.logs
                    .iter()
                    .any(|r| r.correlation_id == failed.correlation_id && r.event == event)
            };
            let said_not_confirmed =
                failed.error_code.map(|c| c.as_str()) == Some("provider_rejected");
            assert!(
                of_run("compensation.started")
                    || of_run("reconciliation.needed")
                    || said_not_confirmed,
                "a failure after an appointment existed neither compensated nor flagged: {}",
                failed.to_json()
            );
            if of_run("compensation.started") {
                assert!(
                    of_run("compensation.succeeded") || of_run("reconciliation.needed"),
                    "a compensation that never ended"
                );
            }
        }
    }
}

fn config(g: &mut Gen) -> ClientConfig {
    ClientConfig {
        attempts: 1 + g.below(3) as u32,
        base_delay_ms: 10 + g.below(200),
        max_delay_ms: 500,
        max_retry_after_ms: *g.pick(&[0, 1500, 30_000]),
        attempt_timeout_ms: 100 + g.below(900),
        deadline_ms: 500 + g.below(4000),
        poll_interval_ms: 50 + g.below(400),
        breaker_threshold: 1 + g.below(3) as u32,
        breaker_cooldown_ms: 200 + g.below(2000),
        idempotency_max_entries: 2 + g.below(6) as u32,
        // Short times to live too, so records expire and lapsed ones are looked up.
        idempotency_ttl_ms: *g.pick(&[1_000, 5_000, 86_400_000]),
        ..ClientConfig::default()
    }
}

/// One step of a sequence, with its own random choices: resolved against the world when it
/// runs (which call is answered, which request abandoned), so any sub-list of a sequence is a
/// sequence too, and a failing one shrinks by leaving steps out. Each step that needs
/// something to act on (a call in flight, a request waiting, a claim to grant, a storage to
/// reload) moves the clock instead when there is none, as the generator always did.
#[derive(Clone, Debug, PartialEq)]
enum Act {
    /// `book(request)`, the request drawn from seed `request`.
    Book { request: u64 },
    /// A click labelled by `label` (0 book, 1 cancel, 2 unknown) with a drawn request.
    Click { label: u8, request: u64 },
    /// `cancel` of appointment `apt_1` or `apt_2`.
    Cancel { appointment: u8 },
    /// One call in flight (the `pick`-th) answered with an answer drawn from seed `answer`.
    Answer { pick: u64, answer: u64, clock: Time },
    /// An answer to a call the core aborted (it must change nothing).
    Late { pick: u64, answer: u64, clock: Time },
    /// `flushOutbox()`.
    Flush,
    /// The page gives up on one waiting request.
    Abandon {
        pick: u64,
        aborted: bool,
        clock: Time,
    },
    /// A claim's lock is granted.
    Grant { clock: Time },
    /// The page comes back.
    Wake,
    /// A reload after `after_ms`: the page and its calls are gone; storage is read again.
    Reload { after_ms: u64, clock: Time },
    /// The clock moves, then `Timer`.
    Clock(Time),
}

/// How far the clock moves: not at all, a little, to the core's next wake-up, or a lot.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Time {
    Still,
    By(u64),
    ToWakeUp,
}

fn clock(g: &mut Gen) -> Time {
    match g.below(4) {
        0 => Time::Still,
        1 => Time::By(g.below(50)),
        2 => Time::ToWakeUp,
        _ => Time::By(g.below(3000)),
    }
}

/// The sequence of seed `seed`: its settings, whether it has a storage, and its steps.
fn plan(seed: u64) -> (ClientConfig, bool, Vec<Act>) {
    let mut g = Gen(seed);
    let config = config(&mut g);
    let storage = g.chance(60);
    let steps = 10 + g.below(40);
    let acts = (0..steps)
        .map(|_| {
            let roll = g.below(100);
            let (pick, seed, c) = (g.next(), g.next(), clock(&mut g));
            match roll {
                0..=24 => Act::Book { request: seed },
                25..=29 => Act::Click {
                    label: (pick % 3) as u8,
                    request: seed,
                },
                30..=32 => Act::Cancel {
                    appointment: (pick % 2) as u8,
                },
                33..=59 => Act::Answer {
                    pick,
                    answer: seed,
                    clock: c,
                },
                60..=62 => Act::Late {
                    pick,
                    answer: seed,
                    clock: c,
                },
                63..=64 => Act::Flush,
                65..=67 => Act::Abandon {
                    pick,
                    aborted: seed % 2 == 0,
                    clock: c,
                },
                68..=69 => Act::Reload {
                    after_ms: pick % 2000,
                    clock: c,
                },
                70..=79 => Act::Grant { clock: c },
                80..=81 => Act::Wake,
                _ => Act::Clock(c),
            }
        })
        .collect();
    (config, storage, acts)
}

/// The clock moves as `c` says, then `Timer`.
fn tick(w: &mut World, c: Time) {
    w.now += match c {
        Time::Still => 0,
        Time::By(ms) => ms as i64,
        Time::ToWakeUp => w.client.poll_timeout().map_or(100, |t| (t - w.now).max(0)),
    };
    w.feed(Input::Timer);
}

/// Runs sequence `seed` with steps `acts` (its own, or fewer), then lets it come to rest and
/// checks the end state; returns (inputs, commands). Panics where an invariant breaks.
fn run(seed: u64, acts: &[Act]) -> (u64, u64) {
    let (config, storage, _) = plan(seed);
    let mut w = World::new(seed, &config, storage.then(Origin::default), START);
    let mut totals = (0, 0);
    let pick = |n: usize, pick: u64| (pick % n as u64) as usize;
    for act in acts {
        match act.clone() {
            Act::Book { request: r } => {
                let id = w.request_id();
                let request = request(&mut Gen(r));
                w.feed(Input::Book { id, request });
            }
            Act::Click { label, request: r } => {
                let id = w.request_id();
                let mut g = Gen(r);
                let label = ["book-appointment", "cancel-appointment", "delete-all"]
                    [label as usize]
                    .to_string();
                let mut request = request(&mut g);
                request.appointment_id = g
                    .chance(80)
                    .then(|| Scalar::Text((*g.pick(&["apt_1", "apt_2", "no/way"])).into()));
                w.feed(Input::Click { id, label, request });
            }
            Act::Cancel { appointment } => {
                let id = w.request_id();
                let appointment_id = text(["apt_1", "apt_2"][appointment as usize]);
                w.feed(Input::Cancel { id, appointment_id });
            }
            Act::Answer {
                pick: p,
                answer: a,
                clock: c,
            } => {
                if w.in_flight.is_empty() {
                    tick(&mut w, c);
                    continue;
                }
                let calls: Vec<CallId> = w.in_flight.keys().copied().collect();
                let call = calls[pick(calls.len(), p)];
                let answer = answer(&mut Gen(a), &w.in_flight[&call]);
                w.feed(Input::Answer { call, answer });
            }
            Act::Late {
                pick: p,
                answer: a,
                clock: c,
            } => {
                if w.aborted.is_empty() {
                    tick(&mut w, c);
                    continue;
                }
                let calls: Vec<CallId> = w.aborted.iter().copied().collect();
                let call = calls[pick(calls.len(), p)];
                let send = Send {
                    call,
                    step: Step::Create,
                    method: "POST",
                    url: String::new(),
                    key: String::new(),
                    correlation_id: String::new(),
                    body: None,
                    timeout_ms: 0,
                };
                let answer = answer(&mut Gen(a), &send);
                w.feed(Input::Answer { call, answer });
            }
            Act::Flush => {
                let id = w.request_id();
                w.feed(Input::Flush { id });
            }
            Act::Abandon {
                pick: p,
                aborted,
                clock: c,
            } => {
                if w.waiting.is_empty() {
                    tick(&mut w, c);
                    continue;
                }
                let ids: Vec<RequestId> = w.waiting.iter().copied().collect();
                let id = ids[pick(ids.len(), p)];
                w.feed(Input::Abandon { id, aborted });
            }
            Act::Grant { clock: c } => {
                if !w.storage.as_ref().is_some_and(|o| o.busy(0)) {
                    tick(&mut w, c);
                    continue;
                }
                w.grant();
            }
            Act::Wake => w.feed(Input::Wake),
            Act::Reload { after_ms, clock: c } => {
                if !w.client.restored().enabled {
                    tick(&mut w, c);
                    continue;
                }
                totals.0 += w.inputs;
                totals.1 += w.commands;
                w.check_compensation();
                let now = w.now + after_ms as i64;
                let origin = w.storage.clone().map(|mut o| {
                    o.close(0);
                    o
                });
                w = World::new(seed.wrapping_add(1), &config, origin, now);
            }
            Act::Clock(c) => tick(&mut w, c),
        }
    }
    // Quiescence: every call answered (or timed out), every request answered exactly once.
    let mut g = Gen(seed ^ 0x5eed_0fca_11ed_u64);
    for _ in 0..10_000 {
        if w.grant() {
            continue;
        }
        if let Some((&call, send)) = w.in_flight.iter().next() {
            let send = send.clone();
            let a = if g.chance(50) {
                answer(&mut g, &send)
            } else {
                Answer::Ok {
                    id: Some("apt_1".into()),
                    status: Some("confirmed".into()),
                    status_url: None,
                }
            };
            w.feed(Input::Answer { call, answer: a });
        } else if let Some(next) = w.client.poll_timeout() {
            w.now = next;
            w.feed(Input::Timer);
        } else {
            break;
        }
    }
    assert!(w.in_flight.is_empty(), "calls still in flight at the end");
    assert_eq!(w.client.in_flight(), 0, "bookings still running at the end");
    assert!(
        w.waiting.is_empty(),
        "requests never answered: {:?}",
        w.waiting
    );
    assert!(w.client.bookings().is_empty());
    assert!(
        !w.storage.as_ref().is_some_and(|o| o.busy(0)),
        "a claim neither released nor granted at the end"
    );
    w.check_compensation();
    let states: Vec<State> = w
        .logs
        .iter()
        .filter(|r| r.event == "booking.completed")
        .map(|r| r.state)
        .collect();
    assert!(states.iter().all(|s| *s == State::Completed));
    (totals.0 + w.inputs, totals.1 + w.commands)
}

/// Why `run` panicked, as text (`None`: it did not).
fn failure(seed: u64, acts: &[Act]) -> Option<String> {
    let outcome = std::panic::catch_unwind(|| run(seed, acts)).err()?;
    let text = outcome
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| outcome.downcast_ref::<&str>().map(|s| s.to_string()));
    Some(text.unwrap_or_else(|| "a panic".into()))
}

/// The kind of a failure: its message up to the first value it names, so a shrunk sequence
/// keeps failing the same way (not some other way).
fn kind(message: &str) -> &str {
    let end = message
        .find(|c: char| c.is_ascii_digit() || matches!(c, '(' | '{' | ':' | '\'' | '"' | '['))
        .unwrap_or(message.len());
    message[..end].trim_end()
}

/// Delta debugging: leaves out chunks of steps, halving the chunk, while `fails` still holds.
fn shrink(mut acts: Vec<Act>, fails: impl Fn(&[Act]) -> bool) -> Vec<Act> {
    let mut chunk = acts.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        let mut removed = false;
        while i < acts.len() {
            let end = (i + chunk).min(acts.len());
            let candidate: Vec<Act> = [&acts[..i], &acts[end..]].concat();
            if fails(&candidate) {
                acts = candidate;
                removed = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !removed {
            return acts;
        }
        if !removed {
            chunk = chunk.div_ceil(2);
        }
    }
}

/// The shortest sequence found that fails like `seed`, as a test to paste into this file.
fn shrunk_test(seed: u64, message: &str) -> String {
    let (_, _, acts) = plan(seed);
    let before = acts.len();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let want = kind(message).to_owned();
    let acts = shrink(acts, |acts| {
        failure(seed, acts).is_some_and(|m| kind(&m) == want)
    });
    std::panic::set_hook(hook);
    let steps: Vec<String> = acts.iter().map(|a| format!("        {a:?},")).collect();
    format!(
        "seed {seed} fails ({message}); shrunk from {before} steps to {}. As a test for \
         crates/core/tests/properties.rs, which fails until the invariant holds again:\n\n\
         #[test]\nfn seed_{seed}_shrunk() {{\n    use Act::*;\n    \
         use Time::*;\n    run(\n        {seed},\n        &[\n{}\n        ],\n    );\n}}\n",
        acts.len(),
        steps.join("\n")
    )
}

#[test]
fn random_input_sequences_keep_every_invariant() {
    // 50,000 in a release build (./run_tests.sh runs it so); a debug build's default run is a
    // quick 2,000.
    let default = if cfg!(debug_assertions) {
        2_000
    } else {
        50_000
    };
    let count: u64 = std::env::var("PROPERTY_SEQUENCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    let only: Option<u64> = std::env::var("PROPERTY_SEED")
        .ok()
        .and_then(|v| v.parse().ok());
    let seeds: Box<dyn Iterator<Item = u64>> = match only {
        Some(seed) => Box::new(std::iter::once(seed)),
        None => Box::new(0..count),
    };
    let (mut sequences, mut inputs, mut commands) = (0u64, 0u64, 0u64);
    for seed in seeds {
        let (_, _, acts) = plan(seed);
        let outcome = std::panic::catch_unwind(|| run(seed, &acts));
        match outcome {
            Ok((i, c)) => {
                sequences += 1;
                inputs += i;
                commands += c;
            }
            Err(_) => {
                let message = failure(seed, &acts).unwrap_or_default();
                panic!(
                    "sequence with seed {seed} broke an invariant (PROPERTY_SEED={seed} replays it)\n{}",
                    shrunk_test(seed, &message)
                )
            }
        }
    }
    println!(
        "properties: {sequences} sequences, {inputs} inputs, {commands} commands; invariants after every input: one answer per request, \
         at most one call in flight per run and per idempotency key, one key per step of a run, the record persisted before its create, \
         compensation or reconciliation after a failure with an appointment, no guarded call while open and one probe \
         while half-open, late answers change nothing, no personal data outside the create body, wake-ups in the future, every claim across tabs released by the end"
    );
}

#[test]
fn a_failing_sequence_shrinks_to_the_steps_that_make_it_fail() {
    // A stand-in for a broken invariant: "two wake-ups and a flush, in that order". The
    // shrinker leaves out every other step, and keeps the order.
    let (_, _, mut acts) = plan(7);
    acts.insert(3, Act::Wake);
    acts.insert(9, Act::Wake);
    acts.push(Act::Flush);
    let fails = |acts: &[Act]| {
        let wakes: Vec<usize> = (0..acts.len()).filter(|&i| acts[i] == Act::Wake).collect();
        let flush = acts.iter().rposition(|a| *a == Act::Flush);
        wakes.len() >= 2 && flush.is_some_and(|f| f > wakes[1])
    };
    assert!(fails(&acts));
    assert_eq!(shrink(acts, fails), [Act::Wake, Act::Wake, Act::Flush]);
    // And a real run's failure kind keeps the message, not the values it names.
    assert_eq!(
        kind("two calls in flight under key 4f0c-..."),
        "two calls in flight under key"
    );
    assert_eq!(kind("request 7 answered twice, or never asked"), "request");
}

#[test]
fn a_shrunk_sequence_runs_as_a_pasted_test() {
    // What a failure prints must compile and replay: the steps run as they are written.
    use Act::*;
    use Time::*;
    let (inputs, _) = run(
        11,
        &[
            Book { request: 3 },
            Answer {
                pick: 0,
                answer: 1,
                clock: Still,
            },
            Clock(ToWakeUp),
            Clock(By(40)),
        ],
    );
    assert!(inputs >= 4);
}

#[test]
fn seed_352_shrunk() {
    use Act::*;
    use Time::*;
    run(
        352,
        &[
            Book {
                request: 8533646341257535231,
            },
            Grant { clock: By(1970) },
            Clock(By(1430)),
            Clock(By(2286)),
            Book {
                request: 3964177694190509747,
            },
            Grant { clock: ToWakeUp },
            Wake,
        ],
    );
}
