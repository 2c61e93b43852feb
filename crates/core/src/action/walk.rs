//! The bounded walk from the clicked node to the element carrying the attribute.
//!
//! Generic over a [`Cursor`] that makes one read per node, so the same code runs on real DOM
//! nodes in the browser and on a fake tree in native tests. Like jQuery's delegation and jsaction, the walk:
//! - hops from a text node to its parent element;
//! - goes up from a child (`<i>` inside `<button>`) to the nearest element that has the
//!   attribute at all (an empty value stops the walk: it is that element's answer);
//! - hops from a shadow root to its host, so clicks inside open shadow trees resolve;
//! - stops at the boundary (the listening element, or a given root) and after `max_depth`
//!   steps up, so a hostile or cyclic object graph cannot hang the page;
//! - reports a click inside a disabled control as `disabled`, not as its label.

use super::resolution::Reason;

/// What kind of node a value is, as far as the walk cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A document, a window, or anything else without attributes: the walk ends.
    Other,
    /// Anything that can carry attributes: an element, or a duck-typed object with
    /// `getAttribute`, `dataset` or the attribute as a property.
    Element,
    /// A text node: the walk continues at its parent.
    Text,
    /// A shadow root: the walk continues at its host.
    ShadowRoot,
}

/// One element's answer for the attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attribute {
    /// The element does not have the attribute.
    Missing,
    /// The element has the attribute, with an empty value.
    Empty,
    /// The element has the attribute with a non-empty value: the label, which the cursor
    /// keeps (in the browser it stays a JavaScript string, never copied into Wasm).
    Value,
}

/// What one look at the node under the cursor found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    /// What kind of node it is; the fields below are about elements only.
    pub kind: NodeKind,
    /// It is a disabled control (`:disabled`); read only when the walk asked.
    pub disabled: bool,
    /// Its answer for the attribute.
    pub attribute: Attribute,
    /// It is the walk's boundary (the listening element, or the given root).
    pub at_bound: bool,
}

/// A cursor over the page's nodes, one read per node: the browser's costs one call across the
/// Wasm boundary for each, whatever the node has. Every read may fail: event-like objects can
/// have throwing getters, and a failure ends the walk with [`Reason::ReadFailed`] instead of
/// an exception.
pub trait Cursor {
    /// Looks at the node under the cursor; `want_disabled` asks whether it is disabled.
    fn look(&mut self, want_disabled: bool) -> Result<Look, Unreadable>;
    /// Moves to the next node up: the parent, or the host for a shadow root. `false` at the
    /// top (the cursor is then on nothing).
    fn up(&mut self) -> Result<bool, Unreadable>;
    /// Remembers the node under the cursor: the disabled control that answers if a label is
    /// found above it.
    fn keep(&mut self);
}

/// A read of a node failed (it threw).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unreadable;

/// Which element answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answerer {
    /// No element answered.
    Nobody,
    /// The node under the cursor when the walk ended.
    Current,
    /// The node the walk kept: a disabled control below the labelled element.
    Kept,
}

/// The result of a walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walked {
    /// The element the answer came from: the one carrying the attribute, the disabled one, or
    /// none.
    pub element: Answerer,
    /// Steps up from the clicked element to `element` (0: the clicked element itself).
    pub depth: u32,
    /// `Ok` when the element under the cursor carries the label, or why there is none.
    pub label: Result<(), Reason>,
}

impl Walked {
    /// A walk that found nothing, for `reason`, after `depth` steps.
    pub const fn failed(reason: Reason, depth: u32) -> Self {
        Walked {
            element: Answerer::Nobody,
            depth,
            label: Err(reason),
        }
    }
}

/// Walks up from the node under `cursor` until an element carries the attribute, the
/// boundary has been checked, or `max_depth` steps have been taken.
pub fn walk<C: Cursor>(cursor: &mut C, max_depth: u32) -> Walked {
    match try_walk(cursor, max_depth) {
        Ok(walked) => walked,
        Err(Unreadable) => Walked::failed(Reason::ReadFailed, 0),
    }
}

fn try_walk<C: Cursor>(cursor: &mut C, max_depth: u32) -> Result<Walked, Unreadable> {
    // Hops that are not steps up (text → parent, shadow root → host) are bounded separately,
    // so a cyclic fake tree of text nodes still ends.
    let max_hops = max_depth.saturating_mul(2).saturating_add(4);
    let (mut depth, mut hops) = (0u32, 0u32);
    let mut seen_element = false;
    let mut disabled_at: Option<u32> = None;
    loop {
        hops += 1;
        if hops > max_hops {
            return Ok(Walked::failed(Reason::DepthLimit, depth));
        }
        let look = cursor.look(disabled_at.is_none())?;
        let moved = match look.kind {
            NodeKind::Text | NodeKind::ShadowRoot => cursor.up()?,
            NodeKind::Other if seen_element => {
                return Ok(Walked::failed(Reason::AttributeMissing, depth))
            }
            NodeKind::Other => return Ok(Walked::failed(Reason::NotAnElement, depth)),
            NodeKind::Element => {
                seen_element = true;
                if look.disabled && disabled_at.is_none() {
                    cursor.keep();
                    disabled_at = Some(depth);
                }
                match look.attribute {
                    Attribute::Value => {
                        return Ok(match disabled_at {
                            Some(at) => Walked {
                                element: Answerer::Kept,
                                depth: at,
                                label: Err(Reason::Disabled),
                            },
                            None => Walked {
                                element: Answerer::Current,
                                depth,
                                label: Ok(()),
                            },
                        })
                    }
                    Attribute::Empty => {
                        let reason = if disabled_at.is_some() {
                            Reason::Disabled
                        } else {
                            Reason::AttributeEmpty
                        };
                        return Ok(Walked {
                            element: Answerer::Current,
                            depth,
                            label: Err(reason),
                        });
                    }
                    Attribute::Missing if look.at_bound => {
                        return Ok(Walked::failed(Reason::AttributeMissing, depth))
                    }
                    Attribute::Missing if depth >= max_depth => {
                        return Ok(Walked::failed(Reason::DepthLimit, depth))
                    }
                    Attribute::Missing => {
                        depth += 1;
                        cursor.up()?
                    }
                }
            }
        };
        if !moved {
            let reason = if seen_element {
                Reason::AttributeMissing
            } else {
                Reason::NotAnElement
            };
            return Ok(Walked::failed(reason, depth));
        }
    }
}

#[cfg(test)]
mod tests;
