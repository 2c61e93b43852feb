//! What survives a reload: idempotency records and outbox entries, as plain data for an
//! injected storage ([`super::env::Env::save`]). A booking that was in flight when the page
//! went away comes back as interrupted, so the next call with its payload runs again under
//! the same key and the provider answers it from its own idempotency store, never booking
//! twice.

use super::outbox::OutboxEntry;
use super::outcome::BookingResult;
use serde::Serialize;

/// The storage format's version; a snapshot of another version is ignored.
pub const VERSION: u32 = 1;

/// Everything persisted.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// [`VERSION`].
    pub version: u32,
    /// Idempotency records.
    pub records: Vec<SavedRecord>,
    /// Outbox entries (settled ones within the cap, unsettled ones always).
    pub outbox: Vec<OutboxEntry>,
}

/// One idempotency record.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedRecord {
    /// The idempotency key.
    pub key: String,
    /// The payload fingerprint, as 16 hex digits (a `u64` does not fit a JavaScript number).
    pub fingerprint: String,
    /// When a finished record expires; `None` while in flight.
    pub expires_at_ms: Option<i64>,
    /// The stored result; `None` while in flight.
    pub result: Option<BookingResult>,
    /// Whether a call without a key may find it by payload.
    pub findable: bool,
}

/// `u64` → 16 hex digits.
pub fn fingerprint_to_hex(fingerprint: u64) -> String {
    format!("{fingerprint:016x}")
}

/// 16 hex digits → `u64`.
pub fn fingerprint_from_hex(text: &str) -> Option<u64> {
    (text.len() == 16)
        .then(|| u64::from_str_radix(text, 16).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_round_trip_through_hex() {
        for f in [0, 1, u64::MAX, 0xcbf2_9ce4_8422_2325] {
            assert_eq!(fingerprint_from_hex(&fingerprint_to_hex(f)), Some(f));
        }
        assert_eq!(fingerprint_from_hex("xyz"), None);
        assert_eq!(fingerprint_from_hex("0123"), None);
    }
}
