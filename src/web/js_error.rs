//! The one place where a core [`Error`] becomes a JavaScript exception.

use super::event_like::coded_error;
use crate::error::Error;
use wasm_bindgen::prelude::*;

/// A JavaScript `Error` whose `message` is the error's message and whose own `code` property
/// is its stable code, so callers can write `if (e.code === 'invalid_options')`.
pub fn to_js_error(error: &Error) -> JsValue {
    coded_error(&error.message, error.code.as_str())
}
