//! Structural reads of event-like and element-like JavaScript values.
//!
//! Nothing here checks `instanceof`: a plain object built by old page code is read exactly like
//! a DOM event. The reads live in `reads.js` and never throw: a throwing getter or Proxy parks
//! its exception and reads as `undefined`; the caller asks [`failed`] when its work is done and
//! takes the exception with [`take_failure`]. An exception therefore never tears through Wasm
//! frames (which would leak stack and table slots), and the happy path pays one check per call.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/reads.js")]
extern "C" {
    /// Whether a read since the last [`take_failure`] threw.
    pub fn failed() -> bool;
    /// The first exception a read threw since the last call, and a fresh start.
    #[wasm_bindgen(js_name = takeFailure)]
    pub fn take_failure() -> JsValue;

    /// `o.target`.
    pub fn target(o: &JsValue) -> JsValue;
    /// `o.srcElement`: the IE-era alias of `target`, the only field on some event-like objects.
    /// web-sys has no binding for it.
    #[wasm_bindgen(js_name = srcElement)]
    pub fn src_element(o: &JsValue) -> JsValue;
    /// `o.currentTarget`: the listening element (`null` after dispatch).
    #[wasm_bindgen(js_name = currentTarget)]
    pub fn current_target(o: &JsValue) -> JsValue;
    /// `o.composedPath()[0]` when `composedPath` is a function returning an array, else
    /// `undefined`.
    #[wasm_bindgen(js_name = firstPathEntry)]
    pub fn first_path_entry(o: &JsValue) -> JsValue;
    /// `o.getAttribute` as a value, so it is called only when it is a function.
    #[wasm_bindgen(js_name = getAttributeMember)]
    pub fn get_attribute_member(o: &JsValue) -> JsValue;
    /// `o.dataset` (missing on old engines and late on SVG).
    pub fn dataset(o: &JsValue) -> JsValue;
    /// `o.nodeType`.
    #[wasm_bindgen(js_name = nodeType)]
    pub fn node_type(o: &JsValue) -> JsValue;
    /// `o.parentNode`.
    #[wasm_bindgen(js_name = parentNode)]
    pub fn parent_node(o: &JsValue) -> JsValue;
    /// `o.host` (of a shadow root).
    pub fn host(o: &JsValue) -> JsValue;
    /// `o.matches(':disabled')`, or `o.disabled === true` for objects without `matches`.
    #[wasm_bindgen(js_name = isDisabled)]
    pub fn is_disabled(o: &JsValue) -> bool;
    /// `f.call(this_arg, arg)`.
    pub fn call1(f: &JsValue, this_arg: &JsValue, arg: &JsValue) -> JsValue;
    /// `o[key]`.
    pub fn get(o: &JsValue, key: &JsValue) -> JsValue;
    /// `key in o`, which is a failure for a primitive `o`, as in the legacy helper.
    pub fn has(o: &JsValue, key: &JsValue) -> bool;
    /// `o[key]` if `key` is an own property of `o`, else `undefined` (options objects).
    pub fn own(o: &JsValue, key: &JsValue) -> JsValue;
    /// The `dataset` key of a `data-*` name (`data-user-id` → `userId`), the legacy helper's
    /// rule; `undefined` for anything else. Never copies the name into Wasm memory.
    #[wasm_bindgen(js_name = datasetKey)]
    pub fn dataset_key(name: &JsValue) -> JsValue;
    /// `resolveAction`'s answer as an object literal; `source` and `reason` are indices into
    /// the enums' names, 0 for `null`.
    pub fn resolution(
        label: &JsValue,
        source: u32,
        reason: u32,
        element: &JsValue,
        depth: u32,
    ) -> JsValue;
}

/// Ends a unit of reads: `Err` with the first exception a read threw, if any.
pub fn check() -> Result<(), JsValue> {
    if failed() {
        Err(take_failure())
    } else {
        Ok(())
    }
}
