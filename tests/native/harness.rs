//! A manual clock, a scripted provider and a one-poll executor, so a test can step a booking
//! one attempt at a time and see exactly which calls and waits it made.

#![allow(dead_code)]

use raptor_secondary::booking::contract::{Appointment, AppointmentEvent, AppointmentStatus};
use raptor_secondary::booking::log::LogRecord;
use raptor_secondary::booking::retry::Failure;
use raptor_secondary::booking::scalar::Scalar;
use raptor_secondary::booking::snapshot::Snapshot;
use raptor_secondary::booking::{
    BookingRequest, Call, Client, ClientConfig, Env, Provider, RawBookingRequest,
};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// 2026-11-23T08:00:00Z.
pub const START: i64 = 1_795_420_800_000;

/// Clock, sleeps and logs under the test's control.
pub struct ManualEnv {
    pub now: Cell<i64>,
    pub sleeps: RefCell<Vec<u64>>,
    pub draws: RefCell<VecDeque<u32>>,
    pub logs: RefCell<Vec<LogRecord>>,
    /// A storage that outlives clients, when `persist` is on (a page's localStorage).
    pub storage: RefCell<Option<Snapshot>>,
    pub persist: Cell<bool>,
    counter: Cell<u32>,
}

impl ManualEnv {
    pub fn new() -> Self {
        ManualEnv {
            now: Cell::new(START),
            sleeps: RefCell::new(Vec::new()),
            draws: RefCell::new(VecDeque::new()),
            logs: RefCell::new(Vec::new()),
            storage: RefCell::new(None),
            persist: Cell::new(false),
            counter: Cell::new(0),
        }
    }
    pub fn advance(&self, ms: u64) {
        self.now.set(self.now.get() + ms as i64);
    }
    pub fn events(&self) -> Vec<&'static str> {
        self.logs.borrow().iter().map(|r| r.event).collect()
    }
    pub fn json_logs(&self) -> Vec<String> {
        self.logs
            .borrow()
            .iter()
            .map(|r| serde_json::to_string(r).unwrap())
            .collect()
    }
}

pub struct Sleep<'a> {
    env: &'a ManualEnv,
    until: i64,
}

impl Future for Sleep<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.env.now.get() >= self.until {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Env for &ManualEnv {
    fn now_ms(&self) -> i64 {
        self.now.get()
    }
    fn sleep(&self, ms: u64) -> impl Future<Output = ()> {
        self.sleeps.borrow_mut().push(ms);
        Sleep {
            env: self,
            until: self.now.get() + ms as i64,
        }
    }
    fn random_u32(&self) -> u32 {
        // A counter: ids stay unique and reproducible.
        self.counter
            .set(self.counter.get().wrapping_add(0x9e37_79b9));
        self.counter.get()
    }
    fn jitter_u32(&self) -> u32 {
        // Scripted draws; half-way when none are left.
        self.draws.borrow_mut().pop_front().unwrap_or(1 << 31)
    }
    fn emit(&self, record: LogRecord) {
        self.logs.borrow_mut().push(record);
    }
    fn persists(&self) -> bool {
        self.persist.get()
    }
    fn load(&self) -> Option<Snapshot> {
        self.storage.borrow().clone()
    }
    fn save(&self, snapshot: &Snapshot) {
        *self.storage.borrow_mut() = Some(snapshot.clone());
    }
}

/// What the scripted provider answers.
#[derive(Clone, Debug)]
pub enum Reply {
    Confirmed,
    Pending,
    Status(u16),
    RetryAfter(u16, &'static str),
    Timeout,
    Network,
    /// The call takes this long before answering confirmed (the clock moves).
    Slow(u64),
}

/// One call the provider received.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    pub endpoint: &'static str,
    pub key: String,
    pub correlation_id: String,
    pub timeout_ms: u64,
}

/// Answers from per-endpoint scripts; an exhausted script answers success.
pub struct Script<'a> {
    pub env: &'a ManualEnv,
    pub create: RefCell<VecDeque<Reply>>,
    pub get: RefCell<VecDeque<Reply>>,
    pub cancel: RefCell<VecDeque<Reply>>,
    pub publish: RefCell<VecDeque<Reply>>,
    pub calls: RefCell<Vec<Received>>,
}

impl<'a> Script<'a> {
    pub fn new(env: &'a ManualEnv) -> Self {
        Script {
            env,
            create: RefCell::default(),
            get: RefCell::default(),
            cancel: RefCell::default(),
            publish: RefCell::default(),
            calls: RefCell::default(),
        }
    }
    pub fn with(self, endpoint: &str, replies: &[Reply]) -> Self {
        let queue = match endpoint {
            "create" => &self.create,
            "get" => &self.get,
            "cancel" => &self.cancel,
            _ => &self.publish,
        };
        queue.borrow_mut().extend(replies.iter().cloned());
        self
    }
    pub fn endpoints(&self) -> Vec<&'static str> {
        self.calls.borrow().iter().map(|c| c.endpoint).collect()
    }
    pub fn count(&self, endpoint: &str) -> usize {
        self.calls
            .borrow()
            .iter()
            .filter(|c| c.endpoint == endpoint)
            .count()
    }

    fn answer(
        &self,
        endpoint: &'static str,
        call: Call,
        status: AppointmentStatus,
    ) -> Result<Appointment, Failure> {
        let queue = match endpoint {
            "create" => &self.create,
            "get" => &self.get,
            "cancel" => &self.cancel,
            _ => &self.publish,
        };
        self.calls.borrow_mut().push(Received {
            endpoint,
            key: call.idempotency_key,
            correlation_id: call.correlation_id,
            timeout_ms: call.timeout_ms,
        });
        let appointment = |status| Appointment {
            id: "apt_1".into(),
            status,
            status_url: (status == AppointmentStatus::Pending)
                .then(|| "/api/v2/appointments/apt_1".into()),
        };
        match queue.borrow_mut().pop_front().unwrap_or(Reply::Confirmed) {
            Reply::Confirmed => Ok(appointment(status)),
            Reply::Pending => Ok(appointment(AppointmentStatus::Pending)),
            Reply::Status(s) => Err(Failure::status(s)),
            Reply::RetryAfter(s, after) => Err(Failure::Status {
                status: s,
                retry_after: Some(after.into()),
            }),
            Reply::Timeout => {
                self.env.advance(call.timeout_ms);
                Err(Failure::Timeout)
            }
            Reply::Network => Err(Failure::Network),
            Reply::Slow(ms) => {
                self.env.advance(ms);
                Ok(appointment(status))
            }
        }
    }
}

impl<'a> Provider for &'a Script<'a> {
    fn create(
        &self,
        call: Call,
        _: &BookingRequest,
    ) -> impl Future<Output = Result<Appointment, Failure>> {
        std::future::ready(self.answer("create", call, AppointmentStatus::Confirmed))
    }
    fn get(&self, call: Call, url: &str) -> impl Future<Output = Result<Appointment, Failure>> {
        assert_eq!(url, "/api/v2/appointments/apt_1");
        std::future::ready(self.answer("get", call, AppointmentStatus::Confirmed))
    }
    fn cancel(&self, call: Call, id: &str) -> impl Future<Output = Result<Appointment, Failure>> {
        assert_eq!(id, "apt_1");
        std::future::ready(self.answer("cancel", call, AppointmentStatus::Cancelled))
    }
    fn publish(
        &self,
        call: Call,
        event: &AppointmentEvent,
    ) -> impl Future<Output = Result<(), Failure>> {
        assert_eq!(event.kind, "appointment.created");
        std::future::ready(
            self.answer("publish", call, AppointmentStatus::Confirmed)
                .map(|_| ()),
        )
    }
}

/// A client over the manual env and a script, with `config`.
pub fn client<'a>(
    env: &'a ManualEnv,
    script: &'a Script<'a>,
    config: ClientConfig,
) -> Client<&'a ManualEnv, &'a Script<'a>> {
    Client::new(env, script, config)
}

/// Polls once with a no-op waker.
pub fn poll_once<F: Future>(future: &mut Pin<Box<F>>) -> Poll<F::Output> {
    future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
}

/// Drives a future to the end, advancing the manual clock through each sleep.
pub fn run<F: Future>(env: &ManualEnv, future: F) -> F::Output {
    let mut future = Box::pin(future);
    for _ in 0..10_000 {
        if let Poll::Ready(out) = poll_once(&mut future) {
            return out;
        }
        let last = *env.sleeps.borrow().last().expect("pending without a sleep");
        env.advance(last);
    }
    panic!("the future did not finish");
}

/// A valid booking request for a slot a week after [`START`].
pub fn request() -> RawBookingRequest {
    let t = |s: &str| Some(Scalar::Text(s.into()));
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

/// [`request`] with an explicit idempotency key.
pub fn keyed(key: &str) -> RawBookingRequest {
    RawBookingRequest {
        idempotency_key: Some(Scalar::Text(key.into())),
        ..request()
    }
}

/// Defaults with small, round numbers.
pub fn config() -> ClientConfig {
    ClientConfig {
        base_delay_ms: 100,
        max_delay_ms: 1000,
        ..ClientConfig::default()
    }
}
