//! A field value of any JavaScript type, so validation can name the field and the type it got
//! instead of failing the whole object with a generic deserializer message.

use core::fmt;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

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

    /// A value that JavaScript marked as not a plain scalar (see `classify` in the web layer's
    /// `effects.js`), by its kind number.
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

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound("an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound("an array"))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Scalar, E> {
        Ok(Scalar::Compound("a byte array"))
    }
}

/// Reads an optional field as text, naming the field and the type it got otherwise.
pub fn text<'a>(
    value: &'a Option<Scalar>,
    field: &'static str,
) -> Result<Option<&'a str>, crate::Error> {
    match value {
        None => Ok(None),
        Some(Scalar::Text(s)) => Ok(Some(s)),
        Some(Scalar::Unusable(why)) => {
            Err(crate::Error::invalid_field(field, format!("{field} {why}")))
        }
        Some(other) => Err(crate::Error::invalid_field(
            field,
            format!("{field} must be a string, got {}", other.kind()),
        )),
    }
}

/// Reads an optional field as a whole number in `range`, naming the field otherwise.
pub fn whole_number(
    value: &Option<Scalar>,
    field: &'static str,
    range: core::ops::RangeInclusive<u64>,
    code: crate::ErrorCode,
) -> Result<Option<u64>, crate::Error> {
    let out_of_range = || {
        let mut e = crate::Error::new(
            code,
            format!(
                "{field} must be a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        );
        if code == crate::ErrorCode::InvalidRequest {
            e.field = Some(field);
        }
        e
    };
    match value {
        None => Ok(None),
        Some(Scalar::Number(n)) => {
            // `n as u64` saturates (NaN → 0), so the range check catches every bad number.
            if n.fract() != 0.0 || *n < 0.0 || !range.contains(&(*n as u64)) {
                return Err(out_of_range());
            }
            Ok(Some(*n as u64))
        }
        Some(_) => Err(out_of_range()),
    }
}
