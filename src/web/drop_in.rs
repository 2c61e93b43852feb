//! `getActionLabel(event, attribute = 'data-action')`: the legacy contract, `srcElement` fixed.
//!
//! Step by step as in `LEGACY.md`, with one change: the element is `target`, else
//! `srcElement`, else `currentTarget`. Each step is one read on the page's cursor
//! ([`super::event_like`]); the label goes back as the very JavaScript value the page holds
//! (never through a Rust `String`), so every UTF-16 code unit survives. A real click costs
//! three calls across the boundary, an IE11-style `{ srcElement }` object four.

use super::event_like::{self as read, on_cursor, NO_EVENT, THREW};
use crate::action::Source;
use wasm_bindgen::prelude::*;

/// The message of the `TypeError` thrown for a falsy event, as the legacy helper throws (the
/// error is made in `reads.js`, which writes the same text: the browser tests compare it with
/// the legacy helper's).
pub const NO_EVENT_MESSAGE: &str = "getActionLabel: an event-like object is required";

/// The element fields in the order the fix reads them: the legacy helper skipped `srcElement`.
const ELEMENT_FIELDS: [Source; 3] = [Source::Target, Source::SrcElement, Source::CurrentTarget];

/// The label for `event`, exactly as the legacy helper would return it had it read
/// `srcElement`: a string (`''` for none), or an exception for a falsy event or a throwing
/// getter. `attribute` is `undefined` for the default `data-action`.
pub fn get_action_label(event: &JsValue, attribute: &JsValue) -> Result<JsValue, JsValue> {
    let label = get_action_label_fast(event, attribute);
    if label == read::failed_sentinel() {
        Err(read::take_failure())
    } else {
        Ok(label)
    }
}

/// The legacy steps, straight-line: this runs on every click. Returns the label, or the failed
/// sentinel with the exception parked.
fn label_of(event: &JsValue, attribute: &JsValue) -> JsValue {
    // Step 2, fixed: the first truthy of target, srcElement, currentTarget.
    let mut found = false;
    for field in ELEMENT_FIELDS {
        match read::pick(event, field as u32) {
            0 => continue,
            1 => {
                found = true;
                break;
            }
            NO_EVENT => return read::refuse(),
            _ => return read::failed_sentinel(),
        }
    }
    // Step 3: no element; steps 4 to 6, the first that applies gives the label; step 7: ''.
    if found {
        for step in [
            read::via_get_attribute,
            read::via_dataset,
            read::via_property,
        ] {
            match step(attribute) {
                0 => continue,
                THREW => return read::failed_sentinel(),
                _ => break,
            }
        }
    }
    read::finish()
}

/// The export behind `getActionLabel` (the loader's global and the ES module's function, both
/// a line of JavaScript around it).
///
/// A `Result` return costs a multi-value array, a call back into Wasm to free the externref
/// slot and a branch per call in the generated glue. Here a failure is parked instead and a
/// unique sentinel returned; the JavaScript wrapper compares with `===` and rethrows the
/// parked exception (`__takeFailure`). Success costs nothing extra.
#[wasm_bindgen(js_name = __getActionLabelFast, skip_typescript)]
pub fn get_action_label_fast(event: &JsValue, attribute: &JsValue) -> JsValue {
    on_cursor(|| label_of(event, attribute))
}

/// The sentinel `__getActionLabelFast` returns on failure; fetched once by the loader.
#[wasm_bindgen(js_name = __failedSentinel, skip_typescript)]
pub fn failed_sentinel() -> JsValue {
    read::failed_sentinel()
}

/// Takes the exception parked by the last failed `__getActionLabelFast` or
/// `__resolveActionFast` call.
#[wasm_bindgen(js_name = __takeFailure, skip_typescript)]
pub fn take_failure() -> JsValue {
    read::take_failure()
}
