//! What survives a reload: idempotency records and outbox entries, as JSON text the driver
//! keeps in a storage, one item per payload's record and per booking's event
//! ([`crate::booking::io::Command::Save`]), and hands back at load, item by item
//! ([`crate::booking::io::Input::Loaded`], [`super::items::read_items`]). A booking
//! that was in flight when the page went away comes back as interrupted, so the next call with
//! its payload runs again under the same key and the provider answers it from its own
//! idempotency store, never booking twice.
//!
//! The snapshot's format (version 1, as earlier builds wrote it in one item):
//! `{"version":1,"records":[{"key","fingerprint" (16 hex digits),"expiresAtMs","result",
//! "findable"}],"outbox":[{"event","bookingKey","status"}]}`; an item holds one record or one
//! entry. Reading is forgiving: a malformed entry is skipped, never the
//! whole snapshot, and a result keeps its error's code, message, status and first cause.
use alloc::string::String;
use alloc::vec::Vec;

use super::outbox::{OutboxEntry, OutboxStatus};
use crate::ascii::cat;
use crate::booking::wire::contract::AppointmentEvent;
use crate::booking::wire::outcome::{BookingResult, Operation};
use crate::booking::wire::state::State;
use crate::json::{parse, Object, ToJson, Value};
use crate::{Error, ErrorCode};
use alloc::borrow::ToOwned;

/// The storage format's version; a snapshot of another version is ignored.
pub const VERSION: i64 = 1;

/// Everything persisted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Idempotency records.
    pub records: Vec<SavedRecord>,
    /// Outbox entries (settled ones within the cap, unsettled ones always).
    pub outbox: Vec<OutboxEntry>,
}

/// One idempotency record.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedRecord {
    /// The idempotency key.
    pub key: String,
    /// The payload fingerprint.
    pub fingerprint: u64,
    /// When a finished record expires; `None` while in flight.
    pub expires_at_ms: Option<i64>,
    /// The stored result; `None` while in flight.
    pub result: Option<BookingResult>,
    /// The appointment a compensation of this booking set out to cancel, saved before the
    /// cancel is sent: a re-run resumes the cancel instead of replaying the create.
    pub compensating: Option<String>,
    /// An appointment an earlier booking of the payload made, whose record has expired: the
    /// provider is asked about it before this booking creates anything (see
    /// [`IdempotencyStore::lapsed_for`](super::idempotency::IdempotencyStore::lapsed_for)).
    pub verify: Option<String>,
    /// Whether a call without a key may find it by payload.
    pub findable: bool,
    /// Which write this is: random per page and write, so a tab removing a record it let go
    /// removes only the write it knew, never a newer one (0 in records of earlier builds).
    pub rev: u64,
    /// How many writes of the payload's record came before this one, in every tab: a tab
    /// writes one more than the newest it holds or read under the payload's claim, so of two
    /// texts of one payload (the item, and what tabs announced) the higher is the newer (0 in
    /// records of earlier builds).
    pub seq: u32,
    /// The exact text of the storage item it was read from (never saved itself): a removal
    /// of the item is made only if the item still holds this text.
    pub item: Option<String>,
}

/// `u64` → 16 hex digits (a `u64` does not fit a JavaScript number).
pub fn fingerprint_to_hex(fingerprint: u64) -> String {
    let mut text = String::with_capacity(16);
    crate::ascii::push_hex(&mut text, fingerprint, 16);
    text
}

/// 16 hex digits → `u64`.
pub fn fingerprint_from_hex(text: &str) -> Option<u64> {
    crate::ascii::hex(text).filter(|_| text.len() == 16)
}

/// A record as storage holds it, borrowed: what [`SavedRecord`] and the idempotency store's
/// own records are written as.
pub struct RecordJson<'a> {
    /// The idempotency key.
    pub key: &'a str,
    /// The payload fingerprint.
    pub fingerprint: u64,
    /// When a finished record expires; `None` while in flight.
    pub expires_at_ms: Option<i64>,
    /// The stored result; `None` while in flight.
    pub result: Option<&'a BookingResult>,
    /// See [`SavedRecord::compensating`].
    pub compensating: Option<&'a str>,
    /// See [`SavedRecord::verify`].
    pub verify: Option<&'a str>,
    /// See [`SavedRecord::rev`].
    pub rev: u64,
    /// See [`SavedRecord::seq`].
    pub seq: u32,
    /// Whether a call without a key may find it by payload.
    pub findable: bool,
}

impl ToJson for RecordJson<'_> {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("key", self.key)
            .field("fingerprint", &fingerprint_to_hex(self.fingerprint))
            .field("expiresAtMs", &self.expires_at_ms)
            .field("result", &self.result)
            .field("findable", &self.findable)
            .field("compensating", &self.compensating)
            .field("verify", &self.verify)
            .field("rev", &fingerprint_to_hex(self.rev))
            .field("n", &self.seq)
            .end();
    }
}

/// What an earlier build wrote into a v1 snapshot; tests write their fixtures with it (the
/// client writes records as [`RecordJson`]).
#[cfg(test)]
impl ToJson for SavedRecord {
    fn write_json(&self, out: &mut String) {
        RecordJson {
            key: &self.key,
            fingerprint: self.fingerprint,
            expires_at_ms: self.expires_at_ms,
            result: self.result.as_ref(),
            findable: self.findable,
            compensating: self.compensating.as_deref(),
            verify: self.verify.as_deref(),
            rev: self.rev,
            seq: self.seq,
        }
        .write_json(out);
    }
}

/// A v1 snapshot as earlier builds wrote it, for tests' fixtures.
#[cfg(test)]
impl ToJson for Snapshot {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("version", &VERSION)
            .field("records", &self.records)
            .field("outbox", &self.outbox)
            .end();
    }
}

impl OutboxEntry {
    /// The entry in `text` (a storage item `o:<booking key>`), or `None` when it is not one.
    pub fn from_json(text: &str) -> Option<OutboxEntry> {
        entry(&parse(text)?)
    }
}

impl SavedRecord {
    /// The record in `text` (a storage item `p:<fingerprint>`), or `None` when it is not one.
    pub fn from_json(text: &str) -> Option<SavedRecord> {
        record(&parse(text)?)
    }
}

/// The items a version 1 snapshot (`text`) becomes: `p:<fingerprint>` for each record and
/// `o:<booking key>` for each entry that reads as one, holding its JSON as the snapshot had
/// it (an item's reader takes the fields an earlier build wrote, and defaults the rest).
pub fn v1_items(text: &str) -> Vec<(String, String)> {
    let mut items = Vec::new();
    let Some(v) = parse(text).filter(|v| v.int_field("version") == Some(VERSION)) else {
        return items;
    };
    let list = |name| v.get(name).and_then(Value::as_array).unwrap_or(&[]);
    for v in list("records") {
        if let Some(record) = record(v) {
            let name = cat(&["p:", &fingerprint_to_hex(record.fingerprint)]);
            items.push((name, v.to_json()));
        }
    }
    for v in list("outbox") {
        if let Some(entry) = entry(v) {
            items.push((cat(&["o:", &entry.booking_key]), v.to_json()));
        }
    }
    items
}

fn text(v: &Value, name: &str) -> Option<String> {
    v.str_field(name).map(str::to_owned)
}

fn error(v: &Value) -> Option<Error> {
    let code = ErrorCode::parse(v.str_field("code")?)?;
    let mut error = Error::new(code, text(v, "message").unwrap_or_default());
    error.status = v.int_field("status").and_then(|s| u16::try_from(s).ok());
    if let Some(cause) = v.get("cause").and_then(error_without_cause) {
        error = error.caused_by(cause);
    }
    Some(error)
}

fn error_without_cause(v: &Value) -> Option<Error> {
    let code = ErrorCode::parse(v.str_field("code")?)?;
    Some(Error::new(code, text(v, "message").unwrap_or_default()))
}

fn count(v: &Value, name: &str) -> Option<u32> {
    u32::try_from(v.int_field(name)?).ok()
}

fn result(v: &Value) -> Option<BookingResult> {
    // What can refuse the record is read first: a refusal then has nothing to drop.
    let state = State::parse(v.str_field("state")?)?;
    let attempts = count(v, "attempts")?;
    let retries = count(v, "retries")?;
    let duration_ms = u64::try_from(v.int_field("durationMs")?).ok()?;
    let correlation_id = v.str_field("correlationId")?;
    let idempotency_key = v.str_field("idempotencyKey")?;
    Some(BookingResult {
        operation: v.str_field("operation").and_then(Operation::parse),
        state,
        appointment_id: text(v, "appointmentId"),
        error: v.get("error").and_then(error),
        attempts,
        retries,
        idempotent_replay: false,
        correlation_id: correlation_id.to_owned(),
        idempotency_key: idempotency_key.to_owned(),
        compensated: v.get("compensated") == Some(&Value::Bool(true)),
        action_label: text(v, "actionLabel"),
        duration_ms,
    })
}

fn record(v: &Value) -> Option<SavedRecord> {
    let key = v.str_field("key")?;
    let fingerprint = fingerprint_from_hex(v.str_field("fingerprint")?)?;
    let result = match v.get("result") {
        None | Some(Value::Null) => None,
        Some(r) => Some(result(r)?),
    };
    Some(SavedRecord {
        key: key.to_owned(),
        fingerprint,
        expires_at_ms: v.int_field("expiresAtMs"),
        result,
        findable: v.get("findable") == Some(&Value::Bool(true)),
        compensating: text(v, "compensating"),
        verify: text(v, "verify"),
        rev: v
            .str_field("rev")
            .and_then(fingerprint_from_hex)
            .unwrap_or(0),
        seq: count(v, "n").unwrap_or(0),
        item: None,
    })
}

fn entry(v: &Value) -> Option<OutboxEntry> {
    let booking_key = v.str_field("bookingKey")?;
    let status = OutboxStatus::parse(v.str_field("status")?)?;
    Some(OutboxEntry {
        event: AppointmentEvent::from_value(v.get("event")?)?,
        booking_key: booking_key.to_owned(),
        status,
    })
}

#[cfg(test)]
mod tests;
