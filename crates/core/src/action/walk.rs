//! The bounded walk from the clicked node to the element carrying the attribute.
//!
//! Generic over [`NodeView`], so the same code runs on real DOM nodes in the browser and on a
//! fake tree in native tests. Like jQuery's delegation and jsaction, the walk:
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
    /// Anything that can carry attributes: an element, or a duck-typed object with
    /// `getAttribute`, `dataset` or the attribute as a property.
    Element,
    /// A text node: the walk continues at its parent.
    Text,
    /// A shadow root: the walk continues at its host.
    ShadowRoot,
    /// A document, a window, or anything else without attributes: the walk ends.
    Other,
}

/// One element's answer for the attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attribute<L> {
    /// The element does not have the attribute.
    Missing,
    /// The element has the attribute, with an empty value.
    Empty,
    /// The element has the attribute with this non-empty value.
    Value(L),
}

/// A read-only view of a node, cheap to clone (a reference). Every read may fail: event-like
/// objects can have throwing getters, and a failure ends the walk with [`Reason::ReadFailed`] instead of an exception.
pub trait NodeView: Sized + Clone {
    /// A label as the host represents strings (a `JsValue` in the browser).
    type Label;
    /// What kind of node this is.
    fn kind(&self) -> Result<NodeKind, Unreadable>;
    /// The next node up: the parent node, or the host for a shadow root.
    fn parent(&self) -> Result<Option<Self>, Unreadable>;
    /// The node's value for the attribute the walk looks for.
    fn attribute(&self) -> Result<Attribute<Self::Label>, Unreadable>;
    /// Whether the node is a disabled control (`:disabled`).
    fn is_disabled(&self) -> Result<bool, Unreadable>;
    /// Whether two views are the same node (`===`).
    fn is(&self, other: &Self) -> bool;
}

/// A read of a node failed (it threw).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unreadable;

/// The result of a walk.
#[derive(Debug, PartialEq, Eq)]
pub struct Walked<N, L> {
    /// The element the answer came from: the one carrying the attribute, the disabled one, or
    /// `None` when no element answered.
    pub element: Option<N>,
    /// Steps up from the clicked element to `element` (0: the clicked element itself).
    pub depth: u32,
    /// The label, or why there is none.
    pub label: Result<L, Reason>,
}

/// Walks up from `start` until an element carries the attribute, `bound` has been checked, or
/// `max_depth` steps have been taken.
pub fn walk<N: NodeView>(start: N, bound: Option<&N>, max_depth: u32) -> Walked<N, N::Label> {
    match try_walk(start, bound, max_depth) {
        Ok(walked) => walked,
        Err(Unreadable) => fail(Reason::ReadFailed, 0),
    }
}

fn try_walk<N: NodeView>(
    start: N,
    bound: Option<&N>,
    max_depth: u32,
) -> Result<Walked<N, N::Label>, Unreadable> {
    // Hops that are not steps up (text → parent, shadow root → host) are bounded separately,
    // so a cyclic fake tree of text nodes still ends.
    let max_hops = max_depth.saturating_mul(2).saturating_add(4);
    let (mut node, mut depth, mut hops) = (start, 0u32, 0u32);
    let mut seen_element = false;
    let mut disabled: Option<(N, u32)> = None;
    loop {
        hops += 1;
        if hops > max_hops {
            return Ok(fail(Reason::DepthLimit, depth));
        }
        let next = match node.kind()? {
            NodeKind::Text | NodeKind::ShadowRoot => node.parent()?,
            NodeKind::Other if seen_element => return Ok(fail(Reason::AttributeMissing, depth)),
            NodeKind::Other => return Ok(fail(Reason::NotAnElement, depth)),
            NodeKind::Element => {
                seen_element = true;
                if disabled.is_none() && node.is_disabled()? {
                    disabled = Some((node.clone(), depth));
                }
                let answer = node.attribute()?;
                let at_bound = bound.is_some_and(|b| node.is(b));
                match answer {
                    Attribute::Value(label) => {
                        return Ok(match disabled {
                            Some((d, at)) => Walked {
                                element: Some(d),
                                depth: at,
                                label: Err(Reason::Disabled),
                            },
                            None => Walked {
                                element: Some(node),
                                depth,
                                label: Ok(label),
                            },
                        })
                    }
                    Attribute::Empty => {
                        let reason = if disabled.is_some() {
                            Reason::Disabled
                        } else {
                            Reason::AttributeEmpty
                        };
                        return Ok(Walked {
                            element: Some(node),
                            depth,
                            label: Err(reason),
                        });
                    }
                    Attribute::Missing if at_bound => {
                        return Ok(fail(Reason::AttributeMissing, depth))
                    }
                    Attribute::Missing if depth >= max_depth => {
                        return Ok(fail(Reason::DepthLimit, depth))
                    }
                    Attribute::Missing => {
                        depth += 1;
                        node.parent()?
                    }
                }
            }
        };
        node = match next {
            Some(next) => next,
            None if seen_element => return Ok(fail(Reason::AttributeMissing, depth)),
            None => return Ok(fail(Reason::NotAnElement, depth)),
        };
    }
}

fn fail<N, L>(reason: Reason, depth: u32) -> Walked<N, L> {
    Walked {
        element: None,
        depth,
        label: Err(reason),
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

    #[derive(Clone)]
    struct Fake(Rc<Vec<Spec>>, usize);

    impl Fake {
        fn spec(&self) -> Result<&Spec, Unreadable> {
            let spec = &self.0[self.1];
            if spec.throws {
                Err(Unreadable)
            } else {
                Ok(spec)
            }
        }
    }

    impl NodeView for Fake {
        type Label = &'static str;
        fn kind(&self) -> Result<NodeKind, Unreadable> {
            Ok(self.spec()?.kind.unwrap_or(NodeKind::Element))
        }
        fn parent(&self) -> Result<Option<Self>, Unreadable> {
            Ok(self.spec()?.parent.map(|p| Fake(self.0.clone(), p)))
        }
        fn attribute(&self) -> Result<Attribute<&'static str>, Unreadable> {
            Ok(match self.spec()?.attr {
                None => Attribute::Missing,
                Some("") => Attribute::Empty,
                Some(v) => Attribute::Value(v),
            })
        }
        fn is_disabled(&self) -> Result<bool, Unreadable> {
            Ok(self.spec()?.disabled)
        }
        fn is(&self, other: &Self) -> bool {
            self.1 == other.1
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
        let bound = bound.map(|b| Fake(tree.clone(), b));
        let w = walk(Fake(tree.clone(), start), bound.as_ref(), max_depth);
        (w.element.map(|e| e.1), w.depth, w.label)
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
