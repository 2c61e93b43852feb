//! Who is in a gradual rollout: Unleash's bucket function, so a team's flag service and the
//! page put a unit in the same place.
//!
//! Unleash's flexible rollout (`unleash-client-node`, `src/strategy/util.ts`) hashes
//! `"{groupId}:{unit}"` with MurmurHash3 x86 32-bit, seed 0, and takes `hash % 100 + 1`: a
//! number from 1 to 100. A unit is in a rollout of `p` percent when that number is at most
//! `p`, so raising the percentage never moves a unit out. Bytes are the UTF-8 of the text, as
//! in Unleash's Rust, Go and Java clients (the Node client's murmurhash3js reads one byte per
//! UTF-16 unit, which agrees for ASCII ids).

/// MurmurHash3, x86, 32-bit (Austin Appleby's reference `MurmurHash3_x86_32`).
pub fn murmur3_x86_32(data: &[u8], seed: u32) -> u32 {
    murmur3_parts(&[data], seed)
}

/// MurmurHash3 x86 32 of the parts one after the other, with no copy into one buffer.
fn murmur3_parts(parts: &[&[u8]], seed: u32) -> u32 {
    fn mix(k: u32) -> u32 {
        k.wrapping_mul(0xcc9e_2d51)
            .rotate_left(15)
            .wrapping_mul(0x1b87_3593)
    }
    let (mut h, mut k, mut len) = (seed, 0u32, 0u32);
    for byte in parts.iter().flat_map(|part| part.iter()) {
        k |= u32::from(*byte) << (8 * (len % 4));
        len = len.wrapping_add(1);
        if len % 4 == 0 {
            h ^= mix(k);
            h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
            k = 0;
        }
    }
    if len % 4 != 0 {
        h ^= mix(k);
    }
    // The length is mixed in as a 32-bit value, as the reference does.
    h ^= len;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// Unleash's `normalizedStrategyValue(unit, groupId)`: 1 to 100.
pub fn bucket(group_id: &str, unit: &str) -> u32 {
    murmur3_parts(&[group_id.as_bytes(), b":", unit.as_bytes()], 0) % 100 + 1
}

/// Whether `unit` is in a rollout of `percent` (0 to 100) for `group_id`.
pub fn in_rollout(group_id: &str, unit: &str, percent: u32) -> bool {
    bucket(group_id, unit) <= percent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur3_matches_the_reference_vectors() {
        // SMHasher's verification values for MurmurHash3_x86_32.
        assert_eq!(murmur3_x86_32(b"", 0), 0);
        assert_eq!(murmur3_x86_32(b"", 1), 0x514e_28b7);
        assert_eq!(murmur3_x86_32(b"", 0xffff_ffff), 0x81f1_6f39);
        assert_eq!(murmur3_x86_32(&[0, 0, 0, 0], 0), 0x2362_f9de);
        assert_eq!(murmur3_x86_32(b"aaaa", 0x9747_b28c), 0x5a97_808a);
        assert_eq!(murmur3_x86_32(b"abc", 0), 0xb3dd_93fa);
        assert_eq!(murmur3_x86_32(b"Hello, world!", 0x9747_b28c), 0x2488_4cba);
        assert_eq!(
            murmur3_x86_32(b"The quick brown fox jumps over the lazy dog", 0x9747_b28c),
            0x2fa8_26cd
        );
    }

    #[test]
    fn buckets_match_unleash() {
        // unleash-client-node, test/strategy/util-test: "normalized values are the same across
        // node, java, and go clients".
        assert_eq!(bucket("gr1", "123"), 73);
        assert_eq!(bucket("groupX", "999"), 25);
        // Unleash client-specification, 10-flexible-rollout-strategy.json and
        // 03-gradual-rollout-user-id-strategy.json: (groupId, unit, rollout, enabled).
        for (group, unit, percent, enabled) in [
            ("Feature.flexibleRollout.10", "174", 10, true),
            ("Feature.flexibleRollout.10", "499", 10, false),
            ("Feature.flexibleRollout.userId.55", "25", 55, true),
            ("Feature.flexibleRollout.sessionId.42", "147", 42, true),
            ("AB12A", "122", 50, true),
            ("AB12A", "155", 50, false),
            ("AB12A", "123", 100, true),
            ("AB12A", "122", 0, false),
        ] {
            assert_eq!(
                in_rollout(group, unit, percent),
                enabled,
                "{group}:{unit} at {percent}%"
            );
        }
    }

    #[test]
    fn a_ramp_never_moves_a_unit_back_and_shares_match_the_percentage() {
        let mut counts = [0u32; 101];
        for i in 0..10_000u32 {
            let unit = alloc::format!("unit-{i}");
            let b = bucket("booking-2026-12", &unit);
            assert!((1..=100).contains(&b));
            counts[b as usize] += 1;
            let mut was_in = false;
            for percent in [1, 5, 25, 50, 100] {
                let now_in = in_rollout("booking-2026-12", &unit, percent);
                assert!(now_in || !was_in, "{unit} left the rollout at {percent}%");
                was_in = now_in;
            }
        }
        let in_25: u32 = counts[1..=25].iter().sum();
        // 25 % of 10,000 within 1.3 points (three standard deviations).
        assert!((2370..=2630).contains(&in_25), "{in_25}");
    }
}
