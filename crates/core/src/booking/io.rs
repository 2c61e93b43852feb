//! What goes into the core ([`Input`], with the current time) and what comes out
//! ([`Command`]), under the [driver contract](crate::booking#the-driver-contract).
use alloc::string::String;
use alloc::vec::Vec;

use crate::booking::report::log::LogRecord;
use crate::booking::wire::contract::Step;
use crate::booking::wire::outcome::{BookingResult, Operation};
use crate::booking::wire::request::RawBookingRequest;
use crate::booking::wire::scalar::Scalar;
use crate::json::{Object, ToJson};
use crate::Error;

/// A call of the page (`book`, `cancel`, `handle`, `flushOutbox`), numbered by the driver; it
/// gets exactly one [`Command::Done`] (or [`Command::Flushed`]).
pub type RequestId = u32;

/// One provider call, numbered by the core; it gets exactly one [`Input::Answer`] from the
/// driver, unless the core aborts it first ([`Command::Abort`]), after which none.
pub type CallId = u32;

/// A claim on a payload across tabs ([`Command::Claim`]), numbered by the core; it gets at most
/// one [`Input::Claimed`], and exactly one [`Command::Release`].
pub type ClaimId = u32;

/// How a provider call ended, as the driver saw it. No text from the provider or the
/// transport is carried: only what the client acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A 2xx; the body's own `id`, `status` and `statusUrl` fields when they are strings.
    Ok {
        /// The appointment id.
        id: Option<String>,
        /// The appointment status.
        status: Option<String>,
        /// Where to poll.
        status_url: Option<String>,
    },
    /// Any other status, with its `Retry-After` header.
    Status {
        /// The HTTP status.
        status: u16,
        /// The raw `Retry-After` header.
        retry_after: Option<String>,
    },
    /// `fetch` failed (offline, DNS, CORS, reset).
    Network,
    /// Not a `Response`, or a 2xx body that is not JSON.
    Bad,
}

/// Something the core is told, with the time it happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// `book(request)`.
    Book {
        /// The page's call.
        id: RequestId,
        /// The request, as read from the page.
        request: RawBookingRequest,
    },
    /// One request of `replay(...)`: sent again only under its record's key, when that
    /// booking's outcome is unknown (see [`crate::booking::client::replay`]).
    Replay {
        /// The page's call.
        id: RequestId,
        /// The request, as read from the page.
        request: RawBookingRequest,
    },
    /// `cancel(appointmentId)`.
    Cancel {
        /// The page's call.
        id: RequestId,
        /// The appointment id, as read from the page.
        appointment_id: Option<Scalar>,
    },
    /// `handle(event, request)` once the click's label was read: `book-appointment` books,
    /// `cancel-appointment` cancels `request.appointmentId`, anything else is refused.
    Click {
        /// The page's call.
        id: RequestId,
        /// The click's action label.
        label: String,
        /// The request, as read from the page.
        request: RawBookingRequest,
    },
    /// A call the bindings refused before it could be read (a request that is not an object,
    /// a click without a label): counted, logged and answered like any other.
    Refuse {
        /// The page's call.
        id: RequestId,
        /// What it asked for, if known.
        operation: Option<Operation>,
        /// The click's label, for `handle`.
        label: Option<String>,
        /// Why.
        error: Error,
    },
    /// The answer to call `call`.
    Answer {
        /// Which call.
        call: CallId,
        /// How it ended.
        answer: Answer,
    },
    /// A wake-up asked for by [`super::Client::poll_timeout`]. Early or spurious ones do
    /// nothing (every input also runs what is due).
    Timer,
    /// The storage was read: persistence is on from now, and `items` is what it held under
    /// the client's storage key, by name (see [`Command::Save`]), in the storage's order.
    Loaded {
        /// Every item's name and text.
        items: Vec<(String, String)>,
    },
    /// What the tabs agreed on for item `name` ([`Command::Agree`]): its text, and whether
    /// the storage settled it for every tab (`false`: each page may hold its own, and they
    /// converge).
    Agreed {
        /// The item.
        name: String,
        /// Its text (`None`: nothing could be read or written).
        text: Option<String>,
        /// Whether every tab got the same answer.
        settled: bool,
    },
    /// Claim `claim` was granted: its lock is held (until [`Command::Release`]) and `saved`
    /// is the item it asked to read, as the storage holds it now (another tab may have written
    /// it). Or, for a claim that does not wait, `granted` is false: another tab holds the lock
    /// (nothing is held then, and no release is needed).
    Claimed {
        /// Which claim.
        claim: ClaimId,
        /// The text of the item read under the lock, if there is one.
        saved: Option<String>,
        /// Whether the lock is held.
        granted: bool,
        /// What the origin's tabs announced (see [`Command::Claim`]), read with the item.
        announced: Vec<String>,
    },
    /// Another tab changed storage item `name` (`None`: removed it), or the page read it at
    /// load: the breaker (`b:`) and the origin's secret (`s:`) are taken, an event (`o:`) held
    /// here takes a settled status; a payload's record (`p:`) is only ever read under its
    /// claim (an event can be older than what this tab has done since).
    Changed {
        /// The item's name.
        name: String,
        /// Its text now.
        json: Option<String>,
    },
    /// The page may have missed something: it came back online, became visible, or was shown
    /// from the back/forward cache. Events left pending are published (one tab at a time).
    Wake,
    /// The page gave up on call `id`: it is answered now; an appointment that exists is kept
    /// and its follow-ups finish in the background.
    Abandon {
        /// The page's call.
        id: RequestId,
        /// The caller's `AbortSignal` stopped it (`aborted`); else the client was freed
        /// (`timeout`).
        aborted: bool,
    },
    /// `flushOutbox()`: publish the events left pending.
    Flush {
        /// The page's call.
        id: RequestId,
    },
}

/// One provider call to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Send {
    /// Its number; the answer comes back with it.
    pub call: CallId,
    /// Which step it is.
    pub step: Step,
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Absolute, or relative to the page (the base URL as configured).
    pub url: String,
    /// The `Idempotency-Key` header.
    pub key: String,
    /// The `X-Correlation-Id` header.
    pub correlation_id: String,
    /// The JSON body, sent as it is.
    pub body: Option<String>,
    /// How long the core waits before it aborts the call.
    pub timeout_ms: u64,
}

/// Something the driver must do.
// The log record is the largest variant; boxed, the client's .wasm was 30 B larger (gzip).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Make a provider call and feed back its answer.
    Send(Send),
    /// Abort call `call` (its timeout passed, or its booking was abandoned); feed nothing back.
    Abort {
        /// Which call.
        call: CallId,
    },
    /// Write one storage item (`None`: remove it), as the exact text given. Items are named
    /// `p:<fingerprint>` (the newest idempotency record of a payload), `o:<booking key>` (an
    /// outbox entry), `x:<appointment id>` (a page's cancel), `b:` (the breaker), `s:` (the
    /// origin's secret), and `""` (the storage key itself, where earlier builds kept one
    /// snapshot); the driver puts its storage key and `:` before the name. The driver knows no
    /// name and no format: it writes the text, or removes the item.
    Save {
        /// The item's name.
        name: String,
        /// Its JSON, or `None` to remove it.
        json: Option<String>,
        /// With `json` `None`: remove the item only if it still holds exactly this text (the
        /// write of a record this page knew), not a newer one another tab saved.
        if_text: Option<String>,
        /// Also tell every tab of the origin at once, where storage may reach them late: the
        /// driver holds a lock of this name (after its storage key) for a minute, and claims
        /// read the held ones back ([`Command::Claim`]'s `announced`). It supersedes the page's
        /// announcement with the same first word (up to a space), let go once this one is
        /// held; a first word alone withdraws it.
        announce: Option<String>,
    },
    /// Take the lock named `lock` that every tab of the origin shares (`p:<fingerprint>` for a
    /// payload, `o:<key>` for an event left pending), waiting while another tab holds it when
    /// `wait` (else answering at once that it is taken), then read storage item `read` and
    /// feed [`Input::Claimed`]. Nothing is fed for a claim released before it was granted.
    Claim {
        /// Which claim.
        claim: ClaimId,
        /// The lock's name.
        lock: String,
        /// The item to read under it.
        read: String,
        /// Whether to wait for the lock (a booking) or give up if it is taken (a drain).
        wait: bool,
        /// With the item, read back what was announced under names starting with this
        /// ([`Command::Save`]'s `announce`), each without it, into [`Input::Claimed`].
        announced: &'static str,
    },
    /// Agree with every tab of the origin on the text of item `name`: the one it holds
    /// already, else `proposal`; where the storage can order tabs (an IndexedDB transaction,
    /// or else the Web Locks registry, with a lock named `holder` and the text held while the
    /// page lives), the answer is settled. Until [`Input::Agreed`] is fed, the driver feeds
    /// nothing else (page calls wait). The origin's secret is agreed so.
    Agree {
        /// The item.
        name: String,
        /// What to write if it holds nothing.
        proposal: String,
        /// The lock registry's name for it (tabs of earlier builds hold the same).
        holder: String,
    },
    /// Read item `name` and feed it as [`Input::Changed`] (nothing is fed if it holds nothing):
    /// the shared breaker, when the page comes back (storage events may have been missed).
    Read {
        /// The item.
        name: String,
    },
    /// Read item `name` again before each page call, after each save and when the page comes
    /// back, and feed it as [`Input::Changed`] when it differs from the last text seen: where
    /// tabs converge on the origin's secret, a storage event can be missed (Firefox delivers
    /// none to a page until its listener is registered).
    Watch {
        /// The item.
        name: String,
    },
    /// Let go of claim `claim` (its lock, or its wait for the lock).
    Release {
        /// Which claim.
        claim: ClaimId,
    },
    /// Hand a log record (already masked) to the sink, the recent logs and the observers.
    Log {
        /// The record.
        record: LogRecord,
    },
    /// Call `id` is answered.
    Done {
        /// The page's call.
        id: RequestId,
        /// Its result.
        result: BookingResult,
    },
    /// `flushOutbox()` call `id` is answered.
    Flushed {
        /// The page's call.
        id: RequestId,
        /// Events published by this flush.
        published: u32,
        /// Events still pending.
        pending: u32,
    },
}

impl ToJson for Command {
    fn write_json(&self, out: &mut String) {
        let o = Object::new(out);
        match self {
            Command::Send(s) => o
                .field("kind", "send")
                .field("call", &s.call)
                .field("step", s.step.name())
                .field("method", s.method)
                .field("url", &s.url)
                .field("key", &s.key)
                .field("correlationId", &s.correlation_id)
                .field("body", &s.body)
                .field("timeoutMs", &s.timeout_ms),
            Command::Abort { call } => o.field("kind", "abort").field("call", call),
            Command::Save {
                name,
                json,
                if_text,
                announce,
            } => o
                .field("kind", "save")
                .field("name", name)
                .field("json", json)
                .field("ifText", if_text)
                .field("announce", announce),
            Command::Claim {
                claim,
                lock,
                read,
                wait,
                announced,
            } => o
                .field("kind", "claim")
                .field("claim", claim)
                .field("lock", lock)
                .field("read", read)
                .field("wait", wait)
                .field("announced", *announced),
            Command::Release { claim } => o.field("kind", "release").field("claim", claim),
            Command::Agree {
                name,
                proposal,
                holder,
            } => o
                .field("kind", "agree")
                .field("name", name)
                .field("proposal", proposal)
                .field("holder", holder),
            Command::Read { name } => o.field("kind", "read").field("name", name),
            Command::Watch { name } => o.field("kind", "watch").field("name", name),
            Command::Log { record } => o
                .field("kind", "log")
                .field("stateChange", &record.is_state_change())
                .field("record", record),
            Command::Done { id, result } => o
                .field("kind", "done")
                .field("id", id)
                .field("result", result),
            Command::Flushed {
                id,
                published,
                pending,
            } => o
                .field("kind", "flushed")
                .field("id", id)
                .field("published", published)
                .field("pending", pending),
        }
        .end();
    }
}
