//! A field value of any JavaScript type, so validation can name the field and the type it got
//! instead of failing the whole object with a generic message; and [`raw_record!`](crate::raw_record), which
//! declares an input record (a request, a config) once: its fields, their JavaScript names,
//! and how to read them by name.
use crate::ascii::cat;
use alloc::string::String;

use crate::json::decimal;
use crate::{Error, ErrorCode};

/// One input field as it arrived.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// `true` or `false`.
    Bool(bool),
    /// Any number.
    Number(f64),
    /// A string.
    Text(String),
    /// An object, array, function, symbol or bigint, or a value that could not be read (its
    /// contents are not kept): what it was, for messages.
    Compound(&'static str),
    /// A string that cannot be used as text: it has a lone surrogate (an unpaired UTF-16 code
    /// unit, which would otherwise be rewritten to U+FFFD on its way in), or it is longer than
    /// any field accepts. Says which.
    Unusable(&'static str),
}

impl Scalar {
    /// The type's name, for messages: `a string`, `a number`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Scalar::Bool(_) => "a boolean",
            Scalar::Number(_) => "a number",
            Scalar::Text(_) => "a string",
            Scalar::Compound(kind) => kind,
            Scalar::Unusable(_) => "a string",
        }
    }

    /// A value that JavaScript marked as not a plain scalar (see `classify` in the bindings'
    /// driver), by its kind number.
    pub fn odd(kind: u32) -> Scalar {
        match kind {
            2 => Scalar::Compound("an array"),
            3 => Scalar::Compound("a function"),
            4 => Scalar::Compound("a symbol"),
            5 => Scalar::Compound("a bigint"),
            6 => Scalar::Compound("a value that could not be read (its getter or Proxy threw)"),
            7 => Scalar::Unusable("has a lone surrogate (an unpaired UTF-16 code unit)"),
            8 => Scalar::Unusable("is longer than 4096 characters"),
            _ => Scalar::Compound("an object"),
        }
    }
}

/// Declares an input record once: a struct of `Option<Scalar>` fields, `FIELDS` (their
/// JavaScript names, in order) and `from_lookup`, which reads each field by its name.
#[macro_export]
macro_rules! raw_record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident => $js:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Option<$crate::booking::wire::scalar::Scalar>, )*
        }

        impl $name {
            /// Every field's JavaScript name, in declaration order.
            pub const FIELDS: &'static [&'static str] = &[$($js),*];

            /// [`FIELDS`](Self::FIELDS), comma-separated.
            pub const JOINED: &'static str = concat!($($js, ","),*);

            /// The record from `get(name)` for each of [`FIELDS`](Self::FIELDS).
            pub fn from_lookup(
                mut get: impl FnMut(&str) -> Option<$crate::booking::wire::scalar::Scalar>,
            ) -> Self {
                $name { $( $field: get($js), )* }
            }
        }
    };
}

/// Reads an optional field as text, naming the field and the type it got otherwise.
pub fn text<'a>(value: &'a Option<Scalar>, field: &'static str) -> Result<Option<&'a str>, Error> {
    match value {
        None => Ok(None),
        Some(Scalar::Text(s)) => Ok(Some(s)),
        Some(Scalar::Unusable(why)) => Err(Error::invalid_field(field, cat(&[field, " ", why]))),
        Some(other) => Err(Error::invalid_field(
            field,
            cat(&[field, " must be a string, got ", other.kind()]),
        )),
    }
}

/// Reads an optional field as a whole number from `lo` to `hi`, naming the field otherwise.
pub fn whole_number(
    value: &Option<Scalar>,
    field: &'static str,
    lo: u64,
    hi: u64,
    code: ErrorCode,
) -> Result<Option<u64>, Error> {
    let out_of_range = |got: &str| {
        let message = cat(&[
            field,
            " must be a whole number from ",
            &decimal(lo),
            " to ",
            &decimal(hi),
            got,
        ]);
        let mut e = Error::new(code, message);
        if code == ErrorCode::InvalidRequest {
            e.field = Some(field);
        }
        e
    };
    match value {
        None => Ok(None),
        Some(Scalar::Number(n)) => {
            // Whole when the cast round-trips (`n as u64` saturates, and NaN becomes 0, so a
            // fraction, a negative, NaN and infinity all fail one of the checks).
            if (*n as u64) as f64 != *n || !(lo..=hi).contains(&(*n as u64)) {
                return Err(out_of_range(""));
            }
            Ok(Some(*n as u64))
        }
        Some(other) => Err(out_of_range(&cat(&[", got ", other.kind()]))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    crate::raw_record! {
        /// A test record.
        pub struct Sample {
            first => "firstName",
            count => "count",
        }
    }

    #[test]
    fn a_record_is_read_by_its_javascript_names() {
        assert_eq!(Sample::FIELDS, ["firstName", "count"]);
        assert_eq!(Sample::JOINED, "firstName,count,");
        let s = Sample::from_lookup(|name| (name == "count").then_some(Scalar::Number(2.0)));
        assert_eq!((s.first, s.count), (None, Some(Scalar::Number(2.0))));
    }

    #[test]
    fn messages_name_the_field_and_what_it_got() {
        let e = text(&Some(Scalar::Number(1.0)), "notes").unwrap_err();
        assert_eq!(e.message, "notes must be a string, got a number");
        assert_eq!(e.field, Some("notes"));
        let e = text(&Some(Scalar::odd(7)), "notes").unwrap_err();
        assert_eq!(
            e.message,
            "notes has a lone surrogate (an unpaired UTF-16 code unit)"
        );
        let e = whole_number(
            &Some(Scalar::Text("30".into())),
            "durationMinutes",
            5,
            240,
            ErrorCode::InvalidRequest,
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "durationMinutes must be a whole number from 5 to 240, got a string"
        );
        for n in [4.0, 241.0, 30.5, f64::NAN, -1.0, f64::INFINITY] {
            assert!(whole_number(
                &Some(Scalar::Number(n)),
                "d",
                5,
                240,
                ErrorCode::InvalidRequest
            )
            .is_err());
        }
    }
}
