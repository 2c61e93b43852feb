//! Exponential backoff with full jitter (AWS, "Exponential Backoff and Jitter"). Pure: the
//! retry number and a uniform random draw in, the delay out, so tests assert exact sequences.

/// Delays before retries: the n-th (from 0) is uniform in `[0, min(max, base · 2ⁿ))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first ceiling, ms.
    pub base_ms: u64,
    /// The largest ceiling, ms.
    pub max_ms: u64,
}

impl Backoff {
    /// The ceiling of retry `n` (from 0), before jitter.
    pub fn ceiling_ms(self, n: u32) -> u64 {
        let factor = 1u64.checked_shl(n).unwrap_or(u64::MAX);
        self.base_ms.saturating_mul(factor).min(self.max_ms)
    }

    /// The delay before retry `n`, jittered by `draw` (a uniform `u32`: the delay is
    /// `ceiling · draw / 2³²`, in integer arithmetic).
    pub fn delay_ms(self, n: u32, draw: u32) -> u64 {
        ((u128::from(self.ceiling_ms(n)) * u128::from(draw)) >> 32) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let b = Backoff {
            base_ms: 100,
            max_ms: 1000,
        };
        let seq: Vec<u64> = (0..6).map(|n| b.delay_ms(n, u32::MAX)).collect();
        // u32::MAX / 2^32 is just under 1: each delay is one below its ceiling.
        assert_eq!(seq, [99, 199, 399, 799, 999, 999]);
    }

    #[test]
    fn jitter_scales_the_ceiling() {
        let b = Backoff {
            base_ms: 100,
            max_ms: 10_000,
        };
        assert_eq!(
            [
                b.delay_ms(0, 0),
                b.delay_ms(1, 1 << 31),
                b.delay_ms(2, 1 << 30)
            ],
            [0, 100, 100]
        );
    }

    #[test]
    fn never_overflows() {
        let b = Backoff {
            base_ms: u64::MAX / 2,
            max_ms: u64::MAX,
        };
        for n in 0..100 {
            assert!(b.delay_ms(n, u32::MAX) < u64::MAX);
        }
    }
}
