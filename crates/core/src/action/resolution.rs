//! Where an action label came from, and why it is empty when it is.

/// The event field the resolver started from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `event.target`.
    Target,
    /// `event.srcElement` (IE-era events and event-like objects built by old page code).
    SrcElement,
    /// `event.currentTarget`, the listening element.
    CurrentTarget,
    /// `event.composedPath()[0]`, when it differs from `target` (a click inside a shadow tree,
    /// whose `target` the browser retargets to the host).
    ComposedPath,
}

impl Source {
    /// The name JavaScript sees, which is the event field's own name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Source::Target => "target",
            Source::SrcElement => "srcElement",
            Source::CurrentTarget => "currentTarget",
            Source::ComposedPath => "composedPath",
        }
    }
}

/// Why a resolution has no label. Exposed to JavaScript as stable `snake_case` strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The event was missing (`null`, `undefined` or another falsy value).
    NoEvent,
    /// The event carried no element in any field the resolver reads.
    NoElement,
    /// The event's element is not an element: a document, a window, a detached text node or an
    /// object with no way to read attributes.
    NotAnElement,
    /// No element between the clicked one and the boundary carries the attribute.
    AttributeMissing,
    /// The nearest element carrying the attribute has it empty.
    AttributeEmpty,
    /// The element carrying the label, or one between it and the clicked node, is disabled
    /// (`:disabled`, which covers controls inside a disabled `<fieldset>`).
    Disabled,
    /// The walk gave up after `maxDepth` steps up without reaching the boundary.
    DepthLimit,
    /// Reading the event or an element threw (a hostile getter or Proxy); the resolver reports
    /// it instead of throwing.
    ReadFailed,
}

impl Reason {
    /// The reason as JavaScript sees it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::NoEvent => "no_event",
            Reason::NoElement => "no_element",
            Reason::NotAnElement => "not_an_element",
            Reason::AttributeMissing => "attribute_missing",
            Reason::AttributeEmpty => "attribute_empty",
            Reason::Disabled => "disabled",
            Reason::DepthLimit => "depth_limit",
            Reason::ReadFailed => "read_failed",
        }
    }

    /// Every reason, for documentation and exhaustive tests.
    pub const ALL: [Reason; 8] = [
        Reason::NoEvent,
        Reason::NoElement,
        Reason::NotAnElement,
        Reason::AttributeMissing,
        Reason::AttributeEmpty,
        Reason::Disabled,
        Reason::DepthLimit,
        Reason::ReadFailed,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    #[test]
    fn reason_codes_are_distinct_snake_case() {
        let codes: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        for code in &codes {
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
        }
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn sources_are_named_after_event_fields() {
        assert_eq!(Source::SrcElement.as_str(), "srcElement");
        assert_eq!(Source::CurrentTarget.as_str(), "currentTarget");
    }
}
