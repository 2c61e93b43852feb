//! Options of the detailed resolver, validated before any DOM is read.

use crate::error::{Error, ErrorCode};

/// How far the resolver walks up from the clicked node when no boundary stops it first.
pub const DEFAULT_MAX_DEPTH: u32 = 32;
/// The largest `maxDepth` accepted; deeper DOMs exist only by accident.
pub const MAX_MAX_DEPTH: u32 = 1024;
/// The attribute read when none is given, as in the legacy helper.
pub const DEFAULT_ATTRIBUTE: &str = "data-action";

/// Validated options for `resolveAction`. The boundary element (`root`) is a JavaScript value
/// and stays in the web layer; everything checkable without the DOM lives here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveOptions {
    /// The attribute to read, for example `data-action`.
    pub attribute: String,
    /// Steps up from the clicked node before giving up with `depth_limit`.
    pub max_depth: u32,
}

impl Default for ResolveOptions {
    fn default() -> Self {
        ResolveOptions {
            attribute: DEFAULT_ATTRIBUTE.to_owned(),
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl ResolveOptions {
    /// Options from the raw fields of a JavaScript options object (`None` for a missing field).
    ///
    /// `attribute` must be a non-empty string without whitespace; `max_depth` an integer in
    /// `0..=1024` (0 reads only the clicked element).
    pub fn new(attribute: Option<String>, max_depth: Option<f64>) -> Result<Self, Error> {
        let mut options = ResolveOptions::default();
        if let Some(attribute) = attribute {
            if attribute.is_empty() || attribute.chars().any(char::is_whitespace) {
                return Err(invalid(
                    "attribute must be a non-empty attribute name without spaces",
                ));
            }
            options.attribute = attribute;
        }
        if let Some(depth) = max_depth {
            if !(depth.fract() == 0.0 && (0.0..=f64::from(MAX_MAX_DEPTH)).contains(&depth)) {
                return Err(invalid("maxDepth must be an integer from 0 to 1024"));
            }
            options.max_depth = depth as u32;
        }
        Ok(options)
    }
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::InvalidOptions, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_legacy_helper() {
        let o = ResolveOptions::new(None, None).unwrap();
        assert_eq!(o.attribute, "data-action");
        assert_eq!(o.max_depth, DEFAULT_MAX_DEPTH);
    }

    #[test]
    fn accepts_valid_values() {
        let o = ResolveOptions::new(Some("data-user-id".into()), Some(0.0)).unwrap();
        assert_eq!((o.attribute.as_str(), o.max_depth), ("data-user-id", 0));
        assert_eq!(
            ResolveOptions::new(None, Some(1024.0)).unwrap().max_depth,
            1024
        );
    }

    #[test]
    fn rejects_bad_values_with_a_stable_code() {
        for (attribute, depth) in [
            (Some(String::new()), None),
            (Some("data action".into()), None),
            (None, Some(-1.0)),
            (None, Some(1.5)),
            (None, Some(1025.0)),
            (None, Some(f64::NAN)),
            (None, Some(f64::INFINITY)),
        ] {
            let err = ResolveOptions::new(attribute.clone(), depth).unwrap_err();
            assert_eq!(
                err.code,
                ErrorCode::InvalidOptions,
                "{attribute:?} {depth:?}"
            );
        }
    }
}
