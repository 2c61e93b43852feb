//! The appointment client: idempotency, the state machine and the bookkeeping around each
//! call. The provider calls themselves (retries, breaker, polling, outbox, compensation) are
//! in [`super::steps`].

use super::breaker::{Breaker, BreakerState};
use super::config::ClientConfig;
use super::env::{Env, Provider};
use super::idempotency::{Begin, IdempotencyStore};
use super::log::{Level, LogRecord};
use super::mask::MaskedPatient;
use super::metrics::{Metrics, MetricsSnapshot};
use super::outbox::{Outbox, OutboxEntry};
use super::outcome::{BookingResult, Operation};
use super::request::{cancel_fingerprint, check_id, BookingRequest, RawBookingRequest};
use super::router::route;
use super::scalar::{text, Scalar};
use super::snapshot::{Snapshot, VERSION};
use super::state::State;
use super::time::format_rfc3339;
use crate::{Error, ErrorCode};
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// Mutable state shared by every call of one client. Never borrowed across an `await`.
pub(super) struct Inner {
    pub(super) breaker: Breaker,
    pub(super) store: IdempotencyStore,
    pub(super) outbox: Outbox,
    pub(super) metrics: Metrics,
}

/// One call's context: what every log record of it carries.
pub(super) struct Ctx {
    pub(super) correlation_id: String,
    pub(super) key: String,
    pub(super) label: Option<String>,
    pub(super) started_ms: i64,
    pub(super) state: Cell<State>,
    pub(super) attempts: Cell<u32>,
    pub(super) retries: Cell<u32>,
    pub(super) appointment_id: RefCell<Option<String>>,
}

/// How a run failed.
pub(super) struct Failed {
    pub(super) error: Error,
    pub(super) compensated: bool,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Self {
        Failed {
            error,
            compensated: false,
        }
    }
}

/// What a run does once it holds its key.
enum Work<'a> {
    Book(&'a BookingRequest),
    Cancel(&'a str),
}

/// The in-browser appointment client, generic over its effects (see [`super::env`]).
pub struct Client<E, P> {
    pub(super) env: E,
    pub(super) provider: P,
    pub(super) config: ClientConfig,
    pub(super) inner: RefCell<Inner>,
    restored: Restored,
}

/// What was read back from storage when the client was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restored {
    /// Whether a storage is configured.
    pub enabled: bool,
    /// Idempotency records restored (bookings in flight at the reload among them).
    pub records: usize,
    /// Outbox entries restored.
    pub outbox: usize,
    /// Of those, entries still waiting to be published (see `flush_outbox`).
    pub pending: usize,
}

impl<E: Env, P: Provider> Client<E, P> {
    /// A client with validated `config`.
    pub fn new(env: E, provider: P, config: ClientConfig) -> Self {
        let mut inner = Inner {
            breaker: Breaker::new(config.breaker()),
            store: IdempotencyStore::new(
                config.idempotency_ttl_ms,
                config.idempotency_max_entries as usize,
            ),
            outbox: Outbox::new(config.idempotency_max_entries as usize),
            metrics: Metrics::default(),
        };
        let mut restored = Restored {
            enabled: env.persists(),
            ..Restored::default()
        };
        if let Some(snapshot) = env
            .load()
            .filter(|s| restored.enabled && s.version == VERSION)
        {
            restored.records = inner.store.restore(snapshot.records, env.now_ms());
            restored.outbox = snapshot.outbox.len();
            restored.pending = snapshot
                .outbox
                .iter()
                .filter(|e| e.status == super::outbox::OutboxStatus::Pending)
                .count();
            inner.outbox.restore(snapshot.outbox);
        }
        Client {
            env,
            provider,
            config,
            inner: RefCell::new(inner),
            restored,
        }
    }

    /// What was restored from storage at construction.
    pub fn restored(&self) -> Restored {
        self.restored
    }

    /// Saves the idempotency records and the outbox, if the env has a storage.
    pub(super) fn persist(&self) {
        if !self.env.persists() {
            return;
        }
        let snapshot = {
            let inner = self.inner.borrow();
            Snapshot {
                version: VERSION,
                records: inner.store.export(self.env.now_ms()),
                outbox: inner.outbox.entries().cloned().collect(),
            }
        };
        self.env.save(&snapshot);
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The effects.
    pub fn env(&self) -> &E {
        &self.env
    }

    /// Counters and latency percentiles.
    pub fn metrics(&self) -> MetricsSnapshot {
        let inner = self.inner.borrow();
        inner.metrics.snapshot(inner.breaker.opens())
    }

    /// The breaker's state as of its last decision (it turns half-open only when a call asks).
    pub fn breaker_state(&self) -> BreakerState {
        self.inner.borrow().breaker.state()
    }

    /// The outbox's entries, oldest first.
    pub fn outbox(&self) -> Vec<OutboxEntry> {
        self.inner.borrow().outbox.entries().cloned().collect()
    }

    /// A random UUID v4 (from [`Env::random_u32`]): idempotency keys and correlation ids.
    pub fn new_id(&self) -> String {
        let w: [u32; 4] = core::array::from_fn(|_| self.env.random_u32());
        let version = (w[1] & 0xffff_0fff) | 0x0000_4000;
        let variant = (w[2] & 0x3fff_ffff) | 0x8000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:04x}{:08x}",
            w[0],
            version >> 16,
            version & 0xffff,
            variant >> 16,
            variant & 0xffff,
            w[3]
        )
    }

    /// Books an appointment. Resolves to a result, never panics: invalid input, a reused key
    /// or an exhausted provider are all failed results with a stable error code.
    pub async fn book(&self, raw: &RawBookingRequest, label: Option<&str>) -> BookingResult {
        let now = self.env.now_ms();
        let explicit = raw.explicit_key().ok().flatten().map(str::to_owned);
        match raw.validate(now) {
            Err(error) => {
                let key = explicit
                    .filter(|k| super::request::check_key(k).is_ok())
                    .unwrap_or_else(|| self.new_id());
                let ctx = self.ctx(key, label, now);
                self.reject(ctx, Some(Operation::Book), error)
            }
            Ok(request) => {
                let fingerprint = request.fingerprint();
                let found = || self.inner.borrow().store.key_for(fingerprint, now);
                let key = explicit.or_else(found).unwrap_or_else(|| self.new_id());
                let ctx = self.ctx(key, label, now);
                self.log(&ctx, Level::Info, "booking.requested", |r| {
                    r.patient = Some(MaskedPatient::of(&request));
                });
                self.run(ctx, Operation::Book, fingerprint, Work::Book(&request))
                    .await
            }
        }
    }

    /// Cancels an appointment by id. Its idempotency key is `cancel:<id>`, so a double click
    /// cancels once.
    pub async fn cancel(
        &self,
        appointment_id: &Option<Scalar>,
        label: Option<&str>,
    ) -> BookingResult {
        let now = self.env.now_ms();
        let id = text(appointment_id, "appointmentId").and_then(|id| {
            let id = id.ok_or_else(|| {
                Error::invalid_field("appointmentId", "appointmentId is required")
            })?;
            check_id(id, "appointmentId").map(|()| id)
        });
        match id {
            Err(error) => {
                let ctx = self.ctx(self.new_id(), label, now);
                self.reject(ctx, Some(Operation::Cancel), error)
            }
            Ok(id) => {
                let ctx = self.ctx(format!("cancel:{id}"), label, now);
                *ctx.appointment_id.borrow_mut() = Some(id.to_owned());
                self.log(&ctx, Level::Info, "cancel.requested", |_| {});
                self.run(
                    ctx,
                    Operation::Cancel,
                    cancel_fingerprint(id),
                    Work::Cancel(id),
                )
                .await
            }
        }
    }

    /// Routes a click's action label (`book-appointment`, `cancel-appointment`) to its
    /// operation; any other label fails with `unknown_action`.
    pub async fn handle(&self, label: &str, raw: &RawBookingRequest) -> BookingResult {
        match route(label) {
            Ok(Operation::Book) => self.book(raw, Some(label)).await,
            Ok(Operation::Cancel) => self.cancel(&raw.appointment_id, Some(label)).await,
            Err(error) => {
                let ctx = self.ctx(self.new_id(), Some(label), self.env.now_ms());
                self.reject(ctx, None, error)
            }
        }
    }

    /// A failed result for input refused before it could be read at all (a request that is
    /// not an object, say), counted and logged like any other rejection.
    pub fn refuse(
        &self,
        operation: Option<Operation>,
        label: Option<&str>,
        error: Error,
    ) -> BookingResult {
        let ctx = self.ctx(self.new_id(), label, self.env.now_ms());
        self.reject(ctx, operation, error)
    }

    fn ctx(&self, key: String, label: Option<&str>, now: i64) -> Ctx {
        self.inner.borrow_mut().metrics.bookings += 1;
        self.uncounted_ctx(key, label, now)
    }

    /// A context for work that is not a booking call (flushing the outbox).
    pub(super) fn uncounted_ctx(&self, key: String, label: Option<&str>, now: i64) -> Ctx {
        Ctx {
            correlation_id: self.new_id(),
            key,
            label: label.map(str::to_owned),
            started_ms: now,
            state: Cell::new(State::Init),
            attempts: Cell::new(0),
            retries: Cell::new(0),
            appointment_id: RefCell::new(None),
        }
    }

    /// A call refused before anything was sent or stored.
    fn reject(&self, ctx: Ctx, operation: Option<Operation>, error: Error) -> BookingResult {
        self.log(&ctx, Level::Warn, "booking.rejected", |r| {
            r.error_code = Some(error.code)
        });
        self.finish(&ctx, operation, Err(error.into()), false)
    }

    /// Takes the key, then runs, joins or replays.
    async fn run(
        &self,
        ctx: Ctx,
        operation: Operation,
        fingerprint: u64,
        work: Work<'_>,
    ) -> BookingResult {
        let begin = self
            .inner
            .borrow_mut()
            .store
            .begin(&ctx.key, fingerprint, ctx.started_ms);
        match begin {
            Begin::Conflict => {
                let error = Error::new(
                    ErrorCode::IdempotencyKeyReused,
                    "this idempotency key was already used with a different request",
                );
                self.reject(ctx, Some(operation), error)
            }
            Begin::Replay(stored) => {
                self.inner.borrow_mut().metrics.idempotent_hits += 1;
                self.log(&ctx, Level::Info, "idempotency.replayed", |r| {
                    r.appointment_id = stored.appointment_id.clone();
                    r.state = stored.state;
                });
                self.replayed(&ctx, stored)
            }
            Begin::Join => {
                self.inner.borrow_mut().metrics.idempotent_hits += 1;
                self.log(&ctx, Level::Info, "idempotency.joined", |_| {});
                let joined = Join {
                    inner: &self.inner,
                    key: &ctx.key,
                }
                .await;
                match joined {
                    Some(stored) => self.replayed(&ctx, stored),
                    None => {
                        let error = Error::new(
                            ErrorCode::RequestInProgress,
                            "the booking this call joined was abandoned",
                        );
                        self.finish(&ctx, Some(operation), Err(error.into()), false)
                    }
                }
            }
            Begin::Start => {
                self.persist();
                let mut guard = InFlight {
                    client: self,
                    ctx: &ctx,
                    operation,
                    done: false,
                };
                self.advance(&ctx, State::InProgress);
                let outcome = match work {
                    Work::Book(request) => self.book_steps(&ctx, request).await,
                    Work::Cancel(id) => self.cancel_steps(&ctx, id).await,
                };
                guard.done = true;
                let result = self.finish(&ctx, Some(operation), outcome, true);
                self.inner
                    .borrow_mut()
                    .store
                    .finish(&ctx.key, result.clone(), self.env.now_ms());
                self.persist();
                result
            }
        }
    }

    /// A stored or joined result, as this call's answer.
    fn replayed(&self, ctx: &Ctx, stored: BookingResult) -> BookingResult {
        let mut inner = self.inner.borrow_mut();
        let duration = self.elapsed(ctx);
        inner.metrics.observe_latency(duration);
        match stored.state {
            State::Completed => inner.metrics.completed += 1,
            _ => inner.metrics.failed += 1,
        }
        BookingResult {
            attempts: 0,
            retries: 0,
            idempotent_replay: true,
            correlation_id: ctx.correlation_id.clone(),
            action_label: ctx.label.clone(),
            duration_ms: duration,
            ..stored
        }
    }

    /// Ends the call: final state, log record, metrics, result.
    fn finish(
        &self,
        ctx: &Ctx,
        operation: Option<Operation>,
        outcome: Result<(), Failed>,
        ran: bool,
    ) -> BookingResult {
        let (state, error, compensated) = match outcome {
            Ok(()) => (State::Completed, None, false),
            Err(Failed { error, compensated }) => (State::Failed, Some(error), compensated),
        };
        self.advance(ctx, state);
        let duration = self.elapsed(ctx);
        {
            let mut inner = self.inner.borrow_mut();
            inner.metrics.observe_latency(duration);
            match state {
                State::Completed => inner.metrics.completed += 1,
                _ => inner.metrics.failed += 1,
            }
        }
        if ran {
            let (level, event) = match state {
                State::Completed => (Level::Info, "booking.completed"),
                _ => (Level::Error, "booking.failed"),
            };
            self.log(ctx, level, event, |r| {
                r.error_code = error.as_ref().map(|e| e.code)
            });
        }
        BookingResult {
            operation,
            state,
            appointment_id: ctx.appointment_id.borrow().clone(),
            error,
            attempts: ctx.attempts.get(),
            retries: ctx.retries.get(),
            idempotent_replay: false,
            correlation_id: ctx.correlation_id.clone(),
            idempotency_key: ctx.key.clone(),
            compensated,
            action_label: ctx.label.clone(),
            duration_ms: duration,
        }
    }

    /// Moves the state machine, logging the change (an invalid move is logged, not applied).
    pub(super) fn advance(&self, ctx: &Ctx, to: State) {
        let from = ctx.state.get();
        match from.transition(to) {
            Ok(next) => {
                ctx.state.set(next);
                self.log(ctx, Level::Info, "state.changed", |r| {
                    r.from = Some(from.name())
                });
            }
            Err(e) => self.log(ctx, Level::Error, "state.invalid_transition", |r| {
                r.error_code = Some(e.code)
            }),
        }
    }

    pub(super) fn elapsed(&self, ctx: &Ctx) -> u64 {
        (self.env.now_ms() - ctx.started_ms).max(0) as u64
    }

    /// Emits one record carrying the call's context; `fill` sets the event's own fields.
    pub(super) fn log(
        &self,
        ctx: &Ctx,
        level: Level,
        event: &'static str,
        fill: impl FnOnce(&mut LogRecord),
    ) {
        let now = self.env.now_ms();
        let mut record = LogRecord {
            ts: format_rfc3339(now),
            level,
            event,
            correlation_id: ctx.correlation_id.clone(),
            idempotency_key: ctx.key.clone(),
            action_label: ctx.label.clone(),
            attempt: None,
            retries: ctx.retries.get(),
            appointment_id: ctx.appointment_id.borrow().clone(),
            state: ctx.state.get(),
            error_code: None,
            duration_ms: Some((now - ctx.started_ms).max(0) as u64),
            step: None,
            status: None,
            delay_ms: None,
            from: None,
            breaker: None,
            patient: None,
        };
        fill(&mut record);
        self.env.emit(record);
    }
}

/// Waits for the run in flight under `key`.
struct Join<'a> {
    inner: &'a RefCell<Inner>,
    key: &'a str,
}

impl Future for Join<'_> {
    type Output = Option<BookingResult>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner
            .borrow_mut()
            .store
            .poll_join(self.key, cx.waker())
    }
}

/// Settles the record of a run whose future was dropped mid-flight (a closed page, a test
/// that stops polling), so calls that joined it are not left waiting for ever.
struct InFlight<'a, E: Env, P: Provider> {
    client: &'a Client<E, P>,
    ctx: &'a Ctx,
    operation: Operation,
    done: bool,
}

impl<E: Env, P: Provider> Drop for InFlight<'_, E, P> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let error = Error::new(
            ErrorCode::Timeout,
            "the call was abandoned before it finished",
        );
        let result = self
            .client
            .finish(self.ctx, Some(self.operation), Err(error.into()), true);
        if let Ok(mut inner) = self.client.inner.try_borrow_mut() {
            inner
                .store
                .finish(&self.ctx.key, result, self.client.env.now_ms());
        }
    }
}
