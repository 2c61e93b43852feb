//! Reading a saved [`Snapshot`] back from the flat arrays `effects.js` makes of it, without a
//! deserializer (serde's pulls float formatting into the Wasm build). Anything malformed is
//! skipped: a bad entry costs its own restore, never the client. A restored result keeps its
//! error's code, message, status and first cause.

use crate::booking::contract::AppointmentEvent;
use crate::booking::outbox::{OutboxEntry, OutboxStatus};
use crate::booking::outcome::{BookingResult, Operation};
use crate::booking::snapshot::{SavedRecord, Snapshot, VERSION};
use crate::booking::state::State;
use crate::{Error, ErrorCode};
use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};

fn text(row: &Array, i: u32) -> Option<String> {
    row.get(i).as_string()
}

fn number(row: &Array, i: u32) -> Option<f64> {
    row.get(i).as_f64()
}

fn rows(value: JsValue) -> Vec<Array> {
    value
        .dyn_into::<Array>()
        .map(|a| {
            a.iter()
                .filter_map(|r| r.dyn_into::<Array>().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn error(row: &Array) -> Option<Error> {
    let code = ErrorCode::parse(&text(row, 3)?)?;
    let mut error = Error::new(code, text(row, 4).unwrap_or_default());
    error.status = number(row, 5).map(|s| s as u16);
    if let Some(cause) = text(row, 6).as_deref().and_then(ErrorCode::parse) {
        error = error.caused_by(Error::new(cause, text(row, 7).unwrap_or_default()));
    }
    Some(error)
}

fn result(row: &Array) -> Option<BookingResult> {
    Some(BookingResult {
        operation: text(row, 0).as_deref().and_then(Operation::parse),
        state: State::parse(&text(row, 1)?)?,
        appointment_id: text(row, 2),
        error: error(row),
        attempts: number(row, 8)? as u32,
        retries: number(row, 9)? as u32,
        idempotent_replay: false,
        correlation_id: text(row, 10)?,
        idempotency_key: text(row, 11)?,
        compensated: row.get(12).as_bool().unwrap_or(false),
        action_label: text(row, 13),
        duration_ms: number(row, 14)? as u64,
    })
}

fn record(row: &Array) -> Option<SavedRecord> {
    let result = row.get(4);
    let result = if result.is_undefined() {
        None
    } else {
        Some(self::result(&result.dyn_into().ok()?)?)
    };
    Some(SavedRecord {
        key: text(row, 0)?,
        fingerprint: text(row, 1)?,
        expires_at_ms: number(row, 2).map(|ms| ms as i64),
        result,
        findable: row.get(3).as_bool().unwrap_or(false),
    })
}

fn entry(row: &Array) -> Option<OutboxEntry> {
    Some(OutboxEntry {
        event: AppointmentEvent {
            id: text(row, 0)?,
            kind: text(row, 1)?,
            appointment_id: text(row, 2)?,
            calendar_id: text(row, 3)?,
            slot_start: text(row, 4)?,
            occurred_at: text(row, 5)?,
            correlation_id: text(row, 6)?,
        },
        booking_key: text(row, 7)?,
        status: OutboxStatus::parse(&text(row, 8)?)?,
    })
}

/// The snapshot in `flat` (`[records, outbox]` from `loadSnapshot`), if there is one.
pub fn snapshot(flat: JsValue) -> Option<Snapshot> {
    let parts: Array = flat.dyn_into().ok()?;
    Some(Snapshot {
        version: VERSION,
        records: rows(parts.get(0)).iter().filter_map(record).collect(),
        outbox: rows(parts.get(1)).iter().filter_map(entry).collect(),
    })
}
