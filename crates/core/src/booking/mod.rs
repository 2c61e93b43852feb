//! The appointment client's core, sans-IO: a deterministic state machine ([`Client`]) that
//! takes inputs with the current time and yields commands; it never awaits and never reads a
//! clock. Names no web-sys or js-sys type; tested with plain `cargo test`.
//!
//! # Where things are
//!
//! Each concept is a folder; imports run one way, from the top of this list down, never back
//! up (`crates/core/tests/layout.rs` checks it, and that no file is over 400 lines):
//!
//! | folder | what it holds |
//! |---|---|
//! | [`client`] | every `impl Client`: inputs routed ([`client`]), a page's calls from input to answer (`client/calls.rs`), one sender per payload across tabs ([`client::claim`]), the outbox draining itself ([`client::drain`]), [`client::replay`], what storage tells a tab (`client/tabs.rs`), and [`client::views`] |
//! | [`run`] | one booking's phases ([`run::phase`]) and their transitions ([`run::booking`]), the attempts every phase reuses ([`run::attempts`]), its [`run::follow_up`]s, the [`run::flush`] of events left pending, what they all share ([`run::shared`]), how a call is answered ([`run::answer`]) and what tabs share through storage ([`run::tabs`]) |
//! | [`store`] | [`store::idempotency`] records, the [`store::outbox`], and the [`store::snapshot`]: their text in storage |
//! | [`report`] | each [`report::event`] becomes one [`report::log`] record and moves the [`report::metrics`] |
//! | [`policy`] | pure policies: [`policy::backoff`], [`policy::retry`], [`policy::breaker`], [`policy::router`], [`policy::config`] |
//! | [`wire`] | data that crosses a boundary: the `/api/v2` [`wire::contract`], the page's [`wire::request`] and its raw fields ([`wire::scalar`]), the [`wire::outcome`], its [`wire::state`], [`wire::mask`]ing and [`wire::time`] formats |
//!
//! Beside them, the face: [`io`] (what goes in and comes out) and [`random`] (the injected
//! random source). A booking's path: `client` → `client/calls.rs` → `client::claim` →
//! `run::booking` → `run::attempts` → `run::shared` (the command queue) → back to the driver.
//!
//! # The driver contract
//!
//! One driver (the browser's is `js/driver.js`; the tests' is `tests/native/harness.rs`) owns
//! the clock, the network and storage, and carries out what the core asks. The whole contract,
//! as str0m's "single-mutation invariant":
//!
//! 1. **Feed one input, then drain.** After every [`Client::handle`], call [`Client::poll`]
//!    until it returns `None`, carrying out each [`Command`] in order, before feeding anything
//!    else. Commands queued by one input are one step: a [`Command::Save`] comes before the
//!    [`Command::Send`] it guards (save before send), and before the [`Command::Release`] of
//!    the claim it was made under (save before release); a driver that writes asynchronously
//!    finishes the writes before sending or releasing.
//! 2. **Sleep until [`Client::poll_timeout`]**, then feed [`Input::Timer`]. A wake-up at or
//!    before `now` fires once; the core then asks for a later one (it never spins). Waking
//!    early, or when the core asked for no wake-up, is a wake-up with nothing due: the
//!    JavaScript driver keeps an earlier timer rather than re-arm one per step or booking.
//! 3. **One answer per send.** Every [`Command::Send`] gets exactly one [`Input::Answer`],
//!    unless the core aborts it first ([`Command::Abort`]), after which none.
//! 4. **One claim, one release.** A [`Command::Claim`] gets at most one [`Input::Claimed`]
//!    (with the payload's item, read under the claim) and exactly one [`Command::Release`].
//! 5. **Storage is names and texts.** The driver feeds every item it holds under the client's
//!    key at load ([`Input::Loaded`]) and writes the exact text of each [`Command::Save`]
//!    (a removal with `if_text` only while the item holds that text). It knows no item name
//!    and no format: the core reads and writes them (`store::items`, `store::snapshot`).
//! 6. **An agreement comes first.** After a [`Command::Agree`] the driver feeds nothing but
//!    its [`Input::Agreed`] (page calls wait), so no call names a payload before the tabs agree
//!    on the origin's secret.
//! 7. **Wake re-reads, as asked.** When the page comes back ([`Input::Wake`]) the core asks for
//!    the items other tabs may have changed meanwhile ([`Command::Read`]); an item under
//!    [`Command::Watch`] is also read again before each page call and after each save, and fed
//!    ([`Input::Changed`]) when it differs.
//! 8. **Time only moves forward**: an earlier `now` counts as the latest seen.
//! 9. **Logs only for readers.** [`Command::Log`] comes only while something reads it
//!    ([`Client::set_logging`]: a log buffer, a sink or an observer); the counters move
//!    either way.
//!
//! `tests/node/driver.test.mjs` checks the browser driver against it (the orderings of rule 1
//! with a store whose writes finish later, and rule 6 with an agreement that answers later);
//! the property test checks that the core's stream saves a record before its create;
//! `tests/native/harness.rs` is the reference driver of the Rust tests.
//!
//! # Glossary
//!
//! One word per idea, in Rust, JavaScript and TypeScript alike:
//!
//! - **input** ([`Input`]): what the driver feeds the client; a booking's own input is a
//!   [`run::booking::BookingInput`] (an answer, the clock, a probe's claim).
//! - **command** ([`Command`]): what the client asks of the driver.
//! - **click** ([`Input::Click`]): a page event whose action label picks book or cancel
//!   (the page's `client.handle(event)`); `handle` in Rust is only [`Client::handle`].
//! - **call**: one provider request ([`CallId`]); **step** ([`Step`]): a kind of call (create,
//!   poll, publish, compensate, cancel) with its retries ([`run::attempts::Attempts`]).
//! - **answer** ([`Answer`]): what the driver saw of one call. **step state**
//!   ([`run::attempts::StepState`]): where a step's attempts are; a finished step yields a
//!   [`run::attempts::StepValue`].
//! - **health** ([`policy::breaker::Health`]): an answer as the breaker counts it.
//! - **run** ([`run::booking::Booking`]): one booking's phases; **run state**
//!   ([`run::booking::RunState`]): running or ended; **run error** ([`run::answer::RunError`]):
//!   why it ended badly.
//! - **result** ([`BookingResult`]): what a page's call resolves with; its **state**
//!   ([`State`]) is the booking's state machine.
//! - **event** ([`report::event::Event`]): something that happened, logged and counted; an
//!   **appointment event** ([`wire::contract::AppointmentEvent`]) is what the outbox publishes.
//! - **record**: a payload's idempotency record; **entry**: an outbox entry; **item**: a
//!   storage item holding one of them.
//! - **claim** ([`ClaimId`]): the cross-tab lock on one payload; **key**: an idempotency key.
//! - In the mock provider, a **reaction** is what it does with one request.

pub mod client;
pub mod io;
pub mod policy;
pub mod random;
pub mod report;
pub mod run;
pub mod store;
pub mod wire;

pub use client::views::{BreakerView, Restored};
pub use client::Client;
pub use io::{Answer, CallId, ClaimId, Command, Input, RequestId, Send};
pub use policy::config::{ClientConfig, RawClientConfig};
pub use random::{ChaCha, Random};
pub use wire::contract::Step;
pub use wire::outcome::{BookingResult, Operation};
pub use wire::request::{BookingRequest, RawBookingRequest};
pub use wire::state::State;
