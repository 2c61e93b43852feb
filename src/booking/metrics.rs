//! Counters and latency percentiles over a bounded window of recent calls.

use serde::Serialize;
use std::collections::VecDeque;

/// How many recent latencies the percentiles are computed over.
pub const LATENCY_WINDOW: usize = 1024;

/// Running counts.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// Calls to `book` (including replays and rejections).
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
    /// Compensations that failed and need reconciliation.
    pub reconciliations: u64,
    latencies: VecDeque<u64>,
}

/// A snapshot for JavaScript.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsSnapshot {
    /// Calls to `book`/`cancel`/`handle`.
    pub bookings: u64,
    /// Ended completed.
    pub completed: u64,
    /// Ended failed.
    pub failed: u64,
    /// `completed / (completed + failed)`; `null` before the first result.
    pub success_rate: Option<f64>,
    /// Waits before a further attempt.
    pub retries: u64,
    /// Answered from the idempotency store.
    pub idempotent_hits: u64,
    /// Times the breaker opened.
    pub breaker_opens: u32,
    /// Bookings cancelled by compensation.
    pub compensations: u64,
    /// Compensations that need reconciliation.
    pub reconciliations: u64,
    /// Median latency over the recent window, ms.
    pub p50_ms: Option<u64>,
    /// 95th percentile latency over the recent window, ms.
    pub p95_ms: Option<u64>,
}

impl Metrics {
    /// Records a finished call's latency.
    pub fn observe_latency(&mut self, ms: u64) {
        if self.latencies.len() == LATENCY_WINDOW {
            self.latencies.pop_front();
        }
        self.latencies.push_back(ms);
    }

    /// The snapshot, with `breaker_opens` from the breaker.
    pub fn snapshot(&self, breaker_opens: u32) -> MetricsSnapshot {
        let mut sorted: Vec<u64> = self.latencies.iter().copied().collect();
        sorted.sort_unstable();
        let finished = self.completed + self.failed;
        MetricsSnapshot {
            bookings: self.bookings,
            completed: self.completed,
            failed: self.failed,
            success_rate: (finished > 0).then(|| self.completed as f64 / finished as f64),
            retries: self.retries,
            idempotent_hits: self.idempotent_hits,
            breaker_opens,
            compensations: self.compensations,
            reconciliations: self.reconciliations,
            p50_ms: percentile(&sorted, 50),
            p95_ms: percentile(&sorted, 95),
        }
    }
}

/// Nearest-rank percentile of sorted samples.
pub fn percentile(sorted: &[u64], p: usize) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_window_is_bounded_and_rates_are_null_before_results() {
        let mut m = Metrics::default();
        assert_eq!(m.snapshot(0).success_rate, None);
        for i in 0..(LATENCY_WINDOW as u64 + 10) {
            m.observe_latency(i);
        }
        assert_eq!(m.latencies.len(), LATENCY_WINDOW);
        m.completed = 3;
        m.failed = 1;
        assert_eq!(m.snapshot(2).success_rate, Some(0.75));
        assert_eq!(m.snapshot(2).breaker_opens, 2);
    }
}
