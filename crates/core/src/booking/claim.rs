//! One sender per payload across tabs. With a storage, a call whose payload is not already in
//! flight in this tab first claims the payload ([`Command::Claim`](super::io::Command::Claim)):
//! the driver takes a lock every tab of the origin shares (the Web Locks API), then reads what
//! the storage holds for the payload now and feeds it back ([`Input::Claimed`](super::io::Input::Claimed)).
//! Only then is the key chosen, so a second tab booking the same payload finds the first tab's
//! key and result instead of minting a key of its own. The claim is held until the booking
//! ends and its record is saved, then released. A wait is bounded by the call's deadline.
use alloc::string::String;

use super::booking::Work;
use super::io::{ClaimId, RequestId};
use super::outcome::Operation;

/// A call waiting for its claim to be granted.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    /// The claim.
    pub claim: ClaimId,
    /// The page's call.
    pub id: RequestId,
    /// The click's action label, for `handle`.
    pub label: Option<String>,
    /// Book or cancel.
    pub operation: Operation,
    /// The payload's fingerprint.
    pub fingerprint: u64,
    /// The key the caller gave, if any.
    pub explicit: Option<String>,
    /// What the call will do once it holds its key.
    pub work: Work,
    /// When the page's call was made.
    pub started_ms: i64,
    /// When waiting for the claim must be over (the call's deadline).
    pub deadline_ms: i64,
}
