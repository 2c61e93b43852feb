//! [`Env`] for the browser: `Date.now`, `setTimeout`, `crypto.getRandomValues`, and a log
//! that keeps recent records, feeds the page's sink and notifies observers.

use crate::booking::log::LogRecord;
use crate::booking::scalar::Scalar;
use crate::booking::snapshot::Snapshot;
use crate::booking::Env;
use core::cell::{Cell, RefCell};
use core::future::Future;
use serde::Serialize;
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/web/effects.js")]
extern "C" {
    fn now() -> f64;
    fn sleep(ms: f64) -> js_sys::Promise;
    #[wasm_bindgen(js_name = randomU32)]
    fn random_u32() -> u32;
    #[wasm_bindgen(js_name = jitterU32)]
    fn jitter_u32() -> u32;
    /// A null-prototype `{ error }` or `{ options, fetch, log, storage, storageKey }`; the
    /// options are the own properties named in `names` (comma-separated), each classified.
    #[wasm_bindgen(js_name = splitConfig)]
    pub fn split_config(config: &JsValue, names: &str) -> JsValue;
    /// Calls `f(value)`, reporting (not throwing) its exception.
    #[wasm_bindgen(js_name = callSafely)]
    pub fn call_safely(f: &js_sys::Function, value: &JsValue);
    #[wasm_bindgen(js_name = loadSnapshot)]
    fn load_snapshot(storage: &JsValue, key: &str) -> JsValue;
    #[wasm_bindgen(js_name = saveSnapshot)]
    fn save_snapshot(storage: &JsValue, key: &str, json: &str);
    /// A null-prototype record of the own fields `names` (comma-separated) of a request, each
    /// classified, or `{ error }` naming what the value is when it is not a readable object.
    #[wasm_bindgen(js_name = readRequest)]
    fn read_request(object: &JsValue, names: &str) -> JsValue;
    /// A field value as Rust reads it: `undefined`, a string, a number, a boolean, or an
    /// object whose `kind` says what it was (see [`Scalar::odd`]).
    fn classify(value: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = fromJson)]
    fn from_json(json: &str) -> JsValue;
}

/// A field of a record made by `effects.js` (a null-prototype object: no inherited field).
pub fn field(record: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(record, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A value already classified by `effects.js` as a [`Scalar`]; `undefined` is absent.
fn scalar(value: &JsValue) -> Option<Scalar> {
    if let Some(text) = value.as_string() {
        Some(Scalar::Text(text))
    } else if let Some(number) = value.as_f64() {
        Some(Scalar::Number(number))
    } else if let Some(flag) = value.as_bool() {
        Some(Scalar::Bool(flag))
    } else if value.is_object() {
        Some(Scalar::odd(
            field(value, "kind").as_f64().unwrap_or(1.0) as u32
        ))
    } else {
        None
    }
}

/// Any JavaScript value as a [`Scalar`]; `undefined` and `null` are absent.
pub fn scalar_of(value: &JsValue) -> Option<Scalar> {
    scalar(&classify(value))
}

/// The fields `names` of a record made by `effects.js`, as a lookup for the core's
/// `from_lookup` constructors.
pub fn lookup(record: &JsValue) -> impl FnMut(&str) -> Option<Scalar> + '_ {
    move |name| scalar(&field(record, name))
}

/// The request fields `names` of a page's object, own properties only; `Err(what)` when the
/// value is not a readable object.
pub fn read_fields(object: &JsValue, names: &[&str]) -> Result<JsValue, String> {
    let record = read_request(object, &names.join(","));
    match field(&record, "error").as_string() {
        Some(what) => Err(what),
        None => Ok(record),
    }
}

/// A plain JavaScript value for `value`, through JSON: every field an own data property, so
/// a polluted `Object.prototype` can neither see nor block one.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    serde_json::to_string(value).map_or(JsValue::NULL, |json| from_json(&json))
}

/// Which records an observer wants.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// Every record.
    All,
    /// Booking state and breaker changes only.
    StateChanges,
}

/// Where snapshots go: a `Storage`-like object and the item's key.
pub struct Persistence {
    /// `localStorage`, `sessionStorage`, or an object with `getItem`/`setItem`.
    pub storage: JsValue,
    /// The item's key.
    pub key: String,
}

/// The browser's effects and the client's log.
pub struct WebEnv {
    sink: Option<js_sys::Function>,
    persistence: Option<Persistence>,
    capacity: usize,
    recent: RefCell<VecDeque<JsValue>>,
    observers: RefCell<Vec<(u32, Interest, js_sys::Function)>>,
    next_observer: Cell<u32>,
}

impl WebEnv {
    /// Effects keeping `capacity` recent records and passing each to `sink`.
    pub fn new(
        sink: Option<js_sys::Function>,
        capacity: usize,
        persistence: Option<Persistence>,
    ) -> Self {
        WebEnv {
            sink,
            persistence,
            capacity,
            recent: RefCell::new(VecDeque::new()),
            observers: RefCell::new(Vec::new()),
            next_observer: Cell::new(1),
        }
    }

    /// The recent records, oldest first, as a JavaScript array.
    pub fn recent(&self) -> js_sys::Array {
        self.recent.borrow().iter().collect()
    }

    /// Registers `listener`; returns its id for [`unsubscribe`](Self::unsubscribe).
    pub fn subscribe(&self, listener: js_sys::Function, interest: Interest) -> u32 {
        let id = self.next_observer.get();
        self.next_observer.set(id.wrapping_add(1));
        self.observers.borrow_mut().push((id, interest, listener));
        id
    }

    /// Removes a listener; `false` if there was none with this id.
    pub fn unsubscribe(&self, id: u32) -> bool {
        let mut observers = self.observers.borrow_mut();
        let before = observers.len();
        observers.retain(|(i, _, _)| *i != id);
        observers.len() != before
    }
}

impl Env for WebEnv {
    fn now_ms(&self) -> i64 {
        now() as i64
    }

    fn sleep(&self, ms: u64) -> impl Future<Output = ()> {
        let promise = sleep(ms as f64);
        async move {
            // The promise only ever resolves.
            let _ = JsFuture::from(promise).await;
        }
    }

    fn random_u32(&self) -> u32 {
        random_u32()
    }

    fn jitter_u32(&self) -> u32 {
        jitter_u32()
    }

    fn persists(&self) -> bool {
        self.persistence.is_some()
    }

    fn load(&self) -> Option<Snapshot> {
        let p = self.persistence.as_ref()?;
        // Unreadable or from another version: start afresh rather than fail.
        super::restore::snapshot(load_snapshot(&p.storage, &p.key))
    }

    fn save(&self, snapshot: &Snapshot) {
        if let Some(p) = &self.persistence {
            if let Ok(json) = serde_json::to_string(snapshot) {
                save_snapshot(&p.storage, &p.key, &json);
            }
        }
    }

    fn emit(&self, record: LogRecord) {
        let state_change = record.is_state_change();
        let js = to_js(&record);
        if self.capacity > 0 {
            let mut recent = self.recent.borrow_mut();
            if recent.len() == self.capacity {
                recent.pop_front();
            }
            recent.push_back(js.clone());
        }
        if let Some(sink) = &self.sink {
            call_safely(sink, &js);
        }
        // A listener may unsubscribe while being called: iterate over a copy.
        let observers: Vec<js_sys::Function> = self
            .observers
            .borrow()
            .iter()
            .filter(|(_, interest, _)| *interest == Interest::All || state_change)
            .map(|(_, _, f)| f.clone())
            .collect();
        for listener in &observers {
            call_safely(listener, &js);
        }
    }
}
