//! The booking request: what callers pass in, and the validated form sent to the provider.
//!
//! Every check runs before any network call. Constraints (also in docs/user-guide.md):
//!
//! | field | rule |
//! |---|---|
//! | `calendarId` | required; 1–64 of `A–Z a–z 0–9 _ -` |
//! | `slotStart` | required; RFC 3339 with an offset; in the future, at most 365 days ahead |
//! | `durationMinutes` | required; whole number 5–240 |
//! | `patientName` | required; 1–100 characters after trimming; no control characters |
//! | `patientEmail` | required; `local@domain.tld`, at most 254 characters, no spaces |
//! | `patientPhone` | optional; `+` then 7–15 digits, spaces, dots, dashes and brackets allowed |
//! | `notes` | optional; at most 500 characters |
//! | `idempotencyKey` | optional; 8–128 of `A–Z a–z 0–9 . _ : -` (no personal data) |
use crate::ascii::cat;
use alloc::borrow::ToOwned;
use alloc::string::String;

use super::scalar::{text, whole_number};
use crate::ascii::{has, split_last};
use crate::{Error, ErrorCode};

/// Latest slot start accepted, relative to now.
pub const MAX_SLOT_AHEAD_MS: i64 = 365 * 86_400_000;

crate::raw_record! {
    /// A booking request as it arrived from JavaScript: every field optional and of any type,
    /// so validation can say which field is wrong and why.
    pub struct RawBookingRequest {
        /// The provider's calendar: 1-64 letters, digits, `_` or `-`.
        calendar_id => "calendarId",
        /// Slot start: RFC 3339 with an offset, in the future, at most 365 days ahead.
        slot_start => "slotStart",
        /// Slot length in minutes, a whole number from 5 to 240.
        duration_minutes => "durationMinutes",
        /// The patient's name, 1-100 characters (personal data: masked in logs, never stored).
        patient_name => "patientName",
        /// The patient's e-mail, `local@domain.tld` (personal data: masked in logs, never
        /// stored).
        patient_email => "patientEmail",
        /// The patient's phone, 7-15 digits with an optional leading `+`; optional (personal
        /// data: masked in logs, never stored).
        patient_phone => "patientPhone",
        /// Free text, at most 500 characters; optional (never logged, never stored).
        notes => "notes",
        /// Your own idempotency key (8-128 letters, digits, `.`, `_`, `:` or `-`), to make
        /// retries across reloads and devices safe; default: one per booking.
        idempotency_key => "idempotencyKey",
        /// For `cancel-appointment` clicks routed through `handle`.
        appointment_id => "appointmentId",
    }
}

crate::json_record! {
    /// A validated booking, in the `/api/v2` wire shape of `POST /appointments`.
    #[derive(Clone, PartialEq)]
    pub struct BookingRequest {
        /// The provider's calendar.
        pub calendar_id: String => "calendarId",
        /// Slot start, RFC 3339 as given.
        pub slot_start: String => "slotStart",
        /// Slot length in minutes.
        pub duration_minutes: u32 => "durationMinutes",
        /// Personal data: masked in every log record.
        pub patient_name: String => "patientName",
        /// Personal data: masked in every log record.
        pub patient_email: String => "patientEmail",
        /// Personal data: masked in every log record.
        pub patient_phone: Option<String> => "patientPhone" [optional],
        /// Free text, may hold personal data: never logged.
        pub notes: Option<String> => "notes" [optional],
    }
}

impl BookingRequest {
    /// A fingerprint of the payload, to tell a replay from a different request under the same
    /// key (FNV-1a, 64 bits, over length-prefixed fields; a change detector, not a MAC).
    pub fn fingerprint(&self) -> u64 {
        let mut hash = Fnv::default();
        hash.field(self.calendar_id.as_bytes());
        hash.field(self.slot_start.as_bytes());
        hash.field(&self.duration_minutes.to_le_bytes());
        hash.field(self.patient_name.as_bytes());
        hash.field(self.patient_email.as_bytes());
        hash.field(self.patient_phone.as_deref().unwrap_or("\u{0}").as_bytes());
        hash.field(self.notes.as_deref().unwrap_or("\u{0}").as_bytes());
        hash.0
    }
}

/// FNV-1a, fed length-prefixed fields so `("ab","c")` and `("a","bc")` differ.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn field(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }
}

/// A fingerprint of any payload given as its parts (the same hash as
/// [`BookingRequest::fingerprint`]).
pub fn fingerprint_of(parts: &[&[u8]]) -> u64 {
    let mut hash = Fnv::default();
    for part in parts {
        hash.field(part);
    }
    hash.0
}

/// A fingerprint for a cancel of `appointment_id`.
pub fn cancel_fingerprint(appointment_id: &str) -> u64 {
    fingerprint_of(&[b"cancel", appointment_id.as_bytes()])
}

/// Characters (code points) in `text`: its bytes that do not continue a UTF-8 sequence (a
/// plain loop: `chars().count()` brings a large vectorised counter into the Wasm build).
fn chars(text: &str) -> usize {
    text.bytes().filter(|b| b & 0xC0 != 0x80).count()
}

fn required<'a>(value: Option<&'a str>, field: &'static str) -> Result<&'a str, Error> {
    value.ok_or_else(|| Error::invalid_field(field, cat(&[field, " is required"])))
}

/// An identifier: 1–64 of `A–Z a–z 0–9 _ -` (calendar and appointment ids).
pub fn check_id(value: &str, field: &'static str) -> Result<(), Error> {
    let ok = (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_field(
            field,
            cat(&[field, " must be 1-64 letters, digits, '_' or '-'"]),
        ))
    }
}

/// An idempotency key: 8–128 of `A–Z a–z 0–9 . _ : -`.
pub fn check_key(value: &str) -> Result<(), Error> {
    let ok = (8..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "idempotencyKey",
            "idempotencyKey must be 8-128 letters, digits, '.', '_', ':' or '-'",
        ))
    }
}

fn check_email(value: &str) -> Result<(), Error> {
    let fail = || {
        Error::invalid_field(
            "patientEmail",
            "patientEmail must look like name@example.org",
        )
    };
    if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(fail());
    }
    let (local, domain) = split_last(value, b'@').ok_or_else(fail)?;
    let labels_ok = domain
        .as_bytes()
        .split(|&b| b == b'.')
        .all(|l| l.first().is_some_and(|&b| b != b'-') && l.last() != Some(&b'-'));
    if local.is_empty() || local.len() > 64 || has(local, b'@') || !has(domain, b'.') || !labels_ok
    {
        return Err(fail());
    }
    Ok(())
}

fn check_phone(value: &str) -> Result<(), Error> {
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    let allowed = value.bytes().enumerate().all(|(i, b)| {
        b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b'(' | b')') || (b == b'+' && i == 0)
    });
    if allowed && (7..=15).contains(&digits) {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "patientPhone",
            "patientPhone must be 7-15 digits, optionally with a leading '+'",
        ))
    }
}

impl RawBookingRequest {
    /// Checks every field (in the order of the table above; the first violation is reported)
    /// against `now_ms`, the current time in milliseconds since the epoch.
    pub fn validate(&self, now_ms: i64) -> Result<BookingRequest, Error> {
        let calendar_id = required(text(&self.calendar_id, "calendarId")?, "calendarId")?;
        check_id(calendar_id, "calendarId")?;

        let slot_start = required(text(&self.slot_start, "slotStart")?, "slotStart")?;
        let start = super::time::parse_rfc3339(slot_start).ok_or_else(|| {
            Error::invalid_field(
                "slotStart",
                "slotStart must be an RFC 3339 date-time with an offset, like 2026-11-30T09:30:00Z",
            )
        })?;
        if start <= now_ms {
            return Err(Error::invalid_field(
                "slotStart",
                "slotStart must be in the future",
            ));
        }
        if start - now_ms > MAX_SLOT_AHEAD_MS {
            return Err(Error::invalid_field(
                "slotStart",
                "slotStart must be at most 365 days ahead",
            ));
        }

        let duration = whole_number(
            &self.duration_minutes,
            "durationMinutes",
            5,
            240,
            ErrorCode::InvalidRequest,
        )?
        .ok_or_else(|| Error::invalid_field("durationMinutes", "durationMinutes is required"))?;

        let name = required(text(&self.patient_name, "patientName")?, "patientName")?.trim();
        if name.is_empty() || chars(name) > 100 || name.chars().any(char::is_control) {
            return Err(Error::invalid_field(
                "patientName",
                "patientName must be 1-100 characters without control characters",
            ));
        }

        let email = required(text(&self.patient_email, "patientEmail")?, "patientEmail")?.trim();
        check_email(email)?;

        let phone = text(&self.patient_phone, "patientPhone")?.map(str::trim);
        if let Some(phone) = phone {
            check_phone(phone)?;
        }

        let notes = text(&self.notes, "notes")?;
        if notes.is_some_and(|n| chars(n) > 500) {
            return Err(Error::invalid_field(
                "notes",
                "notes must be at most 500 characters",
            ));
        }

        if let Some(key) = self.explicit_key()? {
            check_key(key)?;
        }

        Ok(BookingRequest {
            calendar_id: calendar_id.to_owned(),
            slot_start: slot_start.to_owned(),
            duration_minutes: duration as u32,
            patient_name: name.to_owned(),
            patient_email: email.to_owned(),
            patient_phone: phone.map(str::to_owned),
            notes: notes.map(str::to_owned),
        })
    }

    /// The caller's idempotency key, if one was given (checked only for type here).
    pub fn explicit_key(&self) -> Result<Option<&str>, Error> {
        text(&self.idempotency_key, "idempotencyKey")
    }
}

#[cfg(test)]
mod tests;
