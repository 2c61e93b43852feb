//! `AppointmentClient`: the appointment client for JavaScript. Plain objects in and out,
//! Promises that always resolve to a result object (failures included), and a constructor
//! that throws an `Error` with `code: 'invalid_options'` for a bad config.

use super::effects::{
    field, lookup, read_fields, scalar_of, split_config, to_js, Interest, Persistence, WebEnv,
};
use super::fetch_provider::FetchProvider;
use super::js_error::to_js_error;
use super::resolve::resolve;
use crate::booking::breaker::BreakerState;
use crate::booking::{BookingResult, Client, Env, Operation, RawBookingRequest, RawClientConfig};
use crate::{Error, ErrorCode};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

type Inner = Client<WebEnv, FetchProvider>;

/// The longest click label `handle` reads into Rust: route names are short, and a hostile page
/// element must not cost a copy of its whole attribute.
const MAX_LABEL_UNITS: u32 = 64;

/// The in-browser appointment client: idempotency keys, retries with backoff, timeouts, a
/// circuit breaker, an outbox with compensation and masked structured logs, over `fetch`.
#[wasm_bindgen]
pub struct AppointmentClient {
    client: Rc<Inner>,
}

/// The breaker as the page shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BreakerView {
    state: &'static str,
    failures: u32,
    retry_in_ms: u64,
    opens: u32,
    threshold: u32,
    cooldown_ms: u64,
}

/// The effective settings, defaults filled in.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigView<'a> {
    base_url: &'a str,
    attempts: u32,
    base_delay_ms: u64,
    max_delay_ms: u64,
    max_retry_after_ms: u64,
    attempt_timeout_ms: u64,
    deadline_ms: u64,
    poll_interval_ms: u64,
    breaker_threshold: u32,
    breaker_cooldown_ms: u64,
    idempotency_ttl_ms: u64,
    idempotency_max_entries: u32,
    log_capacity: u32,
}

fn invalid_options(message: impl Into<String>) -> JsValue {
    to_js_error(&Error::new(ErrorCode::InvalidOptions, message))
}

fn listener(value: JsValue) -> Result<js_sys::Function, JsValue> {
    value
        .dyn_into::<js_sys::Function>()
        .map_err(|_| invalid_options("the listener must be a function"))
}

fn settle(result: BookingResult) -> Result<JsValue, JsValue> {
    Ok(to_js(&result))
}

#[wasm_bindgen]
impl AppointmentClient {
    /// A client for the provider at `config.baseUrl` (default `/api/v2`). Every option is
    /// optional; see `AppointmentClientConfig` for the defaults. Throws an `Error` with
    /// `code: 'invalid_options'` naming the option at fault, or an unknown one.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "AppointmentClientConfig | undefined")]
        config: JsValue,
    ) -> Result<AppointmentClient, JsValue> {
        let split = split_config(&config, &RawClientConfig::FIELDS.join(","));
        let field = |name: &str| field(&split, name);
        if let Some(message) = field("error").as_string() {
            return Err(invalid_options(message));
        }
        let options = field("options");
        let raw = RawClientConfig::from_lookup(lookup(&options));
        let config = raw.validate().map_err(|e| to_js_error(&e))?;
        let sink = field("log").dyn_into::<js_sys::Function>().ok();
        let storage = field("storage");
        let persistence = (!storage.is_undefined()).then(|| Persistence {
            key: field("storageKey")
                .as_string()
                .unwrap_or_else(|| format!("raptor-secondary:v1:{}", config.base_url)),
            storage,
        });
        let env = WebEnv::new(sink, config.log_capacity as usize, persistence);
        let provider = FetchProvider::new(field("fetch"), config.base_url.clone());
        Ok(AppointmentClient {
            client: Rc::new(Client::new(env, provider, config)),
        })
    }

    /// Books an appointment. Resolves to a `BookingResult`; never rejects.
    #[wasm_bindgen(unchecked_return_type = "Promise<BookingResult>")]
    pub fn book(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BookingRequest")] request: JsValue,
    ) -> js_sys::Promise {
        self.run(Some(Operation::Book), None, request)
    }

    /// Cancels an appointment by id (idempotency key `cancel:<id>`). Resolves to a
    /// `BookingResult`; never rejects.
    #[wasm_bindgen(unchecked_return_type = "Promise<BookingResult>")]
    pub fn cancel(
        &self,
        #[wasm_bindgen(js_name = appointmentId, unchecked_param_type = "string")]
        appointment_id: JsValue,
    ) -> js_sys::Promise {
        let client = self.client.clone();
        let id = scalar_of(&appointment_id);
        future_to_promise(async move { settle(client.cancel(&id, None).await) })
    }

    /// For click handlers: resolves the event's action label now, as `resolveAction` does
    /// (target, else `srcElement`, else `currentTarget`; from a nested icon up to the element
    /// carrying `data-action`; a disabled button has none), then books for
    /// `book-appointment`, cancels `request.appointmentId` for `cancel-appointment`, and fails
    /// with `unknown_action` otherwise. Resolves to a `BookingResult`; never rejects.
    #[wasm_bindgen(unchecked_return_type = "Promise<BookingResult>")]
    pub fn handle(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "Event | { target?: unknown; srcElement?: unknown; currentTarget?: unknown }"
        )]
        event: JsValue,
        #[wasm_bindgen(unchecked_param_type = "BookingRequest & { appointmentId?: string }")]
        request: JsValue,
    ) -> js_sys::Promise {
        // Synchronously: after dispatch the browser clears currentTarget and composedPath.
        // Resolving never fails without options, and a bad event is a reason, not an error.
        // A label is copied into Wasm memory only when it could be a route's name.
        let refusal = match resolve(&event, &JsValue::UNDEFINED) {
            Ok(found) => match (found.reason, found.label.dyn_ref::<js_sys::JsString>()) {
                (Some(reason), _) => Err(format!("the click carried no action label ({})", reason.as_str())),
                (None, Some(text)) if text.length() <= MAX_LABEL_UNITS && text.is_valid_utf16() => {
                    Ok(text.as_string().unwrap_or_default())
                }
                (None, _) => Err(
                    "the click's action label is not one this client handles (over 64 characters, or not well-formed text)".into(),
                ),
            },
            Err(_) => Err("the click carried no action label (read_failed)".into()),
        };
        let label = match refusal {
            Ok(label) => label,
            Err(message) => {
                let client = self.client.clone();
                let error = Error::new(ErrorCode::UnknownAction, message);
                return future_to_promise(
                    async move { settle(client.refuse(None, Some(""), error)) },
                );
            }
        };
        self.run(None, Some(label), request)
    }

    fn run(
        &self,
        operation: Option<Operation>,
        label: Option<String>,
        request: JsValue,
    ) -> js_sys::Promise {
        let client = self.client.clone();
        let raw = read_fields(&request, &RawBookingRequest::FIELDS)
            .map(|record| RawBookingRequest::from_lookup(lookup(&record)))
            .map_err(|kind| {
                Error::invalid_field(
                    "request",
                    format!("the request must be an object, got {kind}"),
                )
            });
        future_to_promise(async move {
            let label = label.as_deref();
            let raw = match raw {
                Ok(raw) => raw,
                Err(error) => return settle(client.refuse(operation, label, error)),
            };
            let result = match label {
                Some(label) => client.handle(label, &raw).await,
                None => client.book(&raw, None).await,
            };
            settle(result)
        })
    }

    /// Counters and latency percentiles.
    #[wasm_bindgen(unchecked_return_type = "ClientMetrics")]
    pub fn metrics(&self) -> JsValue {
        to_js(&self.client.metrics())
    }

    /// The most recent log records (`logCapacity` of them), oldest first.
    #[wasm_bindgen(unchecked_return_type = "LogRecord[]")]
    pub fn logs(&self) -> js_sys::Array {
        self.client.env().recent()
    }

    /// The circuit breaker: state, consecutive failures, time left before a probe may go.
    #[wasm_bindgen(unchecked_return_type = "BreakerView")]
    pub fn breaker(&self) -> JsValue {
        let config = self.client.config();
        let now = self.client.env().now_ms();
        let (failures, retry_in_ms) = match self.client.breaker_state() {
            BreakerState::Closed { failures } => (failures, 0),
            BreakerState::Open { until_ms } => {
                (config.breaker_threshold, (until_ms - now).max(0) as u64)
            }
            BreakerState::HalfOpen { .. } => (config.breaker_threshold, 0),
        };
        to_js(&BreakerView {
            state: self.client.breaker_state().name(),
            failures,
            retry_in_ms,
            opens: self.client.metrics().breaker_opens,
            threshold: config.breaker_threshold,
            cooldown_ms: config.breaker_cooldown_ms,
        })
    }

    /// The outbox: follow-up events with their status (`pending`, `published`,
    /// `compensated`, `needs_reconciliation`).
    #[wasm_bindgen(unchecked_return_type = "OutboxEntry[]")]
    pub fn outbox(&self) -> JsValue {
        to_js(&self.client.outbox())
    }

    /// What was read back from storage when the client was made:
    /// `{ enabled, records, outbox, pending }`.
    #[wasm_bindgen(
        unchecked_return_type = "{ enabled: boolean; records: number; outbox: number; pending: number }"
    )]
    pub fn restored(&self) -> JsValue {
        to_js(&self.client.restored())
    }

    /// Publishes outbox events left pending (by a page that went away mid-publish, say);
    /// resolves to `{ published, pending }`. Entries that still fail stay pending.
    #[wasm_bindgen(js_name = flushOutbox, unchecked_return_type = "Promise<{ published: number; pending: number }>")]
    pub fn flush_outbox(&self) -> js_sys::Promise {
        let client = self.client.clone();
        future_to_promise(async move {
            let (published, pending) = client.flush_outbox().await;
            let out = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&out, &"published".into(), &published.into());
            let _ = js_sys::Reflect::set(&out, &"pending".into(), &pending.into());
            Ok(out.into())
        })
    }

    /// The effective settings, defaults filled in.
    #[wasm_bindgen(
        unchecked_return_type = "Required<Omit<AppointmentClientConfig, 'fetch' | 'log'>>"
    )]
    pub fn config(&self) -> JsValue {
        let c = self.client.config();
        to_js(&ConfigView {
            base_url: &c.base_url,
            attempts: c.attempts,
            base_delay_ms: c.base_delay_ms,
            max_delay_ms: c.max_delay_ms,
            max_retry_after_ms: c.max_retry_after_ms,
            attempt_timeout_ms: c.attempt_timeout_ms,
            deadline_ms: c.deadline_ms,
            poll_interval_ms: c.poll_interval_ms,
            breaker_threshold: c.breaker_threshold,
            breaker_cooldown_ms: c.breaker_cooldown_ms,
            idempotency_ttl_ms: c.idempotency_ttl_ms,
            idempotency_max_entries: c.idempotency_max_entries,
            log_capacity: c.log_capacity,
        })
    }

    /// Calls `listener(record)` for every log record; returns an id for `unsubscribe`.
    pub fn subscribe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(record: LogRecord) => void")] listener: JsValue,
    ) -> Result<u32, JsValue> {
        Ok(self
            .client
            .env()
            .subscribe(self::listener(listener)?, Interest::All))
    }

    /// Calls `listener(record)` for booking state changes (records with `from`) and breaker
    /// changes (records with `breaker`); returns an id for `unsubscribe`.
    #[wasm_bindgen(js_name = onStateChange)]
    pub fn on_state_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(record: LogRecord) => void")] listener: JsValue,
    ) -> Result<u32, JsValue> {
        Ok(self
            .client
            .env()
            .subscribe(self::listener(listener)?, Interest::StateChanges))
    }

    /// Removes a listener; `false` if the id is unknown.
    pub fn unsubscribe(&self, id: u32) -> bool {
        self.client.env().unsubscribe(id)
    }

    /// A fresh idempotency key (UUID v4 from `crypto.getRandomValues`), for callers that keep
    /// their own key per booking (across a reload, say).
    #[wasm_bindgen(js_name = newIdempotencyKey)]
    pub fn new_idempotency_key(&self) -> String {
        self.client.new_id()
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of `new AppointmentClient(config)`; every one is optional. */
export interface AppointmentClientConfig {
  /** Provider base URL, default `/api/v2`. */
  baseUrl?: string;
  /** A `fetch`-compatible function, default the global `fetch`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
    /** Receives every log record (already masked). */
  log?: (record: LogRecord) => void;
  /** Keep idempotency records and the outbox across reloads: 'local', 'session', or a
   *  Storage-like object. Default: none (page memory only). */
  storage?: 'local' | 'session' | { getItem(key: string): string | null; setItem(key: string, value: string): void };
  /** The storage item's key; default `raptor-secondary:v1:<baseUrl>`. */
  storageKey?: string;
  /** Attempts per step, first included, 1-10 (3). */
  attempts?: number;
  /** Backoff base delay in ms (100). */
  baseDelayMs?: number;
  /** Backoff delay cap in ms (2000). */
  maxDelayMs?: number;
  /** Longest Retry-After honoured in ms; a longer one ends retrying (30000). */
  maxRetryAfterMs?: number;
  /** Per-attempt timeout in ms (5000). */
  attemptTimeoutMs?: number;
  /** Overall deadline of a booking in ms (20000). */
  deadlineMs?: number;
  /** Wait between polls of a pending booking in ms (500). */
  pollIntervalMs?: number;
  /** Consecutive failures that open the breaker (3). */
  breakerThreshold?: number;
  /** Breaker cool-down in ms (5000). */
  breakerCooldownMs?: number;
  /** How long finished idempotency records are kept in ms (86400000). */
  idempotencyTtlMs?: number;
  /** Most idempotency records kept (500). */
  idempotencyMaxEntries?: number;
  /** Log records kept for `logs()` (1000). */
  logCapacity?: number;
}

/** A booking. See the README for the field constraints. */
export interface BookingRequest {
  calendarId: string;
  /** RFC 3339 with an offset, in the future. */
  slotStart: string;
  durationMinutes: number;
  patientName: string;
  patientEmail: string;
  patientPhone?: string;
  notes?: string;
  /** Supply your own to make retries across reloads safe; default: one per booking. */
  idempotencyKey?: string;
}

export type ErrorCode =
  | 'invalid_options' | 'invalid_request' | 'idempotency_key_reused' | 'retry_exhausted'
  | 'circuit_open' | 'timeout' | 'network_error' | 'provider_unavailable' | 'rate_limited'
  | 'request_in_progress' | 'provider_rejected' | 'bad_response' | 'outbox_publish_failed'
  | 'unknown_action' | 'invalid_transition';

export interface ClientError {
  code: ErrorCode;
  message: string;
  /** The request field at fault (`invalid_request`). */
  field?: string;
  /** The provider's HTTP status, where one caused the error. */
  status?: number;
  /** The failure behind this one (the last attempt's for `retry_exhausted`). */
  cause?: ClientError;
}

export interface BookingResult {
  operation: 'book' | 'cancel' | null;
  state: 'completed' | 'failed';
  appointmentId: string | null;
  error: ClientError | null;
  attempts: number;
  retries: number;
  idempotentReplay: boolean;
  correlationId: string;
  idempotencyKey: string;
  compensated: boolean;
  actionLabel: string | null;
  durationMs: number;
}

export interface LogRecord {
  ts: string;
  level: 'info' | 'warn' | 'error';
  event: string;
  correlation_id: string;
  idempotency_key: string;
  action_label: string | null;
  attempt: number | null;
  retries: number;
  appointment_id: string | null;
  state: 'init' | 'in_progress' | 'completed' | 'failed';
  error_code: ErrorCode | null;
  duration_ms: number | null;
  step?: 'create' | 'poll' | 'publish' | 'compensate' | 'cancel';
  status?: number;
  delay_ms?: number;
  from?: 'init' | 'in_progress' | 'completed' | 'failed';
  breaker?: { from: BreakerState; to: BreakerState };
  patient?: { patientName: string; patientEmail: string; patientPhone?: string; notes?: string };
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerView {
  state: BreakerState;
  failures: number;
  /** Time before a probe may go through, when open. */
  retryInMs: number;
  opens: number;
  threshold: number;
  cooldownMs: number;
}

export interface ClientMetrics {
  bookings: number;
  completed: number;
  failed: number;
  successRate: number | null;
  retries: number;
  idempotentHits: number;
  breakerOpens: number;
  compensations: number;
  reconciliations: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface OutboxEntry {
  event: { id: string; type: 'appointment.created'; appointmentId: string; calendarId: string; slotStart: string; occurredAt: string; correlationId: string };
  bookingKey: string;
  status: 'pending' | 'published' | 'compensated' | 'needs_reconciliation';
}
"#;
