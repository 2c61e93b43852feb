//! The storage format as items: what the driver reads at load, item by item, becomes the
//! client's records, entries, shared breaker and cancels, and a version 1 snapshot of earlier
//! builds becomes items. The driver's store (`js/storage.js`) knows names and text only.
use alloc::string::String;
use alloc::vec::Vec;

use super::outbox::OutboxEntry;
use super::snapshot::{v1_items, SavedRecord, Snapshot};
use crate::json::parse;

/// What a storage's items hold, read at load ([`crate::booking::io::Input::Loaded`]): the
/// records of the `p:` items and the entries of the `o:` items (a corrupt one is skipped, never
/// the rest), the breaker other tabs shared (`b:`), and the appointments pages cancelled (`x:`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Items {
    /// The records and entries.
    pub snapshot: Snapshot,
    /// The `b:` item's text.
    pub breaker: Option<String>,
    /// The `x:<appointment id>` items, name and text.
    pub cancelled: Vec<(String, String)>,
    /// The `s:` item's text: the origin's secret, as this storage holds it.
    pub secret: Option<String>,
    /// What storage must change first: a version 1 snapshot of earlier builds, kept in one
    /// item (named `""`, the storage key itself), becomes one item per record and per entry
    /// (unless an item holds that record or entry already), and then goes.
    pub writes: Vec<(String, Option<String>)>,
}

/// Reads the items a storage holds under the client's key, by name (see [`Items`]).
pub fn read_items(mut items: Vec<(String, String)>) -> Items {
    let mut out = Items::default();
    // The migrated items join the list read below (the `""` item itself is skipped there).
    let stored = items.len();
    if let Some(i) = items.iter().position(|(name, _)| name.is_empty()) {
        for (name, text) in v1_items(&items[i].1) {
            if !items[..stored].iter().any(|(n, _)| *n == name) {
                out.writes.push((name.clone(), Some(text.clone())));
                items.push((name, text));
            }
        }
        out.writes.push((String::new(), None));
    }
    for (name, text) in items {
        match name.get(..2) {
            Some("p:") => {
                if let Some(mut record) = SavedRecord::from_json(&text) {
                    record.item = Some(text);
                    out.snapshot.records.push(record);
                }
            }
            Some("o:") => out.snapshot.outbox.extend(OutboxEntry::from_json(&text)),
            Some("b:") => out.breaker = Some(text),
            Some("s:") if name.len() == 2 => out.secret = Some(text),
            Some("x:") if parse(&text).is_some() => out.cancelled.push((name, text)),
            _ => {}
        }
    }
    out
}
