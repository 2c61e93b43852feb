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
//! Every unsafe call carries `Idempotency-Key` and `X-Correlation-Id`. Errors carry
//! `{"error": {"code", "message", "field"?}}` (the client reads only the status: no provider
//! text reaches a result, storage or a log); `409` means "a request with this key is still in flight", `422` "this key was
//! used with another payload", `429`/`503` may carry `Retry-After`.
//!
//! [`BookingRequest`]: super::request::BookingRequest
use alloc::string::String;

use crate::json::{ToJson, Value};

/// The request header carrying the idempotency key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// The request header carrying the correlation id.
pub const CORRELATION_ID_HEADER: &str = "X-Correlation-Id";
/// The type of the follow-up event published after a confirmed booking.
pub const APPOINTMENT_CREATED: &str = "appointment.created";

/// Where an appointment is at the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

impl AppointmentStatus {
    const ALL: [AppointmentStatus; 4] = [
        AppointmentStatus::Pending,
        AppointmentStatus::Confirmed,
        AppointmentStatus::Cancelled,
        AppointmentStatus::Failed,
    ];

    /// The status's wire spelling.
    pub const fn name(self) -> &'static str {
        match self {
            AppointmentStatus::Pending => "pending",
            AppointmentStatus::Confirmed => "confirmed",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::Failed => "failed",
        }
    }

    /// The status for its wire spelling.
    pub fn parse(name: &str) -> Option<AppointmentStatus> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl ToJson for AppointmentStatus {
    fn write_json(&self, out: &mut String) {
        self.name().write_json(out);
    }
}

crate::json_record! {
    /// An appointment as the provider returns it.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Appointment {
        /// The provider's id: 1–64 of `A–Z a–z 0–9 _ -`.
        pub id: String => "id",
        /// Where it is.
        pub status: AppointmentStatus => "status",
        /// Where to poll while `pending` (absolute, or relative to the provider's origin).
        pub status_url: Option<String> => "statusUrl" [optional],
    }
}

crate::json_record! {
    /// The follow-up event written to the outbox after a confirmed booking. Its JSON is the
    /// body of `POST /events`, written once and sent byte for byte on every try.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct AppointmentEvent {
        /// Unique per event; also its idempotency key (`<booking key>:event`).
        pub id: String => "id",
        /// Always [`APPOINTMENT_CREATED`] for now.
        pub kind: String => "type",
        /// The confirmed appointment.
        pub appointment_id: String => "appointmentId",
        /// Its calendar.
        pub calendar_id: String => "calendarId",
        /// Its slot start, RFC 3339.
        pub slot_start: String => "slotStart",
        /// When the booking was confirmed, RFC 3339.
        pub occurred_at: String => "occurredAt",
        /// The booking's correlation id.
        pub correlation_id: String => "correlationId",
    }
}

impl AppointmentEvent {
    /// An event from its JSON (as [`ToJson`] writes it); `None` if a field is missing or not
    /// a string.
    pub fn from_value(v: &Value) -> Option<AppointmentEvent> {
        // Every field read before any is copied: a missing one then has nothing to drop.
        let text = |name| v.str_field(name);
        let (
            Some(id),
            Some(kind),
            Some(appointment_id),
            Some(calendar_id),
            Some(slot_start),
            Some(occurred_at),
            Some(correlation_id),
        ) = (
            text("id"),
            text("type"),
            text("appointmentId"),
            text("calendarId"),
            text("slotStart"),
            text("occurredAt"),
            text("correlationId"),
        )
        else {
            return None;
        };
        Some(AppointmentEvent {
            id: id.into(),
            kind: kind.into(),
            appointment_id: appointment_id.into(),
            calendar_id: calendar_id.into(),
            slot_start: slot_start.into(),
            occurred_at: occurred_at.into(),
            correlation_id: correlation_id.into(),
        })
    }
}

/// A kind of provider call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `POST {base}/appointments`.
    Create,
    /// `GET {statusUrl}` while pending.
    Poll,
    /// `POST {base}/events`.
    Publish,
    /// `POST {base}/appointments/{id}/cancel` after a failure (key `<key>:cancel`).
    Compensate,
    /// `POST {base}/appointments/{id}/cancel` asked for by the page.
    Cancel,
}

impl Step {
    /// The step's name in logs.
    pub const fn name(self) -> &'static str {
        match self {
            Step::Create => "create",
            Step::Poll => "poll",
            Step::Publish => "publish",
            Step::Compensate => "compensate",
            Step::Cancel => "cancel",
        }
    }

    /// Calls that start work go through the breaker and count as the result's attempts.
    /// Follow-ups (polls, the event, compensation) are never short-circuited: giving up on
    /// them would lose an appointment that exists.
    pub const fn is_guarded(self) -> bool {
        matches!(self, Step::Create | Step::Cancel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    #[test]
    fn events_round_trip_through_their_json() {
        let event = AppointmentEvent {
            id: "k:event".into(),
            kind: APPOINTMENT_CREATED.into(),
            appointment_id: "apt_1".into(),
            calendar_id: "cal".into(),
            slot_start: "2026-11-30T09:30:00Z".into(),
            occurred_at: "2026-11-23T09:30:00.000Z".into(),
            correlation_id: "c".into(),
        };
        let json = event.to_json();
        assert!(json.starts_with(r#"{"id":"k:event","type":"appointment.created","#));
        let back = AppointmentEvent::from_value(&crate::json::parse(&json).unwrap()).unwrap();
        assert_eq!(back, event);
    }

    #[test]
    fn appointments_leave_out_an_absent_status_url() {
        let a = Appointment {
            id: "apt_1".into(),
            status: AppointmentStatus::Confirmed,
            status_url: None,
        };
        assert_eq!(a.to_json(), r#"{"id":"apt_1","status":"confirmed"}"#);
    }
}
