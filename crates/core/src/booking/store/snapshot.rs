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
    Some(BookingResult {
        operation: v.str_field("operation").and_then(Operation::parse),
        state: State::parse(v.str_field("state")?)?,
        appointment_id: text(v, "appointmentId"),
        error: v.get("error").and_then(error),
        attempts: count(v, "attempts")?,
        retries: count(v, "retries")?,
        idempotent_replay: false,
        correlation_id: text(v, "correlationId")?,
        idempotency_key: text(v, "idempotencyKey")?,
        compensated: v.get("compensated") == Some(&Value::Bool(true)),
        action_label: text(v, "actionLabel"),
        duration_ms: u64::try_from(v.int_field("durationMs")?).ok()?,
    })
}

fn record(v: &Value) -> Option<SavedRecord> {
    let result = match v.get("result") {
        None | Some(Value::Null) => None,
        Some(r) => Some(result(r)?),
    };
    Some(SavedRecord {
        key: text(v, "key")?,
        fingerprint: fingerprint_from_hex(v.str_field("fingerprint")?)?,
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
    Some(OutboxEntry {
        event: AppointmentEvent::from_value(v.get("event")?)?,
        booking_key: text(v, "bookingKey")?,
        status: OutboxStatus::parse(v.str_field("status")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::wire::contract::APPOINTMENT_CREATED;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    fn sample() -> Snapshot {
        let result = BookingResult {
            operation: Some(Operation::Book),
            state: State::Failed,
            appointment_id: Some("apt_1".into()),
            error: Some(
                Error::new(ErrorCode::OutboxPublishFailed, "no event")
                    .caused_by(Error::new(ErrorCode::RetryExhausted, "3 attempts")),
            ),
            attempts: 1,
            retries: 2,
            idempotent_replay: false,
            correlation_id: "c-1".into(),
            idempotency_key: "k-1".into(),
            compensated: true,
            action_label: Some("book-appointment".into()),
            duration_ms: 41,
        };
        Snapshot {
            records: vec![
                SavedRecord {
                    key: "k-1".into(),
                    fingerprint: 0xcbf2_9ce4_8422_2325,
                    expires_at_ms: Some(1_800_000_000_000),
                    result: Some(result),
                    findable: true,
                    compensating: None,
                    verify: Some("apt_0".into()),
                    rev: 0x0123_4567_89ab_cdef,
                    seq: 3,
                    item: None,
                },
                SavedRecord {
                    key: "k-2".into(),
                    fingerprint: 7,
                    expires_at_ms: None,
                    result: None,
                    findable: false,
                    compensating: Some("apt_7".into()),
                    verify: None,
                    rev: 0,
                    seq: 0,
                    item: None,
                },
            ],
            outbox: vec![OutboxEntry {
                event: AppointmentEvent {
                    id: "k-1:event".into(),
                    kind: APPOINTMENT_CREATED.into(),
                    appointment_id: "apt_1".into(),
                    calendar_id: "cal".into(),
                    slot_start: "2026-11-30T09:30:00Z".into(),
                    occurred_at: "2026-11-23T09:30:00.000Z".into(),
                    correlation_id: "c-1".into(),
                },
                booking_key: "k-1".into(),
                status: OutboxStatus::Compensated,
            }],
        }
    }

    #[test]
    fn fingerprints_round_trip_through_hex() {
        for f in [0, 1, u64::MAX, 0xcbf2_9ce4_8422_2325] {
            assert_eq!(fingerprint_from_hex(&fingerprint_to_hex(f)), Some(f));
        }
        assert_eq!(fingerprint_to_hex(255), "00000000000000ff");
        assert_eq!(fingerprint_from_hex("xyz"), None);
        assert_eq!(fingerprint_from_hex("0123"), None);
    }

    /// The records and entries of a snapshot's items, read back as the client reads them.
    fn read_back(items: &[(String, String)]) -> Snapshot {
        let mut back = Snapshot::default();
        for (name, text) in items {
            match name.get(..2) {
                Some("p:") => back.records.extend(SavedRecord::from_json(text)),
                _ => back.outbox.extend(OutboxEntry::from_json(text)),
            }
        }
        back
    }

    #[test]
    fn a_v1_snapshot_becomes_items_that_read_back_as_it() {
        let snapshot = sample();
        let json = snapshot.to_json();
        assert!(json.starts_with(
            r#"{"version":1,"records":[{"key":"k-1","fingerprint":"cbf29ce484222325""#
        ));
        let items = v1_items(&json);
        let names: Vec<&str> = items.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["p:cbf29ce484222325", "p:0000000000000007", "o:k-1"]);
        assert_eq!(read_back(&items), snapshot);
        // Each item holds the record as the snapshot wrote it.
        assert_eq!(items[0].1, snapshot.records[0].to_json());
    }

    #[test]
    fn malformed_entries_are_skipped_and_other_versions_ignored() {
        let json = sample()
            .to_json()
            .replace(r#""fingerprint":"0000000000000007""#, r#""fingerprint":7"#);
        let items = v1_items(&json);
        let back = read_back(&items);
        assert_eq!(
            back.records.len(),
            1,
            "the record with a bad fingerprint is skipped"
        );
        assert_eq!(back.outbox.len(), 1);
        assert!(v1_items(r#"{"version":2,"records":[{"key":"k"}]}"#).is_empty());
        assert!(v1_items("{not json").is_empty());
        assert!(v1_items(r#"{"version":1}"#).is_empty());
    }
}
