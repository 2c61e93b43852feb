//! Options of the detailed resolver, validated before any DOM is read.

use crate::error::{Error, ErrorCode};

/// Options `resolveAction` refuses (`invalid_options`), with a fixed message: the drop-in's
/// build has no allocator, so nothing here makes a `String`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidOptions(pub &'static str);

impl From<InvalidOptions> for Error {
    fn from(InvalidOptions(message): InvalidOptions) -> Self {
        Error::new(ErrorCode::InvalidOptions, message)
    }
}

/// How far the resolver walks up from the clicked node when no boundary stops it first.
pub const DEFAULT_MAX_DEPTH: u32 = 32;
/// The largest `maxDepth` accepted; deeper DOMs exist only by accident.
pub const MAX_MAX_DEPTH: u32 = 1024;
/// The attribute read when none is given, as in the legacy helper.
pub const DEFAULT_ATTRIBUTE: &str = "data-action";

/// What `resolveAction` says of a bad `attribute` (a non-string, too long, empty or spaced):
/// one message per option, so the loader's JavaScript fallback repeats few strings.
pub const BAD_ATTRIBUTE: &str =
    "attribute must be an attribute name: a string of 1 to 1024 characters without spaces";
/// What `resolveAction` says of a bad `maxDepth` (a non-number or out of range).
pub const BAD_MAX_DEPTH: &str = "maxDepth must be an integer from 0 to 1024";

/// The longest attribute name `resolveAction` accepts, in UTF-16 code units: real names are
/// short, and the check bounds what a hostile name costs.
pub const MAX_ATTRIBUTE_UNITS: usize = 1024;

/// Validated options for `resolveAction`. The attribute itself and the boundary element
/// (`root`) are JavaScript values and stay in the web layer (so the name reaches the page's
/// elements unit for unit); everything checkable without the DOM is checked here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveOptions {
    /// Steps up from the clicked node before giving up with `depth_limit`.
    pub max_depth: u32,
}

impl Default for ResolveOptions {
    fn default() -> Self {
        ResolveOptions {
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl ResolveOptions {
    /// Options from the raw fields of a JavaScript options object (`None` for a missing field).
    ///
    /// `attribute` (its UTF-16 code units) must be 1 to [`MAX_ATTRIBUTE_UNITS`] units without
    /// whitespace (a lone surrogate is not whitespace: it is allowed and kept); `max_depth` an
    /// integer in `0..=1024` (0 reads only the clicked element).
    pub fn new(attribute: Option<&[u16]>, max_depth: Option<f64>) -> Result<Self, InvalidOptions> {
        let mut options = ResolveOptions::default();
        if let Some(units) = attribute {
            // Unit by unit: every whitespace character is one unit (none lies past the BMP),
            // and a surrogate, paired or not, is no char alone and not whitespace.
            let spaced = units
                .iter()
                .any(|&u| char::from_u32(u32::from(u)).is_some_and(char::is_whitespace));
            if units.is_empty() || units.len() > MAX_ATTRIBUTE_UNITS || spaced {
                return Err(InvalidOptions(BAD_ATTRIBUTE));
            }
        }
        if let Some(depth) = max_depth {
            // A whole number in range (no `f64::fract` without std: the cast round-trips).
            if !((0.0..=f64::from(MAX_MAX_DEPTH)).contains(&depth)
                && f64::from(depth as u32) == depth)
            {
                return Err(InvalidOptions(BAD_MAX_DEPTH));
            }
            options.max_depth = depth as u32;
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    fn units(text: &str) -> Vec<u16> {
        text.encode_utf16().collect()
    }

    #[test]
    fn defaults_match_the_legacy_helper() {
        let o = ResolveOptions::new(None, None).unwrap();
        assert_eq!(o.max_depth, DEFAULT_MAX_DEPTH);
        assert_eq!(DEFAULT_ATTRIBUTE, "data-action");
    }

    #[test]
    fn accepts_valid_values() {
        let o = ResolveOptions::new(Some(&units("data-user-id")), Some(0.0)).unwrap();
        assert_eq!(o.max_depth, 0);
        assert_eq!(
            ResolveOptions::new(None, Some(1024.0)).unwrap().max_depth,
            1024
        );
        let longest = vec![u16::from(b'x'); MAX_ATTRIBUTE_UNITS];
        assert!(ResolveOptions::new(Some(&longest), None).is_ok());
    }

    #[test]
    fn a_lone_surrogate_is_a_name_unit_like_any_other() {
        let mut name = units("data-x");
        name.push(0xD800);
        assert!(ResolveOptions::new(Some(&name), None).is_ok());
    }

    #[test]
    fn whitespace_is_found_unit_by_unit_as_by_decoding() {
        // Every unit alone, and every high surrogate paired with a low one.
        let decoded = |units: &[u16]| {
            char::decode_utf16(units.iter().copied()).any(|c| c.is_ok_and(char::is_whitespace))
        };
        let mut names: Vec<Vec<u16>> = (0..=u16::MAX).map(|u| vec![u16::from(b'x'), u]).collect();
        names.extend((0xD800..0xDC00).map(|high| vec![high, 0xDC00 + (high & 0x3FF)]));
        for name in names {
            let spaced = decoded(&name);
            assert_eq!(
                ResolveOptions::new(Some(&name), None).is_err(),
                spaced,
                "{name:x?}"
            );
        }
    }

    #[test]
    fn rejects_bad_values_with_a_stable_code() {
        let too_long = vec![u16::from(b'x'); MAX_ATTRIBUTE_UNITS + 1];
        for (attribute, depth) in [
            (Some(Vec::new()), None),
            (Some(units("data action")), None),
            (Some(units("data\u{3000}action")), None),
            (Some(too_long), None),
            (None, Some(-1.0)),
            (None, Some(1.5)),
            (None, Some(1025.0)),
            (None, Some(f64::NAN)),
            (None, Some(f64::INFINITY)),
        ] {
            let err = Error::from(ResolveOptions::new(attribute.as_deref(), depth).unwrap_err());
            assert_eq!(
                err.code,
                ErrorCode::InvalidOptions,
                "{attribute:?} {depth:?}"
            );
        }
    }
}
