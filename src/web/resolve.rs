//! `resolveAction(event, options)`: the detailed resolver for new code.
//!
//! Where `getActionLabel` keeps the legacy contract to the letter, this goes where the peers
//! go (see `ANCHORS.md`): it starts from the event's first composed-path entry, walks up to
//! the nearest element carrying the attribute (text nodes, nested children, SVG, open shadow
//! roots), stops at the listening element, and says why a label is empty. It never throws for
//! a bad event; only invalid options throw (`invalid_options`).

use super::event_like as read;
use super::js_error::to_js_error;
use super::local::Local;
use crate::action::options::MAX_ATTRIBUTE_UNITS;
use crate::action::walk::{walk, Attribute, NodeKind, NodeView, Unreadable, Walked};
use crate::action::{Reason, ResolveOptions, Source};
use crate::error::{Error, ErrorCode};
use alloc::vec::Vec;
use js_sys::{JsString, Object};
use wasm_bindgen::prelude::*;

static EMPTY: Local<JsValue> = Local::new(|| JsValue::from_str(""));
static DEFAULT_QUERY: Local<Query> = Local::new(|| {
    let attribute = JsValue::from_str(crate::action::options::DEFAULT_ATTRIBUTE);
    Query {
        dataset_key: read::dataset_key(&attribute),
        attribute,
    }
});
static OPTION_NAMES: Local<[JsValue; 3]> =
    Local::new(|| ["attribute", "maxDepth", "root"].map(JsValue::from_str));

/// What the walk looks for: the attribute name as the caller gave it (so every UTF-16 unit,
/// lone surrogates included, is read as `getActionLabel` reads it) and its `dataset` key
/// (`undefined` for names that are not `data-*`).
#[derive(Clone)]
struct Query {
    attribute: JsValue,
    dataset_key: JsValue,
}

/// A JavaScript node seen through [`NodeView`].
#[derive(Clone)]
struct JsNode<'q> {
    node: JsValue,
    query: &'q Query,
}

const ELEMENT_NODE: f64 = 1.0;
const TEXT_NODE: f64 = 3.0;
const DOCUMENT_FRAGMENT_NODE: f64 = 11.0;

/// `value`, unless one of the reads that produced it threw.
fn checked<T>(value: T) -> Result<T, Unreadable> {
    if read::failed() {
        Err(Unreadable)
    } else {
        Ok(value)
    }
}

impl NodeView for JsNode<'_> {
    type Label = JsValue;

    fn kind(&self) -> Result<NodeKind, Unreadable> {
        if !self.node.is_object() {
            return Ok(NodeKind::Other);
        }
        let kind = match read::node_type(&self.node).as_f64() {
            Some(ELEMENT_NODE) => NodeKind::Element,
            Some(TEXT_NODE) => NodeKind::Text,
            Some(DOCUMENT_FRAGMENT_NODE) if read::host(&self.node).is_truthy() => {
                NodeKind::ShadowRoot
            }
            Some(_) => NodeKind::Other,
            // No nodeType: a duck-typed element if it can answer for the attribute at all.
            None if read::get_attribute_member(&self.node).is_function()
                || read::dataset(&self.node).is_truthy()
                || read::has(&self.node, &self.query.attribute) =>
            {
                NodeKind::Element
            }
            None => NodeKind::Other,
        };
        checked(kind)
    }

    fn parent(&self) -> Result<Option<Self>, Unreadable> {
        let next = match read::node_type(&self.node).as_f64() {
            Some(DOCUMENT_FRAGMENT_NODE) => read::host(&self.node),
            _ => read::parent_node(&self.node),
        };
        checked(next.is_truthy().then(|| JsNode {
            node: next,
            query: self.query,
        }))
    }

    fn attribute(&self) -> Result<Attribute<JsValue>, Unreadable> {
        let (node, query) = (&self.node, self.query);
        let get_attribute = read::get_attribute_member(node);
        let value = if get_attribute.is_function() {
            read::call1(&get_attribute, node, &query.attribute)
        } else {
            let dataset = read::dataset(node);
            if dataset.is_truthy() && !query.dataset_key.is_undefined() {
                read::get(&dataset, &query.dataset_key)
            } else if read::has(node, &query.attribute) {
                read::get(node, &query.attribute)
            } else {
                JsValue::UNDEFINED
            }
        };
        checked(match value.dyn_ref::<JsString>() {
            None => Attribute::Missing,
            Some(text) if text.length() == 0 => Attribute::Empty,
            Some(_) => Attribute::Value(value),
        })
    }

    fn is_disabled(&self) -> Result<bool, Unreadable> {
        checked(read::is_disabled(&self.node))
    }

    fn is(&self, other: &Self) -> bool {
        Object::is(&self.node, &other.node)
    }
}

/// Where the walk starts: the clicked node and the event field it came from.
fn start_of(event: &JsValue) -> Option<(JsValue, Source)> {
    let target = read::target(event);
    let first = read::first_path_entry(event);
    if first.is_truthy() && !Object::is(&first, &target) {
        return Some((first, Source::ComposedPath));
    }
    if target.is_truthy() {
        return Some((target, Source::Target));
    }
    let src_element = read::src_element(event);
    if src_element.is_truthy() {
        return Some((src_element, Source::SrcElement));
    }
    let current_target = read::current_target(event);
    current_target
        .is_truthy()
        .then_some((current_target, Source::CurrentTarget))
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::InvalidOptions, message)
}

/// Reads `options` (`undefined`, `null` or an object; own properties only, so a polluted
/// `Object.prototype` chooses nothing) into validated options, the query and a root.
fn parse_options(options: &JsValue) -> Result<(ResolveOptions, Query, JsValue), Error> {
    if options.is_undefined() || options.is_null() {
        let query = DEFAULT_QUERY.with(Query::clone);
        return Ok((ResolveOptions::default(), query, JsValue::UNDEFINED));
    }
    if !options.is_object() {
        return Err(invalid("options must be an object"));
    }
    let [attribute, max_depth, root] =
        OPTION_NAMES.with(|names| names.each_ref().map(|n| read::own(options, n)));
    if read::failed() {
        read::take_failure();
        return Err(invalid(
            "an option could not be read (its getter or Proxy threw)",
        ));
    }
    // The name is checked on its UTF-16 units, after a length check, so a 1 MB name is refused
    // without being copied and a lone surrogate is kept, never rewritten.
    let units = match attribute.dyn_ref::<JsString>() {
        _ if attribute.is_undefined() => None,
        Some(name) if name.length() as usize > MAX_ATTRIBUTE_UNITS => {
            return Err(invalid("attribute must be at most 1024 characters"))
        }
        Some(name) => Some(name.iter().collect::<Vec<u16>>()),
        None => return Err(invalid("attribute must be a string")),
    };
    let max_depth = match max_depth.as_f64() {
        _ if max_depth.is_undefined() => None,
        Some(depth) => Some(depth),
        None => return Err(invalid("maxDepth must be a number")),
    };
    if !(root.is_undefined() || root.is_null() || root.is_object()) {
        return Err(invalid("root must be an element or null"));
    }
    let parsed = ResolveOptions::new(units.as_deref(), max_depth)?;
    let query = match units {
        None => DEFAULT_QUERY.with(Query::clone),
        Some(_) => Query {
            dataset_key: read::dataset_key(&attribute),
            attribute,
        },
    };
    Ok((parsed, query, root))
}

/// What `resolveAction` found, before it becomes a JavaScript object.
pub struct Resolution {
    /// The label (`''` when there is none), as the element holds it.
    pub label: JsValue,
    /// The event field the walk started from.
    pub source: Option<Source>,
    /// Why the label is empty.
    pub reason: Option<Reason>,
    /// The element that answered.
    pub element: JsValue,
    /// Steps up from the clicked element to `element`.
    pub depth: u32,
}

/// The detailed resolution. Fails only for invalid options; a bad event is a reason.
pub fn resolve(event: &JsValue, options: &JsValue) -> Result<Resolution, Error> {
    // A fresh start: nothing a caller's earlier input parked can leak into this answer.
    if read::failed() {
        read::take_failure();
    }
    let (options, query, root) = parse_options(options)?;
    let (source, walked) = if !event.is_truthy() {
        (None, failed(Reason::NoEvent))
    } else {
        match start_of(event) {
            _ if read::failed() => (None, failed(Reason::ReadFailed)),
            None => (None, failed(Reason::NoElement)),
            Some((start, source)) => {
                let bound = if root.is_truthy() {
                    root
                } else {
                    read::current_target(event)
                };
                let bound = bound.is_truthy().then(|| JsNode {
                    node: bound,
                    query: &query,
                });
                let walked = walk(
                    JsNode {
                        node: start,
                        query: &query,
                    },
                    bound.as_ref(),
                    options.max_depth,
                );
                let element = walked.element.map(|e| e.node);
                (
                    Some(source),
                    Walked {
                        element,
                        depth: walked.depth,
                        label: walked.label,
                    },
                )
            }
        }
    };
    // The resolver reports a throwing read as `read_failed`; clear it for the next call.
    if read::failed() {
        read::take_failure();
    }
    let (label, reason) = match walked.label {
        Ok(label) => (label, None),
        Err(reason) => (EMPTY.with(JsValue::clone), Some(reason)),
    };
    Ok(Resolution {
        label,
        source,
        reason,
        element: walked.element.unwrap_or(JsValue::NULL),
        depth: walked.depth,
    })
}

fn failed(reason: Reason) -> Walked<JsValue, JsValue> {
    Walked {
        element: None,
        depth: 0,
        label: Err(reason),
    }
}

impl Resolution {
    /// The plain object described by `ActionResolution`.
    pub fn to_js(&self) -> JsValue {
        read::resolution(
            &self.label,
            self.source.map_or(0, |s| s as u32 + 1),
            self.reason.map_or(0, |r| r as u32 + 1),
            &self.element,
            self.depth,
        )
    }
}

/// `resolveAction(event, options)`: the label of a UI event with where it came from and, when
/// empty, why. Walks from the clicked node up to the nearest element carrying the attribute,
/// bounded by `options.root` or the listening element and by `options.maxDepth`.
///
/// @throws {Error} with `code: 'invalid_options'` when an option has the wrong type or range.
#[wasm_bindgen(js_name = resolveAction, skip_typescript)]
pub fn resolve_action_js(event: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    resolve_action(&event, &options).map_err(|e| to_js_error(&e))
}

/// [`resolve`], as the plain object described by `ActionResolution`.
pub fn resolve_action(event: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
    resolve(event, options).map(|r| r.to_js())
}

#[wasm_bindgen(typescript_custom_section)]
const RESOLVE_ACTION_TS: &str = r#"
/** Where a label came from: the event field the walk started at. */
export type ActionSource = 'target' | 'srcElement' | 'currentTarget' | 'composedPath';

/** Why a label is empty. */
export type ActionReason =
  | 'no_event' | 'no_element' | 'not_an_element' | 'attribute_missing'
  | 'attribute_empty' | 'disabled' | 'depth_limit' | 'read_failed';

/** Options of `resolveAction`; every field is optional. */
export interface ResolveActionOptions {
  /** The attribute to read. Default `'data-action'`. */
  attribute?: string;
  /** Where the walk stops (inclusive). Default: `event.currentTarget`, the listening element. */
  root?: Element | null;
  /** Steps up from the clicked element before giving up with `depth_limit`. 0..1024, default 32. */
  maxDepth?: number;
}

/** The detailed answer of `resolveAction`. */
export interface ActionResolution {
  /** The label, `''` when there is none. */
  label: string;
  /** The event field the walk started from; `null` when the event had no element. */
  source: ActionSource | null;
  /** Why `label` is empty; `null` when there is a label. */
  reason: ActionReason | null;
  /** The element that answered: the one carrying the attribute, or the disabled control. */
  element: Element | null;
  /** Steps up from the clicked element to `element`. */
  depth: number;
}

/**
 * The label of a UI event with where it came from and, when empty, why. Never throws for a
 * bad event; throws an `Error` with `code: 'invalid_options'` for invalid options.
 */
export function resolveAction(event: Event | object | null | undefined, options?: ResolveActionOptions): ActionResolution;
"#;
