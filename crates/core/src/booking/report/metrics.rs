//! Counters and latency percentiles over a bounded window of recent calls. Updated only from
//! events and results ([`super::event`]), never as a side effect of a step.
use alloc::string::String;
use alloc::vec::Vec;

use crate::json::{push_u64, ToJson};
use crate::vecs::remove_at;

/// How many recent latencies the percentiles are computed over.
pub const LATENCY_WINDOW: usize = 1024;

/// Running counts.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// Calls to `book`/`cancel`/`handle` (including replays and rejections).
    pub bookings: u64,
    /// Calls that ended completed.
    pub completed: u64,
    /// Calls that ended failed.
    pub failed: u64,
    /// Waits before a further attempt.
    pub retries: u64,
    /// Calls answered from the idempotency store (replayed or joined).
    pub idempotent_hits: u64,
    /// Bookings cancelled again by compensation.
    pub compensations: u64,
    /// Failures after an appointment existed that could not be compensated.
    pub reconciliations: u64,
    /// Times the breaker opened.
    pub breaker_opens: u32,
    /// Latencies in arrival order, a ring once full (to drop the oldest: the one at
    /// `next`) ...
    arrivals: Vec<u64>,
    /// Where the next latency goes once the window is full.
    next: usize,
    /// ... and the same samples kept sorted (for percentiles without sorting).
    sorted: Vec<u64>,
}

/// A share `num / den`, written as a decimal rounded to four places (`0.75`, `0.3333`), so
/// no float formatting is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    /// Numerator.
    pub num: u64,
    /// Denominator, never 0.
    pub den: u64,
}

impl ToJson for Ratio {
    fn write_json(&self, out: &mut String) {
        // u64 arithmetic (no 128-bit division in the Wasm build); counts stay far below 2^50.
        // Divisors are held to 1 at least: no division-by-zero panic is compiled in.
        let scaled = (self.num.saturating_mul(10_000) + self.den / 2) / self.den.max(1);
        push_u64(out, scaled / 10_000);
        let mut fraction = scaled % 10_000;
        if fraction > 0 {
            out.push('.');
            let mut digits = 4;
            while fraction % 10 == 0 {
                fraction /= 10;
                digits -= 1;
            }
            for i in (0..digits).rev() {
                crate::ascii::push_digit(out, (fraction / 10u64.pow(i).max(1) % 10) as usize);
            }
        }
    }
}

crate::json_record! {
    /// The counters as JavaScript sees them (`metrics()`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct MetricsSnapshot {
        /// Calls to `book`/`cancel`/`handle`.
        pub bookings: u64 => "bookings",
        /// Ended completed.
        pub completed: u64 => "completed",
        /// Ended failed.
        pub failed: u64 => "failed",
        /// `completed / (completed + failed)`; `null` before the first result.
        pub success_rate: Option<Ratio> => "successRate",
        /// Waits before a further attempt.
        pub retries: u64 => "retries",
        /// Answered from the idempotency store.
        pub idempotent_hits: u64 => "idempotentHits",
        /// Times the breaker opened.
        pub breaker_opens: u32 => "breakerOpens",
        /// Bookings cancelled by compensation.
        pub compensations: u64 => "compensations",
        /// Failures that need reconciliation.
        pub reconciliations: u64 => "reconciliations",
        /// Median latency over the recent window, ms.
        pub p50_ms: Option<u64> => "p50Ms",
        /// 95th percentile latency over the recent window, ms.
        pub p95_ms: Option<u64> => "p95Ms",
    }
}

impl Metrics {
    /// Records a finished call's latency.
    pub fn observe_latency(&mut self, ms: u64) {
        if self.arrivals.len() < LATENCY_WINDOW {
            self.arrivals.push(ms);
        } else if let Some(slot) = self.arrivals.get_mut(self.next) {
            let oldest = core::mem::replace(slot, ms);
            self.next = (self.next + 1) % LATENCY_WINDOW;
            if let Ok(i) = self.sorted.binary_search(&oldest) {
                remove_at(&mut self.sorted, i);
            }
        }
        let at = self.sorted.partition_point(|&x| x <= ms);
        self.sorted.insert(at, ms);
    }

    /// The counters as JavaScript sees them.
    pub fn snapshot(&self) -> MetricsSnapshot {
        let finished = self.completed + self.failed;
        MetricsSnapshot {
            bookings: self.bookings,
            completed: self.completed,
            failed: self.failed,
            success_rate: (finished > 0).then_some(Ratio {
                num: self.completed,
                den: finished,
            }),
            retries: self.retries,
            idempotent_hits: self.idempotent_hits,
            breaker_opens: self.breaker_opens,
            compensations: self.compensations,
            reconciliations: self.reconciliations,
            p50_ms: percentile(&self.sorted, 50),
            p95_ms: percentile(&self.sorted, 95),
        }
    }
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[u64], p: usize) -> Option<u64> {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&samples, 50), Some(50));
        assert_eq!(percentile(&samples, 95), Some(95));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn the_window_is_bounded_and_stays_sorted() {
        let mut m = Metrics::default();
        assert_eq!(m.snapshot().success_rate, None);
        for i in 0..(LATENCY_WINDOW as u64 + 10) {
            m.observe_latency((i * 7919) % 1000);
        }
        assert_eq!(m.arrivals.len(), LATENCY_WINDOW);
        assert_eq!(m.sorted.len(), LATENCY_WINDOW);
        // The window holds the last LATENCY_WINDOW latencies: the oldest ten were dropped.
        let mut expected: Vec<u64> = (10..(LATENCY_WINDOW as u64 + 10))
            .map(|i| (i * 7919) % 1000)
            .collect();
        expected.sort_unstable();
        assert_eq!(m.sorted, expected);
        m.completed = 3;
        m.failed = 1;
        m.breaker_opens = 2;
        assert_eq!(m.snapshot().success_rate, Some(Ratio { num: 3, den: 4 }));
        assert_eq!(m.snapshot().breaker_opens, 2);
    }

    #[test]
    fn rates_are_decimals_with_four_places_at_most() {
        for ((num, den), text) in [
            ((3, 4), "0.75"),
            ((1, 3), "0.3333"),
            ((2, 3), "0.6667"),
            ((1, 1), "1"),
            ((0, 5), "0"),
            ((1, 20000), "0.0001"),
        ] {
            assert_eq!(Ratio { num, den }.to_json(), text);
        }
    }
}
