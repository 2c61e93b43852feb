//! What the page reads of a client without feeding it: its settings, counters, breaker, outbox,
//! what was restored, and (for tests) the bookings under way.
use alloc::string::String;

use super::Client;
use crate::booking::policy::breaker::BreakerState;
use crate::booking::policy::config::ClientConfig;
use crate::booking::random::Random;
use crate::booking::report::metrics::MetricsSnapshot;
use crate::booking::run::booking::{Booking, Phase};
use crate::booking::store::outbox::OutboxEntry;

crate::json_record! {
    /// What was read back from storage when it was loaded (`restored()`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Restored {
        /// Whether a storage was loaded.
        pub enabled: bool => "enabled",
        /// Idempotency records restored (bookings in flight at the reload among them).
        pub records: usize => "records",
        /// Outbox entries restored.
        pub outbox: usize => "outbox",
        /// Of those, entries still waiting to be published (see `flushOutbox`).
        pub pending: usize => "pending",
    }
}

impl<R: Random> Client<R> {
    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.s.config
    }

    /// Counters and latency percentiles.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.s.metrics.snapshot()
    }

    /// The breaker's state as of its last decision (it turns half-open only when a call asks).
    pub fn breaker_state(&self) -> BreakerState {
        self.s.breaker.state()
    }

    /// The breaker as the page shows it (`breaker()`) at `now` (never before the latest
    /// time an input brought).
    pub fn breaker_view(&self, now: i64) -> BreakerView {
        let now = now.max(self.s.now);
        let threshold = self.s.config.breaker_threshold;
        let (failures, retry_in_ms) = match self.s.breaker.state() {
            BreakerState::Closed { failures } => (failures, 0),
            BreakerState::Open { until_ms } => (threshold, (until_ms - now).max(0) as u64),
            BreakerState::HalfOpen { .. } => (threshold, 0),
        };
        BreakerView {
            state: self.s.breaker.state().name(),
            failures,
            retry_in_ms,
            opens: self.s.metrics.breaker_opens,
            threshold,
            cooldown_ms: self.s.config.breaker_cooldown_ms,
        }
    }

    /// The outbox's entries, oldest first.
    pub fn outbox(&self) -> &[OutboxEntry] {
        self.s.outbox.entries()
    }

    /// What was restored from storage.
    pub fn restored(&self) -> Restored {
        self.restored
    }

    /// A fresh idempotency key, for callers that keep their own per booking.
    pub fn new_key(&mut self) -> String {
        self.s.new_id()
    }

    /// How many bookings and flushes are under way.
    pub fn in_flight(&self) -> usize {
        self.bookings.len() + self.flushes.len()
    }

    /// The bookings under way, for tests that check invariants.
    pub fn bookings(&self) -> &[Booking] {
        &self.bookings
    }

    /// Whether the booking under `key` has a poll, publish or compensation running.
    pub fn phase_of(&self, key: &str) -> Option<&Phase> {
        self.bookings
            .iter()
            .find(|b| b.ctx.key == key)
            .map(|b| &b.phase)
    }
}

crate::json_record! {
    /// The breaker as the page shows it.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct BreakerView {
        /// `closed`, `open` or `half_open`.
        pub state: &'static str => "state",
        /// Consecutive failures counted.
        pub failures: u32 => "failures",
        /// Time before a probe may go through, when open.
        pub retry_in_ms: u64 => "retryInMs",
        /// Times it opened.
        pub opens: u32 => "opens",
        /// Failures that open it.
        pub threshold: u32 => "threshold",
        /// Its cool-down.
        pub cooldown_ms: u64 => "cooldownMs",
    }
}
