//! `getActionLabel(event, attribute = 'data-action')`: the legacy contract, `srcElement` fixed.
//!
//! Step by step as in `LEGACY.md`, with one change: the element is `target`, else
//! `srcElement`, else `currentTarget`. The label goes back as the very `JsValue` the page gave
//! us (never through a Rust `String`), so every UTF-16 code unit survives, and `''` is a cached
//! string, so "no label" costs no text decoding.

use super::event_like::{self as read, check};
use super::local::Local;
use crate::action::options::DEFAULT_ATTRIBUTE;
use core::cell::Cell;
use js_sys::Object;
use wasm_bindgen::prelude::*;

static EMPTY: Local<JsValue> = Local::new(|| JsValue::from_str(""));
static DEFAULT_ATTR: Local<JsValue> = Local::new(|| JsValue::from_str(DEFAULT_ATTRIBUTE));
/// `dataset` key of the default attribute (`action`), so dataset-only IE11-style objects do not
/// convert the name on every click.
static DEFAULT_KEY: Local<JsValue> = Local::new(|| DEFAULT_ATTR.with(read::dataset_key));
static FAILED: Local<JsValue> = Local::new(|| Object::new().into());
static FAILURE: Local<Cell<Option<JsValue>>> = Local::new(|| Cell::new(None));

/// The message of the `TypeError` thrown for a falsy event, as the legacy helper throws.
pub const NO_EVENT_MESSAGE: &str = "getActionLabel: an event-like object is required";

/// The label for `event`, exactly as the legacy helper would return it had it read
/// `srcElement`: a string (`''` for none), or an exception for a falsy event or a throwing
/// getter. `attribute` is `undefined` for the default `data-action`.
pub fn get_action_label(event: &JsValue, attribute: &JsValue) -> Result<JsValue, JsValue> {
    if !event.is_truthy() {
        return Err(js_sys::TypeError::new(NO_EVENT_MESSAGE).into());
    }
    let label = if attribute.is_undefined() {
        DEFAULT_ATTR.with(|name| DEFAULT_KEY.with(|key| label_of(event, name, || key.clone())))
    } else {
        label_of(event, attribute, || read::dataset_key(attribute))
    };
    // A read that threw made the rest of the reads see `undefined`; the first exception wins.
    check()?;
    Ok(label)
}

/// The legacy steps 2 to 7 (see `LEGACY.md`), straight-line: this runs on every click.
/// `dataset_key` yields the `dataset` key of `attribute` (`undefined` for a name that is not a
/// `data-*` string), computed only on the dataset path.
fn label_of(
    event: &JsValue,
    attribute: &JsValue,
    dataset_key: impl FnOnce() -> JsValue,
) -> JsValue {
    let Some(element) = event_element(event) else {
        return empty();
    };
    let get_attribute = read::get_attribute_member(&element);
    if get_attribute.is_function() {
        let value = read::call1(&get_attribute, &element, attribute);
        return if value.is_string() { value } else { empty() };
    }
    let dataset = read::dataset(&element);
    if dataset.is_truthy() {
        let key = dataset_key();
        if !key.is_undefined() {
            let value = read::get(&dataset, &key);
            return if value.is_truthy() { value } else { empty() };
        }
    }
    // `attribute in element`, which fails for a primitive element, as in the legacy helper.
    if read::has(&element, attribute) {
        let value = read::get(&element, attribute);
        if value.is_string() {
            return value;
        }
    }
    empty()
}

/// `target`, else `srcElement`, else `currentTarget`: the first truthy one.
fn event_element(event: &JsValue) -> Option<JsValue> {
    let target = read::target(event);
    if target.is_truthy() {
        return Some(target);
    }
    let src_element = read::src_element(event);
    if src_element.is_truthy() {
        return Some(src_element);
    }
    let current_target = read::current_target(event);
    current_target.is_truthy().then_some(current_target)
}

fn empty() -> JsValue {
    EMPTY.with(JsValue::clone)
}

/// `getActionLabel(event, attribute = 'data-action')`: which action a UI event stands for.
/// The Result-returning export for module users; the loader uses the faster one below.
#[wasm_bindgen(js_name = getActionLabel, skip_typescript)]
pub fn get_action_label_js(event: &JsValue, attribute: &JsValue) -> Result<JsValue, JsValue> {
    get_action_label(event, attribute)
}

#[wasm_bindgen(typescript_custom_section)]
const GET_ACTION_LABEL_TS: &str = r#"
/**
 * Which action a UI event stands for: a drop-in for the legacy helper, `srcElement` fixed.
 * The element is `event.target`, else `event.srcElement`, else `event.currentTarget`; its
 * label is `getAttribute(attribute)` when it has `getAttribute`, else `dataset[camelCaseKey]`
 * for `data-*` names, else the property. Returns `''` when there is no label.
 * @throws {TypeError} when `event` is falsy.
 */
export function getActionLabel(event: Event | object, attribute?: string): string;
"#;

/// The hot-path export behind the loader's global `getActionLabel`.
///
/// A `Result` return costs a stack-pointer dance, three memory reads and a try/finally per
/// call in the generated glue. Here a failure is parked instead and a unique sentinel
/// returned; the loader (`js/raptor-secondary.js`) compares with `===` and rethrows the parked
/// exception. Success costs nothing extra.
#[wasm_bindgen(js_name = __getActionLabelFast, skip_typescript)]
pub fn get_action_label_fast(event: &JsValue, attribute: &JsValue) -> JsValue {
    match get_action_label(event, attribute) {
        Ok(label) => label,
        Err(error) => {
            FAILURE.with(|f| f.set(Some(error)));
            FAILED.with(JsValue::clone)
        }
    }
}

/// The sentinel `__getActionLabelFast` returns on failure; fetched once by the loader.
#[wasm_bindgen(js_name = __failedSentinel, skip_typescript)]
pub fn failed_sentinel() -> JsValue {
    FAILED.with(JsValue::clone)
}

/// Takes the exception parked by the last failed `__getActionLabelFast` call.
#[wasm_bindgen(js_name = __takeFailure, skip_typescript)]
pub fn take_failure() -> JsValue {
    FAILURE.with(Cell::take).unwrap_or(JsValue::UNDEFINED)
}
