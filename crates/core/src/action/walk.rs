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
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    use std::rc::Rc;
    #[allow(unused_imports)]
    use std::{format, vec};

    /// One node of a fake tree: its kind, parent, attribute value and flags.
    #[derive(Clone, Default)]
    struct Spec {
        kind: Option<NodeKind>,
        parent: Option<usize>,
        attr: Option<&'static str>,
        disabled: bool,
        throws: bool,
    }

    /// A cursor over a fake tree: the node it is on, the one it kept, and the label it read.
    struct Fake {
        tree: Rc<Vec<Spec>>,
        at: Option<usize>,
        kept: Option<usize>,
        bound: Option<usize>,
        label: Option<&'static str>,
    }

    impl Fake {
        fn spec(&self) -> Result<&Spec, Unreadable> {
            let spec = &self.tree[self.at.expect("the walk reads only while on a node")];
            if spec.throws {
                Err(Unreadable)
            } else {
                Ok(spec)
            }
        }
    }

    impl Cursor for Fake {
        fn look(&mut self, want_disabled: bool) -> Result<Look, Unreadable> {
            let spec = self.spec()?;
            let kind = spec.kind.unwrap_or(NodeKind::Element);
            let (disabled, attr) = (spec.disabled && want_disabled, spec.attr);
            let attribute = match attr {
                None => Attribute::Missing,
                Some("") => Attribute::Empty,
                Some(v) => {
                    self.label = Some(v);
                    Attribute::Value
                }
            };
            Ok(Look {
                kind,
                disabled,
                attribute,
                at_bound: self.at == self.bound,
            })
        }
        fn up(&mut self) -> Result<bool, Unreadable> {
            self.at = self.spec()?.parent;
            Ok(self.at.is_some())
        }
        fn keep(&mut self) {
            self.kept = self.at;
        }
    }

    fn el(parent: Option<usize>, attr: Option<&'static str>) -> Spec {
        Spec {
            parent,
            attr,
            ..Spec::default()
        }
    }

    /// 0 document, 1 body (root), 2 button[data-action=book] (disabled when asked), 3 <i>,
    /// 4 a text node inside <i>.
    fn page(button_disabled: bool) -> Rc<Vec<Spec>> {
        Rc::new(vec![
            Spec {
                kind: Some(NodeKind::Other),
                ..Spec::default()
            },
            el(Some(0), None),
            Spec {
                disabled: button_disabled,
                ..el(Some(1), Some("book"))
            },
            el(Some(2), None),
            Spec {
                kind: Some(NodeKind::Text),
                parent: Some(3),
                ..Spec::default()
            },
        ])
    }

    fn run(
        tree: &Rc<Vec<Spec>>,
        start: usize,
        bound: Option<usize>,
        max_depth: u32,
    ) -> (Option<usize>, u32, Result<&'static str, Reason>) {
        let mut cursor = Fake {
            tree: tree.clone(),
            at: Some(start),
            kept: None,
            bound,
            label: None,
        };
        let w = walk(&mut cursor, max_depth);
        let element = match w.element {
            Answerer::Nobody => None,
            Answerer::Current => cursor.at,
            Answerer::Kept => cursor.kept,
        };
        (element, w.depth, w.label.map(|()| cursor.label.unwrap()))
    }

    #[test]
    fn the_clicked_element_answers_first() {
        assert_eq!(run(&page(false), 2, Some(1), 32), (Some(2), 0, Ok("book")));
    }

    #[test]
    fn a_child_and_a_text_node_resolve_to_the_nearest_labelled_ancestor() {
        assert_eq!(run(&page(false), 3, Some(1), 32), (Some(2), 1, Ok("book")));
        assert_eq!(
            run(&page(false), 4, Some(1), 32),
            (Some(2), 1, Ok("book")),
            "text hop is no step"
        );
    }

    #[test]
    fn the_boundary_stops_the_walk() {
        // The listening element is the <i> itself: its button is outside the delegation root.
        assert_eq!(
            run(&page(false), 4, Some(3), 32),
            (None, 0, Err(Reason::AttributeMissing))
        );
    }

    #[test]
    fn the_depth_cap_stops_the_walk() {
        assert_eq!(
            run(&page(false), 3, Some(1), 0),
            (None, 0, Err(Reason::DepthLimit))
        );
        assert_eq!(run(&page(false), 3, Some(1), 1), (Some(2), 1, Ok("book")));
    }

    #[test]
    fn walking_off_the_top_is_a_missing_attribute() {
        assert_eq!(
            run(&page(false), 1, None, 32),
            (None, 1, Err(Reason::AttributeMissing))
        );
    }

    #[test]
    fn a_document_or_detached_text_is_not_an_element() {
        assert_eq!(
            run(&page(false), 0, None, 32),
            (None, 0, Err(Reason::NotAnElement))
        );
        let detached = Rc::new(vec![Spec {
            kind: Some(NodeKind::Text),
            ..Spec::default()
        }]);
        assert_eq!(
            run(&detached, 0, None, 32),
            (None, 0, Err(Reason::NotAnElement))
        );
    }

    #[test]
    fn an_empty_value_is_the_nearest_answer() {
        let tree = Rc::new(vec![
            el(None, Some("outer")),
            el(Some(0), Some("")),
            el(Some(1), None),
        ]);
        assert_eq!(
            run(&tree, 2, None, 32),
            (Some(1), 1, Err(Reason::AttributeEmpty))
        );
    }

    #[test]
    fn a_click_inside_a_disabled_control_is_reported_as_disabled() {
        assert_eq!(
            run(&page(true), 4, Some(1), 32),
            (Some(2), 1, Err(Reason::Disabled))
        );
        // A disabled child below the labelled element disables the action too.
        let tree = Rc::new(vec![
            el(None, Some("book")),
            Spec {
                disabled: true,
                ..el(Some(0), None)
            },
        ]);
        assert_eq!(run(&tree, 1, None, 32), (Some(1), 0, Err(Reason::Disabled)));
    }

    #[test]
    fn a_shadow_root_hops_to_its_host() {
        // 0 host[data-action=open] <- 1 shadow root <- 2 <span> inside the shadow tree
        let tree = Rc::new(vec![
            el(None, Some("open")),
            Spec {
                kind: Some(NodeKind::ShadowRoot),
                parent: Some(0),
                ..Spec::default()
            },
            el(Some(1), None),
        ]);
        assert_eq!(run(&tree, 2, None, 32), (Some(0), 1, Ok("open")));
    }

    #[test]
    fn a_throwing_node_ends_the_walk_with_read_failed() {
        let tree = Rc::new(vec![
            Spec {
                throws: true,
                ..el(None, Some("x"))
            },
            el(Some(0), None),
        ]);
        assert_eq!(run(&tree, 1, None, 32), (None, 0, Err(Reason::ReadFailed)));
    }

    #[test]
    fn a_cycle_of_text_nodes_ends() {
        let tree = Rc::new(vec![Spec {
            kind: Some(NodeKind::Text),
            parent: Some(0),
            ..Spec::default()
        }]);
        assert_eq!(run(&tree, 0, None, 3).2, Err(Reason::DepthLimit));
        let elements = Rc::new(vec![el(Some(0), None)]);
        assert_eq!(
            run(&elements, 0, None, 5),
            (None, 5, Err(Reason::DepthLimit))
        );
    }
}
