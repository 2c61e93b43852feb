//! Tests of [`super`].
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
    assert!(json
        .starts_with(r#"{"version":1,"records":[{"key":"k-1","fingerprint":"cbf29ce484222325""#));
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

/// `read` of `json` is `expected`; with any of `required` hidden it is `None`, with any of
/// `optional` hidden it still reads.
fn skipped_whole_without<T: PartialEq + core::fmt::Debug>(
    json: &str,
    expected: &T,
    read: fn(&str) -> Option<T>,
    required: &[&str],
    optional: &[&str],
) {
    let hide = |field: &str| {
        let hidden = json.replace(&format!("\"{field}\":"), &format!("\"_{field}\":"));
        assert_ne!(hidden, json, "{field} is in the item");
        hidden
    };
    assert_eq!(read(json).as_ref(), Some(expected));
    for field in required {
        assert_eq!(read(&hide(field)), None, "{field}");
    }
    for field in optional {
        assert!(read(&hide(field)).is_some(), "{field}");
    }
}

#[test]
fn an_item_missing_a_required_field_is_skipped_whole() {
    let snapshot = sample();
    skipped_whole_without(
        &snapshot.records[0].to_json(),
        &snapshot.records[0],
        SavedRecord::from_json,
        &[
            "key",
            "fingerprint",
            "state",
            "attempts",
            "retries",
            "durationMs",
            "correlationId",
            "idempotencyKey",
        ],
        &[
            "appointmentId",
            "actionLabel",
            "verify",
            "error",
            "operation",
        ],
    );
    skipped_whole_without(
        &snapshot.outbox[0].to_json(),
        &snapshot.outbox[0],
        OutboxEntry::from_json,
        &[
            "id",
            "type",
            "appointmentId",
            "calendarId",
            "slotStart",
            "occurredAt",
            "correlationId",
            "bookingKey",
            "status",
        ],
        &[],
    );
}
