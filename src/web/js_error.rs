//! The one place where a core [`Error`] becomes a JavaScript exception.

use crate::error::Error;
use wasm_bindgen::prelude::*;

/// A JavaScript `Error` whose `message` is the error's message and whose `code` property is
/// its stable code, so callers can write `if (e.code === 'invalid_options')`.
pub fn to_js_error(error: &Error) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    // Setting a property on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code.as_str().into());
    js.into()
}
