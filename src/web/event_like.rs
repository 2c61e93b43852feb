//! The page reads behind `getActionLabel` and `resolveAction` (`reads.js`).
//!
//! Nothing here checks `instanceof`: a plain object built by old page code is read exactly like
//! a DOM event. The reads work on a call's arguments and a cursor held on the JavaScript side
//! (`reads.js` also keeps those of a call that a read re-entered) and return what they found as
//! small integers, so a click costs one or two calls across the boundary and the page's values
//! never enter Wasm. They never throw: a throwing getter or Proxy parks its exception and the
//! read returns [`THREW`]; the caller stops reading. An exception therefore never tears through
//! Wasm frames (which would leak stack and table slots).

use wasm_bindgen::prelude::*;

/// What a read returns when the page threw (its exception is parked).
pub const THREW: i32 = -1;
/// What `element` returns for a falsy event.
pub const NO_EVENT: i32 = 2;
/// What the wrapper passes `__resolveActionFast` when it has not called `begin` (the call has
/// options, which Rust reads first).
pub const NOT_BEGUN: i32 = -2;
/// What `element` returns when `getAttribute` gave the label.
pub const LABELLED: i32 = 3;
/// What `begin` returns when no event field has an element.
pub const NO_START: i32 = 4;
/// What `begin` returns for a falsy event.
pub const NO_START_EVENT: i32 = 5;
/// In what `begin` returns over 8 (its first look): the look threw.
pub const LOOK_THREW: i32 = 64;

/// What [`argument_kind`] and [`read_options`] say a value is.
pub mod kind {
    /// `undefined`.
    pub const UNDEFINED: u32 = 0;
    /// `null`.
    pub const NULL: u32 = 1;
    /// A string.
    pub const STRING: u32 = 2;
    /// A number.
    pub const NUMBER: u32 = 3;
    /// An object other than a function (`typeof` is `'object'`).
    pub const OBJECT: u32 = 4;
}

/// The bits of [`look`] at an element (its kind is the low two bits).
pub mod bits {
    /// Mask of the node's kind (the walk's `NodeKind` order).
    pub const KIND: i32 = 3;
    /// The element is disabled.
    pub const DISABLED: i32 = 4;
    /// The element has the attribute, empty.
    pub const EMPTY: i32 = 8;
    /// The element has the attribute with a non-empty value (the cursor keeps it as the label).
    pub const VALUE: i32 = 16;
    /// The element is the walk's boundary.
    pub const AT_STOP: i32 = 32;
}

#[wasm_bindgen(module = "/src/web/reads.js")]
extern "C" {
    /// The exception a failed call parked, and a fresh start.
    #[wasm_bindgen(js_name = takeFailure)]
    pub fn take_failure() -> JsValue;
    /// Parks the `TypeError` of a falsy event, whose message
    /// ([`super::drop_in::NO_EVENT_MESSAGE`]) `reads.js` writes.
    pub fn refuse();
    /// Parks `error` (invalid options), for the wrapper to throw.
    #[wasm_bindgen(js_name = parkError)]
    pub fn park(error: &JsValue);
    /// A JavaScript `Error` with `message` and an own `code` property.
    #[wasm_bindgen(js_name = codedError)]
    pub fn coded_error(message: &str, code: &str) -> JsValue;

    /// Legacy steps 2 to 4 in one read, on the arguments `reads.js` holds for the
    /// `getActionLabel` call: puts the cursor on the first truthy of `event.target`,
    /// `.srcElement`, `.currentTarget` and, when it has a callable `getAttribute`, reads the
    /// label with it: [`LABELLED`], 1 (an element without `getAttribute`), 0 (no element),
    /// [`NO_EVENT`], [`THREW`].
    pub fn element() -> i32;
    /// Legacy step 5: 1 when the cursor has a dataset and the attribute is a data-* name, 0,
    /// [`THREW`].
    #[wasm_bindgen(js_name = viaDataset)]
    pub fn via_dataset() -> i32;
    /// Legacy step 6: 1 when the attribute is `in` the cursor, 0, [`THREW`].
    #[wasm_bindgen(js_name = viaProperty)]
    pub fn via_property() -> i32;
    /// The label the `getActionLabel` call that just succeeded found (`''` when none was);
    /// the JavaScript wrappers take it themselves (`actionLabel`).
    #[wasm_bindgen(js_name = takeLabel)]
    pub fn take_label() -> JsValue;
    /// Starts a call on `event` and `argument` (the attribute or the options), as the
    /// wrappers' `actionLabel` and `resolveCall` do.
    pub fn enter(event: &JsValue, argument: &JsValue);
    /// Ends the call [`enter`] started.
    pub fn leave();

    /// Puts the cursor where the `resolveAction` call's walk starts, sets its boundary (the
    /// option `root` when `use_root`, else `currentTarget`) and looks there for the attribute:
    /// [`NO_START_EVENT`], [`NO_START`], [`THREW`], or where it started (the [`Source`] index:
    /// `composedPath()[0]` when it differs from `target`, else `target`, `srcElement`,
    /// `currentTarget`) plus 8 times the look's [`bits`] ([`LOOK_THREW`] when the look threw).
    /// One call where a click needs two.
    ///
    /// [`Source`]: crate::action::Source
    pub fn begin(use_root: bool) -> i32;
    /// Looks at the node under the cursor for the attribute (the option `attribute`, else the
    /// default): its kind and [`bits`].
    pub fn look(want_disabled: bool) -> i32;
    /// Moves the cursor up: 1, 0 at the top, [`THREW`].
    pub fn up() -> i32;
    /// Remembers the node under the cursor.
    pub fn keep();
    /// `resolveAction`'s answer from the cursor and `packed` (what the export returns:
    /// [`pack`]).
    pub fn resolution(packed: i32) -> JsValue;

    /// What the call's second argument is: one of [`kind`](mod@kind), or 5 for anything
    /// else (a boolean, a function, a symbol, a bigint).
    #[wasm_bindgen(js_name = argumentKind)]
    pub fn argument_kind() -> u32;
    /// Reads the `resolveAction` call's options (an object): the own properties `attribute`,
    /// `maxDepth` and `root`. Their [`kind`](mod@kind)s, 3 bits each in that order, or -1 when
    /// a read threw (a getter, a Proxy).
    #[wasm_bindgen(js_name = readOptions)]
    pub fn read_options() -> i32;
    /// The option `maxDepth` (a number).
    #[wasm_bindgen(js_name = maxDepthOption)]
    pub fn max_depth_option() -> f64;
    /// The length in UTF-16 units of the option `attribute` (a string).
    #[wasm_bindgen(js_name = attributeUnits)]
    pub fn attribute_units() -> u32;
    /// Copies the first `out.len()` UTF-16 units of the option `attribute` into `out`.
    #[wasm_bindgen(js_name = copyAttribute)]
    pub fn copy_attribute(out: &mut [u16]);
}

/// `resolveAction`'s answer packed in a number for [`resolution`]: the source ([`Source`]
/// index + 1, 0 for none) in bits 0-2, the reason ([`Reason`] index + 1, 0 for none) in bits
/// 3-6, the element (0 none, 1 the node under the cursor, 2 the kept one) in bits 7-8, the
/// depth (at most 1,024) from bit 9.
///
/// [`Source`]: crate::action::Source
/// [`Reason`]: crate::action::Reason
pub fn pack(source: u32, reason: u32, element: u32, depth: u32) -> i32 {
    (source | reason << 3 | element << 7 | depth << 9) as i32
}
