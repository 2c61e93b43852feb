//! Masking of personal data at the source: a log record can only hold a [`MaskedPatient`],
//! never the request's fields, so an unmasked name cannot reach a log by accident.
//!
//! The masks keep just enough to tell bookings apart while debugging (`J*** D***`,
//! `j***@e***.org`, `***58`) and never the length of what they hide.
use crate::ascii::cat;
use alloc::string::String;

use super::request::BookingRequest;
use crate::ascii::split_last;

crate::json_record! {
    /// The patient fields of a booking, masked.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct MaskedPatient {
        /// First letter of each word of the name, then `***`.
        pub patient_name: String => "patientName",
        /// First letter of the local part and of the domain, and the top-level domain.
        pub patient_email: String => "patientEmail",
        /// The last two digits only.
        pub patient_phone: Option<String> => "patientPhone" [optional],
        /// `[redacted]` when there were notes: free text is never logged.
        pub notes: Option<&'static str> => "notes" [optional],
    }
}

impl MaskedPatient {
    /// The masked view of `request`'s personal fields.
    pub fn of(request: &BookingRequest) -> Self {
        MaskedPatient {
            patient_name: mask_name(&request.patient_name),
            patient_email: mask_email(&request.patient_email),
            patient_phone: request.patient_phone.as_deref().map(mask_phone),
            notes: request.notes.as_ref().map(|_| "[redacted]"),
        }
    }
}

/// Appends the first letter of `word`, then `***`.
fn push_initial(out: &mut String, word: &str) {
    let first = word.chars().next().map_or(0, char::len_utf8);
    out.push_str(word.get(..first).unwrap_or_default());
    out.push_str("***");
}

fn initial(word: &str) -> String {
    let mut out = String::new();
    push_initial(&mut out, word);
    out
}

/// `Jane van Doe` → `J*** v*** D***`.
pub fn mask_name(name: &str) -> String {
    let mut out = String::new();
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        push_initial(&mut out, word);
    }
    if out.is_empty() {
        out.push_str("***");
    }
    out
}

/// `jane.doe@example.org` → `j***@e***.org`.
pub fn mask_email(email: &str) -> String {
    let Some((local, domain)) = split_last(email, b'@') else {
        return "***".into();
    };
    let tld = split_last(domain, b'.').map_or("", |(_, tld)| tld);
    cat(&[initial(local).as_str(), "@", &initial(domain), ".", tld])
}

/// `+44 20 7946 0958` → `***58`. An ASCII digit is one byte of UTF-8, and no byte of a wider
/// character is one, so the digits are read as bytes.
pub fn mask_phone(phone: &str) -> String {
    let (mut last, mut count) = ([0u8; 2], 0);
    for digit in phone.bytes().filter(u8::is_ascii_digit) {
        last = [last[1], digit - b'0'];
        count += 1;
    }
    let mut out = String::from("***");
    for &digit in last.iter().skip(2 - count.min(2)) {
        crate::ascii::push_digit(&mut out, usize::from(digit));
    }
    out
}

// Debug output must not leak personal data either (it ends up in panics and test failures).
impl core::fmt::Debug for BookingRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BookingRequest")
            .field("calendar_id", &self.calendar_id)
            .field("slot_start", &self.slot_start)
            .field("duration_minutes", &self.duration_minutes)
            .field("patient", &MaskedPatient::of(self))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::ToJson;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    #[test]
    fn masks_keep_initials_and_hide_lengths() {
        assert_eq!(mask_name("Jane van Doe"), "J*** v*** D***");
        assert_eq!(mask_name("Zoë"), "Z***");
        assert_eq!(mask_name(""), "***");
        assert_eq!(mask_email("jane.doe@example.org"), "j***@e***.org");
        assert_eq!(mask_email("a@b.co.uk"), "a***@b***.uk");
        assert_eq!(mask_email("nonsense"), "***");
        assert_eq!(mask_phone("+44 20 7946 0958"), "***58");
        assert_eq!(mask_phone("7"), "***7");
    }

    #[test]
    fn masks_read_by_bytes_as_by_chars() {
        // What the masks were written as, char by char: the byte-wise ones give the same.
        let by_chars_name = |name: &str| {
            let words: Vec<String> = name
                .split_whitespace()
                .map(|w| w.chars().take(1).chain("***".chars()).collect())
                .collect();
            if words.is_empty() {
                "***".into()
            } else {
                words.join(" ")
            }
        };
        let by_chars_phone = |phone: &str| {
            let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
            let tail: String = digits[digits.len().saturating_sub(2)..].iter().collect();
            ["***", tail.as_str()].concat()
        };
        for text in [
            "",
            " ",
            "Élodie \t Ünal",
            "😀 x",
            "\u{3000}李\u{3000}小龍 ",
            "a\u{a0}b",
            "+1 (555) ٣٤ 0",
            "no digits",
            "1",
            "٠١٢",
            "12",
            "x9y8z7",
        ] {
            assert_eq!(mask_name(text), by_chars_name(text), "{text:?}");
            assert_eq!(mask_phone(text), by_chars_phone(text), "{text:?}");
        }
    }

    #[test]
    fn the_masked_view_contains_no_field_in_clear() {
        let request = BookingRequest {
            calendar_id: "cal_1".into(),
            slot_start: "2026-11-30T09:30:00Z".into(),
            duration_minutes: 30,
            patient_name: "Jane Doe".into(),
            patient_email: "jane.doe@example.org".into(),
            patient_phone: Some("+44 20 7946 0958".into()),
            notes: Some("allergic to penicillin".into()),
        };
        let json = MaskedPatient::of(&request).to_json();
        for secret in ["Jane", "Doe", "jane.doe", "example", "7946", "penicillin"] {
            assert!(!json.contains(secret), "{secret} leaked in {json}");
        }
    }
}
