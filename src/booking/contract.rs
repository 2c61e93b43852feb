//! The `/api/v2` calendar provider contract, defined once. The client serializes requests and
//! reads answers with these types; the mock provider serves them.
//!
//! | call | method and path | success |
//! |---|---|---|
//! | create | `POST {base}/appointments` (body: [`BookingRequest`]) | `201` confirmed, or `202` pending with `statusUrl` |
//! | get | `GET {statusUrl}` or `GET {base}/appointments/{id}` | `200` [`Appointment`] |
//! | cancel | `POST {base}/appointments/{id}/cancel` | `200` [`Appointment`] with status `cancelled` |
//! | publish | `POST {base}/events` (body: [`AppointmentEvent`]) | `202` |
//!
//! Every unsafe call carries `Idempotency-Key` and `X-Correlation-Id`. Errors carry an
//! [`ErrorBody`]; `409` means "a request with this key is still in flight", `422` "this key was
//! used with another payload", `429`/`503` may carry `Retry-After`.
//!
//! [`BookingRequest`]: super::request::BookingRequest

use serde::{Deserialize, Serialize};

/// The request header carrying the idempotency key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// The request header carrying the correlation id.
pub const CORRELATION_ID_HEADER: &str = "X-Correlation-Id";
/// The type of the follow-up event published after a confirmed booking.
pub const APPOINTMENT_CREATED: &str = "appointment.created";

/// Where an appointment is at the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// Accepted, not yet confirmed: poll `statusUrl`.
    Pending,
    /// Booked.
    Confirmed,
    /// Cancelled.
    Cancelled,
    /// The provider could not book it.
    Failed,
}

/// An appointment as the provider returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    /// The provider's id: 1–64 of `A–Z a–z 0–9 _ -`.
    pub id: String,
    /// Where it is.
    pub status: AppointmentStatus,
    /// Where to poll while `pending` (absolute, or relative to the provider's origin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
}

/// The follow-up event written to the outbox after a confirmed booking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentEvent {
    /// Unique per event; also its idempotency key (`<booking key>:event`).
    pub id: String,
    /// Always [`APPOINTMENT_CREATED`] for now.
    #[serde(rename = "type")]
    pub kind: String,
    /// The confirmed appointment.
    pub appointment_id: String,
    /// Its calendar.
    pub calendar_id: String,
    /// Its slot start, RFC 3339.
    pub slot_start: String,
    /// When the booking was confirmed, RFC 3339.
    pub occurred_at: String,
    /// The booking's correlation id.
    pub correlation_id: String,
}

/// The body of every error answer: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ApiError,
}

/// A provider error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable code, e.g. `idempotency_key_reused`, `invalid_request`, `unavailable`.
    pub code: String,
    /// For people.
    pub message: String,
    /// The request field at fault, for `invalid_request`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
