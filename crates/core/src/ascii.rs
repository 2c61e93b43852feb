//! Text cut at ASCII delimiters, and digits read and written, byte by byte. The standard
//! library's char-pattern searches (`rsplit_once('@')`, `split('.')`, `contains('.')`),
//! `from_str_radix`, `to_digit` and `String::push` of a computed `char` link its `memchr`,
//! UTF-8 decoding and encoding and radix parsing into the Wasm module; an ASCII byte is always
//! a char boundary, so cutting at one by bytes gives the same `&str`s.
use alloc::string::String;

const DIGITS: &str = "0123456789abcdef";

/// Appends the digit `d` (0 to 15; lowercase hex past 9).
pub(crate) fn push_digit(out: &mut String, d: usize) {
    out.push_str(DIGITS.get(d..=d).unwrap_or("0"));
}

/// Appends the last `digits` hex digits of `n` (lowercase, leading zeros kept).
pub(crate) fn push_hex(out: &mut String, n: u64, digits: u32) {
    for i in (0..digits).rev() {
        push_digit(out, ((n >> (4 * i)) & 0xf) as usize);
    }
}

/// The value of a hex digit (either case).
pub(crate) fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `text` cut at the first `delimiter`: what is before it and after it.
pub(crate) fn split_first(text: &str, delimiter: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == delimiter)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// `text` cut at the last `delimiter`.
pub(crate) fn split_last(text: &str, delimiter: u8) -> Option<(&str, &str)> {
    let at = text.bytes().rposition(|b| b == delimiter)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// Whether `text` holds `byte`.
pub(crate) fn has(text: &str, byte: u8) -> bool {
    text.bytes().any(|b| b == byte)
}

/// 1 to 16 hex digits (either case, nothing else) as a number.
pub(crate) fn hex(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 16 {
        return None;
    }
    text.bytes()
        .try_fold(0u64, |n, b| Some(n << 4 | u64::from(hex_digit(b)?)))
}

/// The texts one after another: what `[..].concat()` makes, in one loop instead of the
/// standard library's generic join (-0.15 KB gzip). No capacity is worked out first: the texts
/// are short (item names, messages), and reserving costs more code than the few regrowths.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cat_joins_as_concat_does() {
        for parts in [&[][..], &[""], &["p:", "00ff"], &["a", "", "ü", "-b"]] {
            assert_eq!(cat(parts), parts.concat(), "{parts:?}");
        }
    }

    #[test]
    fn cuts_match_the_standard_library() {
        for text in [
            "",
            "@",
            "a@b",
            "a@b@c",
            "jané@ex.ample.org",
            "no delimiter",
            "ü@",
            "@ü",
        ] {
            assert_eq!(split_first(text, b'@'), text.split_once('@'), "{text}");
            assert_eq!(split_last(text, b'@'), text.rsplit_once('@'), "{text}");
            assert_eq!(has(text, b'@'), text.contains('@'), "{text}");
        }
    }

    #[test]
    fn digits_are_written_as_char_from_digit_writes_them() {
        let mut out = String::new();
        for d in 0..16 {
            push_digit(&mut out, d);
        }
        assert_eq!(out, "0123456789abcdef");
        out.clear();
        push_hex(&mut out, 0x2028, 4);
        push_hex(&mut out, 0xcbf2_9ce4_8422_2325, 16);
        push_hex(&mut out, 7, 2);
        assert_eq!(out, "2028cbf29ce48422232507");
    }

    #[test]
    fn hex_matches_from_str_radix_on_digits() {
        for text in [
            "0",
            "ff",
            "FF",
            "cbf29ce484222325",
            "0123456789abcdef",
            "ffffffffffffffff",
        ] {
            assert_eq!(hex(text), u64::from_str_radix(text, 16).ok(), "{text}");
        }
        for text in ["", "+f", "-1", "g", "12345678901234567", " 1"] {
            assert_eq!(hex(text), None, "{text}");
        }
    }
}
