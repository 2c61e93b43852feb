//! The mock `/api/v2` provider: appointments, server-side idempotency as the IETF draft
//! describes, scenarios, and counters. Requests are read into the client's own contract types
//! and checked with its own validation (`raptor-secondary-core`), and appointments are written
//! with its JSON, so client and server cannot drift apart.

use crate::message::{Request, Response};
use crate::scenario::{Scenario, DELAYED_MS, HANG_MS, SLOW_MS};
use raptor_secondary_core::booking::wire::contract::{
    Appointment, AppointmentEvent, AppointmentStatus,
};
use raptor_secondary_core::booking::wire::scalar::Scalar;
use raptor_secondary_core::booking::{BookingRequest, RawBookingRequest};
use raptor_secondary_core::json::ToJson;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::thread::sleep;
use std::time::Duration;

/// The API prefix.
pub const BASE: &str = "/api/v2";

/// What to do with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Reaction {
    /// Send this.
    Respond(Response),
    /// Hold the connection for `ms`, drop it without an answer, then [`Provider::release`]
    /// the create `key`.
    Hang {
        /// How long.
        ms: u64,
        /// The idempotency key held in flight meanwhile.
        key: String,
    },
}

#[derive(Clone, Debug)]
enum KeyRecord {
    InFlight {
        fingerprint: u64,
    },
    Done {
        fingerprint: u64,
        response: Response,
    },
}

#[derive(Clone, Debug)]
struct Stored {
    appointment: Appointment,
    calendar_id: String,
    slot_start: String,
    patient_email: String,
    key: String,
    polls: u32,
}

impl Stored {
    fn to_value(&self) -> Value {
        json!({
            "appointment": appointment_value(&self.appointment),
            "calendarId": self.calendar_id,
            "slotStart": self.slot_start,
            "patientEmail": self.patient_email,
            "key": self.key,
        })
    }
}

/// An appointment as the client's own JSON writes it.
fn appointment_value(a: &Appointment) -> Value {
    serde_json::from_str(&a.to_json()).unwrap_or(Value::Null)
}

/// A field of a JSON body as the client's validation reads it.
fn scalar(value: &Value) -> Option<Scalar> {
    match value {
        Value::Null => None,
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Number(n) => n.as_f64().map(Scalar::Number),
        Value::String(s) => Some(Scalar::Text(s.clone())),
        Value::Array(_) => Some(Scalar::Compound("an array")),
        Value::Object(_) => Some(Scalar::Compound("an object")),
    }
}

/// A booking request from a JSON body; `None` if the body is not a JSON object.
fn booking_request(body: &[u8]) -> Option<RawBookingRequest> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    Some(RawBookingRequest::from_lookup(|name| {
        object.get(name).and_then(scalar)
    }))
}

/// An event from a JSON body, read as the core reads its own (`AppointmentEvent::from_value`);
/// `None` if the body is not JSON or a field is missing or not a string.
fn event(body: &[u8]) -> Option<AppointmentEvent> {
    let text = std::str::from_utf8(body).ok()?;
    AppointmentEvent::from_value(&raptor_secondary_core::json::parse(text)?)
}

/// Everything the provider holds.
#[derive(Default)]
pub struct State {
    scenario: Option<Scenario>,
    appointments: BTreeMap<String, Stored>,
    keys: HashMap<(String, String), KeyRecord>,
    attempts: HashMap<String, u32>,
    events: Vec<AppointmentEvent>,
    next_id: u64,
    counters: Counters,
}

/// What the admin endpoint reports.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// Calls per endpoint (`create`, `get`, `cancel`, `publish`, `admin`, `preflight`, `other`).
    pub calls: BTreeMap<&'static str, u64>,
    /// Appointments created per idempotency key (more than one would be a duplicate).
    pub created_per_key: BTreeMap<String, u32>,
    /// Stored answers replayed for a repeated key.
    pub replays: u64,
    /// `409`: a request with the key was still in flight.
    pub in_flight_conflicts: u64,
    /// `422`: a key reused with a different payload.
    pub key_mismatches: u64,
    /// `400` for a missing `Idempotency-Key`.
    pub missing_keys: u64,
    /// `400`/`404`/`405`/`413` for bad input.
    pub rejected: u64,
    /// Faults played by the scenario (`429`, `503`, hangs).
    pub injected_faults: u64,
}

fn error(status: u16, code: &str, message: impl Into<String>) -> Response {
    Response::error(status, code, message)
}

fn answer(status: u16, value: &Value) -> Response {
    Response::json(status, value.to_string())
}

/// A thread-safe provider.
pub struct Provider {
    state: Mutex<State>,
    default_scenario: Scenario,
}

impl Provider {
    /// A provider playing `scenario` until told otherwise.
    pub fn new(scenario: Scenario) -> Self {
        Provider {
            state: Mutex::new(State::default()),
            default_scenario: scenario,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic in one handler must not take the provider down with a poisoned lock.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The scenario in force for `request` (its `X-Mock-Scenario` header wins).
    fn scenario(&self, request: &Request) -> Result<Scenario, Response> {
        match request.header("x-mock-scenario") {
            Some(name) => Scenario::parse(name).ok_or_else(|| {
                error(
                    400,
                    "unknown_scenario",
                    format!(
                        "unknown scenario '{name}'; known: {}",
                        crate::scenario::NAMES
                    ),
                )
            }),
            None => Ok(self.lock().scenario.unwrap_or(self.default_scenario)),
        }
    }

    /// Answers one request at `now_ms`.
    pub fn handle(&self, request: &Request, now_ms: i64) -> Reaction {
        let endpoint = endpoint(request);
        *self.lock().counters.calls.entry(endpoint).or_default() += 1;
        let scenario = match self.scenario(request) {
            Ok(s) => s,
            Err(response) => return Reaction::Respond(response),
        };
        if scenario == Scenario::Slow && matches!(endpoint, "create" | "get" | "cancel" | "publish")
        {
            sleep(Duration::from_millis(SLOW_MS));
        }
        let path = request.path.as_str();
        let rest = path.strip_prefix(BASE).unwrap_or("");
        let response = match (request.method.as_str(), endpoint) {
            ("OPTIONS", _) => Response::json(204, String::new()),
            ("POST", "create") => return self.create(request, scenario, now_ms),
            ("GET", "get") => self.get(rest.trim_start_matches("/appointments/")),
            ("POST", "cancel") => {
                let id = rest
                    .trim_start_matches("/appointments/")
                    .trim_end_matches("/cancel");
                self.cancel(request, id)
            }
            ("POST", "publish") => self.publish(request, scenario),
            ("GET", "admin") if path == "/__admin/stats" => self.stats(),
            ("POST", "admin") if path == "/__admin/scenario" => self.set_scenario(request),
            ("POST", "admin") if path == "/__admin/reset" => {
                let scenario = self.lock().scenario;
                *self.lock() = State {
                    scenario,
                    ..State::default()
                };
                answer(200, &json!({ "reset": true }))
            }
            (_, "other") => error(
                404,
                "not_found",
                format!("no such endpoint: {} {path}", request.method),
            ),
            _ => error(
                405,
                "method_not_allowed",
                format!("{} is not allowed on {path}", request.method),
            ),
        };
        if response.status >= 400 && !matches!(response.status, 409 | 422 | 429 | 503) {
            self.lock().counters.rejected += 1;
        }
        Reaction::Respond(response)
    }

    /// Takes the key for an unsafe call: `Ok(Some(replay))`, `Ok(None)` to go ahead, or the
    /// error answer (missing key 400, in flight 409, other payload 422).
    fn take_key(
        &self,
        request: &Request,
        scope: &str,
        fingerprint: u64,
    ) -> Result<Option<Response>, Response> {
        let Some(key) = request.header("idempotency-key").filter(|k| !k.is_empty()) else {
            self.lock().counters.missing_keys += 1;
            return Err(error(
                400,
                "missing_idempotency_key",
                "unsafe calls need an Idempotency-Key header",
            ));
        };
        if key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(error(
                400,
                "invalid_idempotency_key",
                "the Idempotency-Key must be 1-255 visible ASCII characters",
            ));
        }
        let mut state = self.lock();
        let slot = (scope.to_owned(), key.to_owned());
        match state.keys.get(&slot).cloned() {
            Some(
                KeyRecord::InFlight {
                    fingerprint: stored,
                }
                | KeyRecord::Done {
                    fingerprint: stored,
                    ..
                },
            ) if stored != fingerprint => {
                state.counters.key_mismatches += 1;
                Err(error(
                    422,
                    "idempotency_key_reused",
                    "this Idempotency-Key was used with a different payload",
                ))
            }
            Some(KeyRecord::InFlight { .. }) => {
                state.counters.in_flight_conflicts += 1;
                // Tells the client when to come back, so its retry finds the stored answer.
                Err(error(
                    409,
                    "request_in_progress",
                    "a request with this Idempotency-Key is still being processed",
                )
                .with_header("Retry-After", "1"))
            }
            Some(KeyRecord::Done { response, .. }) => {
                state.counters.replays += 1;
                Ok(Some(response.with_header("Idempotent-Replayed", "true")))
            }
            None => {
                state.keys.insert(slot, KeyRecord::InFlight { fingerprint });
                Ok(None)
            }
        }
    }

    /// Settles a key: a success or a refusal is stored for replay; a retryable failure frees
    /// the key so the client's retry runs again.
    fn settle_key(&self, scope: &str, key: &str, fingerprint: u64, response: &Response) {
        let mut state = self.lock();
        let slot = (scope.to_owned(), key.to_owned());
        if matches!(response.status, 408 | 409 | 429 | 500..=599) {
            state.keys.remove(&slot);
        } else {
            state.keys.insert(
                slot,
                KeyRecord::Done {
                    fingerprint,
                    response: response.clone(),
                },
            );
        }
    }

    fn create(&self, request: &Request, scenario: Scenario, now_ms: i64) -> Reaction {
        let Some(raw) = booking_request(&request.body) else {
            self.lock().counters.rejected += 1;
            return Reaction::Respond(error(400, "invalid_json", "the body is not a JSON object"));
        };
        let booking = match raw.validate(now_ms) {
            Ok(b) => b,
            Err(mut e) => {
                self.lock().counters.rejected += 1;
                let response = Response::error_with_field(
                    400,
                    e.code.as_str(),
                    core::mem::take(&mut e.message),
                    e.field,
                );
                return Reaction::Respond(response);
            }
        };
        let fingerprint = booking.fingerprint();
        let key = request
            .header("idempotency-key")
            .unwrap_or_default()
            .to_owned();
        match self.take_key(request, "create", fingerprint) {
            Err(response) => return Reaction::Respond(response),
            Ok(Some(replay)) => return Reaction::Respond(replay),
            Ok(None) => {}
        }
        let attempt = {
            let mut state = self.lock();
            let n = state.attempts.entry(key.clone()).or_default();
            *n += 1;
            *n
        };
        let fault = match scenario {
            Scenario::FailOnce if attempt == 1 => {
                Some(error(503, "unavailable", "scripted failure (fail_once)"))
            }
            Scenario::FailTimes(n) if attempt <= n => Some(error(
                503,
                "unavailable",
                format!("scripted failure {attempt} of {n}"),
            )),
            Scenario::Down => Some(error(
                503,
                "unavailable",
                "the provider is down (scenario down)",
            )),
            Scenario::RateLimited if attempt == 1 => {
                Some(error(429, "rate_limited", "slow down").with_header("Retry-After", "1"))
            }
            Scenario::Unavailable if attempt == 1 => {
                Some(error(503, "unavailable", "back in a second").with_header("Retry-After", "1"))
            }
            Scenario::AlwaysTimeout => {
                // Held in flight while hanging (a retry with the key gets 409), then released.
                self.lock().counters.injected_faults += 1;
                return Reaction::Hang { ms: HANG_MS, key };
            }
            _ => None,
        };
        if let Some(response) = fault {
            self.lock().counters.injected_faults += 1;
            self.settle_key("create", &key, fingerprint, &response);
            return Reaction::Respond(response);
        }
        if scenario == Scenario::Delayed {
            sleep(Duration::from_millis(DELAYED_MS));
        }
        let response = self.book(&booking, &key, scenario == Scenario::Pending);
        self.settle_key("create", &key, fingerprint, &response);
        Reaction::Respond(response)
    }

    fn book(&self, booking: &BookingRequest, key: &str, pending: bool) -> Response {
        let mut state = self.lock();
        state.next_id += 1;
        let id = format!("apt_{:04}", state.next_id);
        let appointment = Appointment {
            id: id.clone(),
            status: if pending {
                AppointmentStatus::Pending
            } else {
                AppointmentStatus::Confirmed
            },
            status_url: pending.then(|| format!("{BASE}/appointments/{id}")),
        };
        state.appointments.insert(
            id,
            Stored {
                appointment: appointment.clone(),
                calendar_id: booking.calendar_id.clone(),
                slot_start: booking.slot_start.clone(),
                patient_email: raptor_secondary_core::booking::wire::mask::mask_email(
                    &booking.patient_email,
                ),
                key: key.to_owned(),
                polls: 0,
            },
        );
        *state
            .counters
            .created_per_key
            .entry(key.to_owned())
            .or_default() += 1;
        Response::json(if pending { 202 } else { 201 }, appointment.to_json())
    }

    fn get(&self, id: &str) -> Response {
        let mut state = self.lock();
        let Some(stored) = state.appointments.get_mut(id) else {
            return error(404, "not_found", format!("no appointment '{id}'"));
        };
        if stored.appointment.status == AppointmentStatus::Pending {
            stored.polls += 1;
            if stored.polls >= 2 {
                stored.appointment.status = AppointmentStatus::Confirmed;
                stored.appointment.status_url = None;
            }
        }
        Response::json(200, stored.appointment.to_json())
    }

    fn cancel(&self, request: &Request, id: &str) -> Response {
        if !self.lock().appointments.contains_key(id) {
            return error(404, "not_found", format!("no appointment '{id}'"));
        }
        let fingerprint = raptor_secondary_core::booking::wire::request::cancel_fingerprint(id);
        let key = request
            .header("idempotency-key")
            .unwrap_or_default()
            .to_owned();
        match self.take_key(request, "cancel", fingerprint) {
            Err(response) | Ok(Some(response)) => return response,
            Ok(None) => {}
        }
        let response = {
            let mut state = self.lock();
            let stored = state.appointments.get_mut(id).expect("checked above");
            stored.appointment.status = AppointmentStatus::Cancelled;
            stored.appointment.status_url = None;
            Response::json(200, stored.appointment.to_json())
        };
        self.settle_key("cancel", &key, fingerprint, &response);
        response
    }

    fn publish(&self, request: &Request, scenario: Scenario) -> Response {
        let Some(event) = event(&request.body) else {
            return error(400, "invalid_json", "the body is not an appointment event");
        };
        let fingerprint = {
            let text = event.to_json();
            raptor_secondary_core::booking::wire::request::fingerprint_of(&[
                b"event",
                text.as_bytes(),
            ])
        };
        let key = request
            .header("idempotency-key")
            .unwrap_or_default()
            .to_owned();
        match self.take_key(request, "publish", fingerprint) {
            Err(response) | Ok(Some(response)) => return response,
            Ok(None) => {}
        }
        let response = if scenario == Scenario::EventsDown {
            self.lock().counters.injected_faults += 1;
            error(
                503,
                "unavailable",
                "the event endpoint is down (scenario events_down)",
            )
        } else if !self.lock().appointments.contains_key(&event.appointment_id) {
            error(
                404,
                "not_found",
                format!("no appointment '{}'", event.appointment_id),
            )
        } else {
            self.lock().events.push(event);
            answer(202, &json!({ "accepted": true }))
        };
        self.settle_key("publish", &key, fingerprint, &response);
        response
    }

    fn set_scenario(&self, request: &Request) -> Response {
        let name = serde_json::from_slice::<Value>(&request.body)
            .ok()
            .and_then(|v| v.get("scenario")?.as_str().map(str::to_owned));
        let Some(name) = name else {
            return error(400, "invalid_json", "expected {\"scenario\": \"name\"}");
        };
        match Scenario::parse(&name) {
            Some(s) => {
                self.lock().scenario = Some(s);
                answer(200, &json!({ "scenario": s.name() }))
            }
            None => error(
                400,
                "unknown_scenario",
                format!(
                    "unknown scenario '{}'; known: {}",
                    name,
                    crate::scenario::NAMES
                ),
            ),
        }
    }

    /// Frees a create key held by a hung request.
    pub fn release(&self, key: &str) {
        self.lock()
            .keys
            .remove(&("create".to_owned(), key.to_owned()));
    }

    /// The admin report.
    pub fn stats(&self) -> Response {
        let state = self.lock();
        // A slot of a calendar can be held once: two active appointments there are a double booking.
        let mut seen: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
        for s in state
            .appointments
            .values()
            .filter(|s| s.appointment.status != AppointmentStatus::Cancelled)
        {
            seen.entry((&s.calendar_id, &s.slot_start))
                .or_default()
                .push(&s.appointment.id);
        }
        let mut duplicates: Vec<String> = seen
            .into_values()
            .filter(|ids| ids.len() > 1)
            .map(|ids| ids.join("+"))
            .collect();
        duplicates.extend(
            state
                .counters
                .created_per_key
                .iter()
                .filter(|(_, n)| **n > 1)
                .map(|(k, n)| format!("key {k} created {n}")),
        );
        duplicates.sort();
        // `duplicates`: active (not cancelled) appointments sharing a calendar slot, and keys
        // that created more than one appointment: both must stay empty.
        answer(
            200,
            &json!({
                "scenario": state.scenario.unwrap_or(self.default_scenario).name(),
                "counters": state.counters,
                "appointments": state.appointments.values().map(Stored::to_value).collect::<Vec<_>>(),
                "events": state.events.len(),
                "duplicates": duplicates,
            }),
        )
    }
}

/// Which endpoint a request is for, for counters.
fn endpoint(request: &Request) -> &'static str {
    let path = request.path.as_str();
    if request.method == "OPTIONS" {
        return "preflight";
    }
    if path.starts_with("/__admin/") {
        return "admin";
    }
    let Some(rest) = path.strip_prefix(BASE) else {
        return "other";
    };
    let segments: Vec<&str> = rest.split('/').skip(1).collect();
    match segments.as_slice() {
        ["appointments"] => "create",
        ["appointments", id] if !id.is_empty() => "get",
        ["appointments", id, "cancel"] if !id.is_empty() => "cancel",
        ["events"] => "publish",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_420_800_000; // 2026-11-23T08:00:00Z

    fn request(method: &str, path: &str, key: Option<&str>, body: &str) -> Request {
        let mut headers = Vec::new();
        if let Some(key) = key {
            headers.push(("idempotency-key".to_owned(), key.to_owned()));
        }
        Request {
            method: method.into(),
            path: path.into(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn booking(slot: &str) -> String {
        format!(
            r#"{{"calendarId":"cal_1","slotStart":"{slot}","durationMinutes":30,"patientName":"Jane Doe","patientEmail":"jane@example.org"}}"#
        )
    }

    fn respond(p: &Provider, r: &Request) -> Response {
        match p.handle(r, NOW) {
            Reaction::Respond(response) => response,
            other => panic!("expected an answer, got {other:?}"),
        }
    }

    fn create(p: &Provider, key: Option<&str>, body: &str) -> Response {
        respond(p, &request("POST", "/api/v2/appointments", key, body))
    }

    fn stats(p: &Provider) -> serde_json::Value {
        serde_json::from_str(&p.stats().body).unwrap()
    }

    #[test]
    fn idempotency_as_the_ietf_draft_describes() {
        let p = Provider::new(Scenario::Immediate);
        let body = booking("2026-12-01T09:00:00Z");
        assert_eq!(create(&p, None, &body).status, 400);
        let first = create(&p, Some("key-1"), &body);
        assert_eq!(first.status, 201);
        let replay = create(&p, Some("key-1"), &body);
        assert_eq!((replay.status, &replay.body), (201, &first.body));
        assert!(replay
            .headers
            .contains(&("Idempotent-Replayed", "true".into())));
        assert_eq!(
            create(&p, Some("key-1"), &booking("2026-12-02T09:00:00Z")).status,
            422
        );
        // In flight: a second request under the key gets 409.
        let raw = booking_request(body.as_bytes()).unwrap();
        let fp = raw.validate(NOW).unwrap().fingerprint();
        p.lock().keys.insert(
            ("create".into(), "key-2".into()),
            KeyRecord::InFlight { fingerprint: fp },
        );
        assert_eq!(create(&p, Some("key-2"), &body).status, 409);
        let s = stats(&p);
        assert_eq!(s["counters"]["createdPerKey"]["key-1"], 1);
        assert_eq!(s["duplicates"], serde_json::json!([]));
    }

    #[test]
    fn bad_input_gets_4xx_with_a_code() {
        let p = Provider::new(Scenario::Immediate);
        let cases = [
            ("{", "invalid_json"),
            (r#"{"calendarId": 7}"#, "invalid_request"),
            (r#"[1,2]"#, "invalid_json"),
            (&booking("yesterday"), "invalid_request"),
        ];
        for (body, code) in cases {
            let r = create(&p, Some("key-x"), body);
            assert_eq!(r.status, 400, "{body}");
            assert!(r.body.contains(code), "{body}: {}", r.body);
        }
        let r = respond(
            &p,
            &request("POST", "/api/v2/events", Some("k"), r#"{"id": 1}"#),
        );
        assert_eq!(r.status, 400);
        assert_eq!(
            respond(&p, &request("DELETE", "/api/v2/appointments", None, "")).status,
            405
        );
        assert_eq!(respond(&p, &request("GET", "/nope", None, "")).status, 404);
        assert_eq!(
            respond(&p, &request("GET", "/api/v2/appointments/apt_9", None, "")).status,
            404
        );
    }

    #[test]
    fn fail_once_frees_the_key_so_the_retry_books_once() {
        let p = Provider::new(Scenario::FailOnce);
        let body = booking("2026-12-01T09:00:00Z");
        assert_eq!(create(&p, Some("key-1"), &body).status, 503);
        assert_eq!(create(&p, Some("key-1"), &body).status, 201);
        assert_eq!(create(&p, Some("key-1"), &body).status, 201);
        assert_eq!(stats(&p)["counters"]["createdPerKey"]["key-1"], 1);
    }

    #[test]
    fn scenarios_rate_limit_pend_and_take_events_down() {
        let p = Provider::new(Scenario::RateLimited);
        let r = create(&p, Some("key-1"), &booking("2026-12-01T09:00:00Z"));
        assert_eq!(r.status, 429);
        assert!(r.headers.contains(&("Retry-After", "1".into())));

        let p = Provider::new(Scenario::Pending);
        let r = create(&p, Some("key-1"), &booking("2026-12-01T09:00:00Z"));
        assert_eq!(r.status, 202);
        let get = request("GET", "/api/v2/appointments/apt_0001", None, "");
        assert!(respond(&p, &get).body.contains("pending"));
        assert!(respond(&p, &get).body.contains("confirmed"));

        let p = Provider::new(Scenario::EventsDown);
        create(&p, Some("key-1"), &booking("2026-12-01T09:00:00Z"));
        let event = r#"{"id":"key-1:event","type":"appointment.created","appointmentId":"apt_0001","calendarId":"cal_1","slotStart":"2026-12-01T09:00:00Z","occurredAt":"2026-11-23T08:00:00.000Z","correlationId":"c"}"#;
        assert_eq!(
            respond(
                &p,
                &request("POST", "/api/v2/events", Some("key-1:event"), event)
            )
            .status,
            503
        );
        let cancel = request(
            "POST",
            "/api/v2/appointments/apt_0001/cancel",
            Some("key-1:cancel"),
            "",
        );
        assert!(respond(&p, &cancel).body.contains("cancelled"));
        assert_eq!(stats(&p)["duplicates"], serde_json::json!([]));
    }

    #[test]
    fn always_timeout_hangs_and_holds_the_key() {
        let p = Provider::new(Scenario::AlwaysTimeout);
        let body = booking("2026-12-01T09:00:00Z");
        assert!(matches!(
            p.handle(
                &request("POST", "/api/v2/appointments", Some("key-1"), &body),
                NOW
            ),
            Reaction::Hang { .. }
        ));
        assert_eq!(create(&p, Some("key-1"), &body).status, 409);
        p.release("key-1");
        assert!(matches!(
            p.handle(
                &request("POST", "/api/v2/appointments", Some("key-1"), &body),
                NOW
            ),
            Reaction::Hang { .. }
        ));
    }

    #[test]
    fn two_bookings_of_one_slot_are_reported_as_duplicates() {
        let p = Provider::new(Scenario::Immediate);
        create(&p, Some("key-1"), &booking("2026-12-01T09:00:00Z"));
        create(&p, Some("key-2"), &booking("2026-12-01T09:00:00Z"));
        assert_eq!(
            stats(&p)["duplicates"],
            serde_json::json!(["apt_0001+apt_0002"])
        );
    }
}
