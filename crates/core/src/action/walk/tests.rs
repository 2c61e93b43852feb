//! Tests of [`super`].
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
