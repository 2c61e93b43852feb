//! Timestamps as integer milliseconds since the Unix epoch: RFC 3339 (slot starts, log `ts`)
//! and HTTP dates (`Retry-After`). Integer arithmetic only, so the Wasm build carries no float
//! formatting.
use alloc::string::String;
use alloc::vec::Vec;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Milliseconds since the epoch of a validated civil date and time.
fn to_ms(date: (i64, u32, u32), h: u32, m: u32, s: u32, ms: u32) -> Option<i64> {
    let (year, month, day) = date;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    // A leap second (:60) names the last instant of its minute.
    let s = s.min(59);
    let secs = days_from_civil(year, month, day) * 86_400 + i64::from(h * 3600 + m * 60 + s);
    Some(secs * 1000 + i64::from(ms))
}

/// A fixed-width run of ASCII digits.
fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |n, d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

/// Parses an RFC 3339 `date-time` (`2026-11-30T09:30:00Z`, `2026-11-30T10:30:00.5+01:00`)
/// into milliseconds since the epoch. The offset is required, as RFC 3339 requires; fractions
/// beyond milliseconds are truncated. `None` for anything else.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let (month, day) = (digits(&b[5..7])?, digits(&b[8..10])?);
    let (h, m, s) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    let mut rest = b.get(19..)?;
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        for (i, d) in frac.iter().take(n.min(3)).enumerate() {
            ms += u32::from(d - b'0') * [100, 10, 1][i];
        }
        rest = frac.get(n..)?;
    }
    let offset_min: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), oh @ .., b':', m1, m2] if oh.len() == 2 => {
            let (oh, om) = (digits(oh)?, digits(&[*m1, *m2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let minutes = i64::from(oh * 60 + om);
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    let local = to_ms((i64::from(year), month, day), h, m, s, ms)?;
    Some(local - offset_min * 60_000)
}

/// Formats milliseconds since the epoch as RFC 3339 in UTC with milliseconds:
/// `2026-11-23T08:00:00.000Z`.
pub fn format_rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let (h, rem) = (in_day / 3_600_000, in_day % 3_600_000);
    let (m, rem) = (rem / 60_000, rem % 60_000);
    let (s, milli) = (rem / 1000, rem % 1000);
    let mut out = String::with_capacity(24);
    // The divisor held to 1 at least: no division-by-zero or overflow panic is compiled in.
    let mut digits = |n: i64, width: u32, after: char| {
        for i in (0..width).rev() {
            crate::ascii::push_digit(&mut out, (n / 10i64.pow(i).max(1)).rem_euclid(10) as usize);
        }
        if after != '\0' {
            out.push(after);
        }
    };
    digits(year, 4, '-');
    digits(i64::from(month), 2, '-');
    digits(i64::from(day), 2, 'T');
    digits(h, 2, ':');
    digits(m, 2, ':');
    digits(s, 2, '.');
    digits(milli, 3, 'Z');
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_number(name: &str) -> Option<u32> {
    MONTHS.iter().position(|m| *m == name).map(|i| i as u32 + 1)
}

fn clock(text: &str) -> Option<(u32, u32, u32)> {
    let b = text.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    Some((digits(&b[0..2])?, digits(&b[3..5])?, digits(&b[6..8])?))
}

/// Parses an HTTP date in the three forms RFC 9110 §5.6.7 obliges recipients to accept:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`)
/// and asctime (`Sun Nov  6 08:49:37 1994`). The weekday is not checked.
pub fn parse_http_date(text: &str) -> Option<i64> {
    // The words between spaces, commas and dashes (ASCII: cut by bytes).
    let mut tokens: Vec<&str> = Vec::new();
    let mut start = 0;
    for end in 0..=text.len() {
        let at_end = text.as_bytes().get(end).is_none_or(|b| b" ,-".contains(b));
        if at_end {
            if end > start {
                tokens.push(text.get(start..end)?);
            }
            start = end + 1;
        }
    }
    let (day, month, year, time) = match tokens.as_slice() {
        [_, month, day, time, year] if month_number(month).is_some() => (day, month, year, time),
        [_, day, month, year, time, "GMT"] => (day, month, year, time),
        _ => return None,
    };
    let month = month_number(month)?;
    let day = digits(day.as_bytes()).filter(|_| day.len() <= 2)?;
    let year = match (year.len(), digits(year.as_bytes())?) {
        (4, y) => i64::from(y),
        // RFC 850's two-digit year: the nearest past century reading (RFC 9110).
        (2, y) if y < 70 => 2000 + i64::from(y),
        (2, y) => 1900 + i64::from(y),
        _ => return None,
    };
    let (h, m, s) = clock(time)?;
    to_ms((year, month, day), h, m, s, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    const NOV_6_1994: i64 = 784_111_777_000;

    #[test]
    fn rfc3339_utc_and_offsets_name_the_same_instant() {
        let utc = parse_rfc3339("2026-11-30T09:30:00Z").unwrap();
        assert_eq!(parse_rfc3339("2026-11-30T10:30:00+01:00"), Some(utc));
        assert_eq!(parse_rfc3339("2026-11-30T04:30:00-05:00"), Some(utc));
        assert_eq!(parse_rfc3339("2026-11-30t09:30:00z"), Some(utc));
        assert_eq!(parse_rfc3339("2026-11-30T09:30:00.250Z"), Some(utc + 250));
        assert_eq!(parse_rfc3339("2026-11-30T09:30:00.2509Z"), Some(utc + 250));
        assert_eq!(parse_rfc3339("1994-11-06T08:49:37Z"), Some(NOV_6_1994));
    }

    #[test]
    fn rfc3339_rejects_what_is_not_a_full_date_time() {
        for bad in [
            "",
            "2026-11-30",
            "2026-11-30T09:30:00",       // no offset
            "2026-11-30 09:30:00Z",      // space separator
            "2026-02-29T09:30:00Z",      // not a leap year
            "2026-13-01T00:00:00Z",      // month 13
            "2026-11-31T00:00:00Z",      // 31 November
            "2026-11-30T24:00:00Z",      // hour 24
            "2026-11-30T09:30:00.Z",     // empty fraction
            "2026-11-30T09:30:00+0100",  // offset without colon
            "2026-11-30T09:30:00+24:00", // offset out of range
            "２０２６-11-30T09:30:00Z",  // non-ASCII digits
            "2026-11-30T09:30:00Z trailing",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
        assert!(parse_rfc3339("2028-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn format_round_trips_through_parse() {
        for ms in [
            0,
            NOV_6_1994,
            1_795_000_000_123,
            -86_400_000,
            4_102_444_800_000,
        ] {
            let text = format_rfc3339(ms);
            assert_eq!(parse_rfc3339(&text), Some(ms), "{text}");
        }
        assert_eq!(format_rfc3339(NOV_6_1994 + 5), "1994-11-06T08:49:37.005Z");
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(NOV_6_1994)
        );
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(NOV_6_1994)
        );
        assert_eq!(
            parse_http_date("Sun Nov  6 08:49:37 1994"),
            Some(NOV_6_1994)
        );
        for bad in [
            "",
            "tomorrow",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 31 Feb 2026 00:00:00 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }
}
