//! `getActionLabel(event, attribute = 'data-action')`: the legacy contract, `srcElement` fixed.
//!
//! Step by step as in `LEGACY.md`, with one change: the element is `target`, else
//! `srcElement`, else `currentTarget`. The steps are reads on the page's cursor
//! ([`super::event_like`]); the event, the attribute and the label stay the very JavaScript
//! values the page holds (never a Rust `String`), so every UTF-16 code unit survives. A click,
//! real or IE11-style, costs one call into Wasm and one back.

use super::event_like::{self as read, LABELLED, NO_EVENT, THREW};
use wasm_bindgen::prelude::*;

/// The message of the `TypeError` thrown for a falsy event, as the legacy helper throws (the
/// error is made in `reads.js`, which writes the same text: the browser tests compare it with
/// the legacy helper's).
pub const NO_EVENT_MESSAGE: &str = "getActionLabel: an event-like object is required";

/// The label for `event`, exactly as the legacy helper would return it had it read
/// `srcElement`: a string (`''` for none), or an exception for a falsy event or a throwing
/// getter. `attribute` is `undefined` for the default `data-action`. (The wrappers do the
/// same in JavaScript, `reads.js`'s `actionLabel`, with one call into Wasm.)
pub fn get_action_label(event: &JsValue, attribute: &JsValue) -> Result<JsValue, JsValue> {
    read::enter(event, attribute);
    let label = if get_action_label_fast() {
        Ok(read::take_label())
    } else {
        Err(read::take_failure())
    };
    read::leave();
    label
}

/// The export behind `getActionLabel`, on the arguments `reads.js` holds for the call (the
/// loader's global and the ES module's function hand them over with `actionLabel`): `true`
/// when the call succeeded and its label waits in `reads.js`, `false` when it failed and its
/// exception is parked.
///
/// Neither the event nor the attribute crosses into Wasm, and the answer is a boolean: a
/// borrowed value, a `Result` or a string return would each cost table slots, glue and calls
/// back into Wasm, on every click. The legacy steps run straight-line.
#[wasm_bindgen(js_name = __getActionLabelFast, skip_typescript)]
pub fn get_action_label_fast() -> bool {
    // Steps 2 to 4, fixed, in one read: the element (step 3: none, the label is ''), and its
    // getAttribute's answer when it has one.
    match read::element() {
        0 | LABELLED => return true,
        NO_EVENT => {
            read::refuse();
            return false;
        }
        THREW => return false,
        _ => {}
    }
    // Steps 5 and 6: the first that applies gives the label; step 7: ''.
    for step in [read::via_dataset, read::via_property] {
        match step() {
            0 => continue,
            THREW => return false,
            _ => break,
        }
    }
    true
}
