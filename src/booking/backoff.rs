//! Exponential backoff with full jitter (AWS, "Exponential Backoff and Jitter"), as an
//! iterator of delays. The random source is injected, so tests assert exact sequences.

use core::time::Duration;

/// Delays before retries: the n-th (from 0) is uniform in `[0, min(max, base · 2ⁿ))`.
#[derive(Clone, Debug)]
pub struct Backoff<R> {
    base_ms: u64,
    max_ms: u64,
    retry: u32,
    random: R,
}

impl<R: FnMut() -> u32> Backoff<R> {
    /// Delays growing from `base_ms`, capped at `max_ms`, jittered by `random` (a uniform
    /// `u32`: the delay is `ceiling · random / 2³²`, in integer arithmetic).
    pub const fn new(base_ms: u64, max_ms: u64, random: R) -> Self {
        Backoff {
            base_ms,
            max_ms,
            retry: 0,
            random,
        }
    }

    /// The ceiling of the next delay, before jitter.
    pub fn ceiling_ms(&self) -> u64 {
        let factor = 1u64.checked_shl(self.retry).unwrap_or(u64::MAX);
        self.base_ms.saturating_mul(factor).min(self.max_ms)
    }
}

impl<R: FnMut() -> u32> Iterator for Backoff<R> {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let ceiling = self.ceiling_ms();
        self.retry = self.retry.saturating_add(1);
        let jittered = (u128::from(ceiling) * u128::from((self.random)())) >> 32;
        Some(Duration::from_millis(jittered as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(d: Option<Duration>) -> u64 {
        d.unwrap().as_millis() as u64
    }

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let mut b = Backoff::new(100, 1000, || u32::MAX);
        let seq: Vec<u64> = (0..6).map(|_| ms(b.next())).collect();
        // u32::MAX / 2^32 is just under 1: each delay is one below its ceiling.
        assert_eq!(seq, [99, 199, 399, 799, 999, 999]);
    }

    #[test]
    fn jitter_scales_the_ceiling() {
        let mut draws = [0u32, 1 << 31, 1 << 30].into_iter();
        let mut b = Backoff::new(100, 10_000, move || draws.next().unwrap());
        assert_eq!([ms(b.next()), ms(b.next()), ms(b.next())], [0, 100, 100]);
    }

    #[test]
    fn never_overflows() {
        let mut b = Backoff::new(u64::MAX / 2, u64::MAX, || u32::MAX);
        for _ in 0..100 {
            assert!(b.next().is_some());
        }
    }
}
