//! The booking core for the JavaScript driver (`js/client.js` over `js/driver.js`): one [`Core`] per
//! `AppointmentClient`. The driver feeds it inputs with `Date.now()` and drains its commands
//! as JSON text after every input; nothing here awaits, reads a clock or calls the page.
//!
//! Data crosses by name: page objects arrive as prototype-less records of own, classified
//! fields (see `classify` in the driver), and a provider call's answer as a record of own
//! fields the driver made, each read field by field and typed (`fields.js`); commands,
//! results and views leave as JSON, which the driver `JSON.parse`s (every field then an own
//! data property).

use super::js_error::to_js_error;
use crate::ascii::cat;
use crate::booking::io::{Answer as CoreAnswer, Input};
use crate::booking::wire::scalar::Scalar;
use crate::booking::{ChaCha, Client, RawBookingRequest, RawClientConfig};
use crate::json::ToJson;
use crate::{Error, ErrorCode};
use alloc::string::String;
use alloc::vec::Vec;
use wasm_bindgen::prelude::*;

/// A request's fields as the page gave them (one reader for every call that takes a request).
fn read_request(request: &JsValue) -> RawBookingRequest {
    RawBookingRequest::from_lookup(|name| field(request, name))
}

#[wasm_bindgen(module = "/src/web/fields.js")]
extern "C" {
    /// What field `name` of a driver-made record holds, the value kept for [`held_text`] or
    /// [`held_number`]: 0 absent, 1 a text, 2 a number, 3 false, 4 true, 8 + k an odd of kind k
    /// ([`Scalar::odd`]).
    #[wasm_bindgen(js_name = fieldKind)]
    fn field_kind(record: &JsValue, name: &str) -> u32;
    /// The text [`field_kind`] found.
    #[wasm_bindgen(js_name = heldText)]
    fn held_text() -> String;
    /// The number [`field_kind`] found: it crosses as an `f64`, never as an externref (WebKit
    /// 2.38's Wasm JIT breaks on a number held in the externref table: `src/web/reads.js`).
    #[wasm_bindgen(js_name = heldNumber)]
    fn held_number() -> f64;
}

/// Field `name` of a driver-made (prototype-less) record (`classify` in the driver), as a
/// [`Scalar`]; `undefined` is absent.
fn field(record: &JsValue, name: &str) -> Option<Scalar> {
    Some(match field_kind(record, name) {
        0 => return None,
        1 => Scalar::Text(held_text()),
        2 => Scalar::Number(held_number()),
        3 => Scalar::Bool(false),
        4 => Scalar::Bool(true),
        kind => Scalar::odd(kind - 8),
    })
}

/// The core behind one `AppointmentClient`.
#[wasm_bindgen(js_name = __Core, skip_typescript)]
pub struct Core {
    client: Client<ChaCha>,
    /// Items given one at a time (`input` kind 8), for the next load or claim (kinds 2 and 9).
    items: Vec<(String, String)>,
}

#[wasm_bindgen(js_class = __Core)]
impl Core {
    /// A core for the data options in `options` (a record of own, classified fields), keyed
    /// with 32 bytes from `crypto.getRandomValues`. Throws `invalid_options`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue, seed: &[u8], now: f64) -> Result<Core, JsValue> {
        let raw = RawClientConfig::from_lookup(|name| field(options, name));
        let config = raw.validate().map_err(|e| to_js_error(&e))?;
        let mut key = [0u8; 32];
        for (k, s) in key.iter_mut().zip(seed) {
            *k = *s;
        }
        Ok(Core {
            client: Client::new(config, ChaCha::new(key), now as i64),
            items: Vec::new(),
        })
    }

    /// The JavaScript names of a request's fields (what the driver reads of a request), or with
    /// `config` of the data options (what it reads of a config), comma-separated.
    pub fn fields(config: bool) -> String {
        let names = if config {
            RawClientConfig::JOINED
        } else {
            RawBookingRequest::JOINED
        };
        names.strip_suffix(',').unwrap_or(names).into()
    }

    /// Unleash's bucket of `unit` in `group_id`, 1 to 100 (`crate::rollout`): a unit is in a
    /// rollout of `p` percent when its bucket is at most `p`. The driver checks the strings.
    pub fn bucket(group_id: &str, unit: &str) -> u32 {
        crate::rollout::bucket(group_id, unit)
    }

    /// A page call with a request (a record of own, classified fields), by `kind`: 0
    /// `book(request)`; 1 one request of `replay(...)`, sent again only under its record's key;
    /// 2 a click, the page's `handle(event, request)` once the click's `label` was read; 3 what
    /// replaying `request` would do (`replay({ dryRun: true })`), returned as JSON with nothing
    /// fed; 4 `cancel(appointmentId)`, `request` a record of the id classified (`appointmentId`).
    /// `id` is the page call. One export instead of five.
    pub fn call(
        &mut self,
        now: f64,
        kind: u8,
        id: u32,
        label: Option<String>,
        request: &JsValue,
    ) -> Option<String> {
        if kind == 4 {
            let appointment_id = field(request, "appointmentId");
            let input = Input::Cancel { id, appointment_id };
            self.client.handle(now as i64, input);
            return None;
        }
        let request = read_request(request);
        let input = match kind {
            0 => Input::Book { id, request },
            1 => Input::Replay { id, request },
            2 => Input::Click {
                id,
                label: label.unwrap_or_default(),
                request,
            },
            _ => return Some(self.client.replay_plan(&request).to_json()),
        };
        self.client.handle(now as i64, input);
        None
    }

    /// The answer to call `call`, as the driver saw it: `{ kind, status, retryAfter, id,
    /// appointmentStatus, statusUrl }`, every field own, read as a record.
    pub fn answer(&mut self, now: f64, call: u32, answer: &JsValue) {
        let text = |name| match field(answer, name) {
            Some(Scalar::Text(text)) => Some(text),
            _ => None,
        };
        let answer = match text("kind").as_deref() {
            Some("ok") => CoreAnswer::Ok {
                id: text("id"),
                status: text("appointmentStatus"),
                status_url: text("statusUrl"),
            },
            Some("status") => CoreAnswer::Status {
                status: match field(answer, "status") {
                    Some(Scalar::Number(status)) => status as u16,
                    _ => 0,
                },
                retry_after: text("retryAfter"),
            },
            Some("network") => CoreAnswer::Network,
            _ => CoreAnswer::Bad,
        };
        self.client
            .handle(now as i64, Input::Answer { call, answer });
    }

    /// Every input that carries no page object, by `kind` (the driver names them in
    /// `js/kinds.js`): one export instead of thirteen (each costs its own binding). `id` is a
    /// page call or a claim, `n` a small number, `a` and `b` texts; what each kind reads:
    ///
    /// | kind | input | `id` | `n` | `a` | `b` |
    /// |---|---|---|---|---|---|
    /// | 0 | a wake-up | | | | |
    /// | 1 | the page came back (online, visible, shown from the back/forward cache) | | | | |
    /// | 2 | storage was read: every item was given (kind 8) | | | | |
    /// | 3 | `flushOutbox()` | call | | | |
    /// | 4 | the page gave up on a call: its `AbortSignal` fired (`n` 1) or it was freed | call | aborted | | |
    /// | 5 | a call whose signal had fired before it started: nothing sent | call | 0 a click, 1 book, 2 cancel | the click's label | |
    /// | 6 | a click that carried no usable label | call | | why | |
    /// | 7 | a request that is not a readable object | call | 1 book | the click's label | what it is |
    /// | 8 | one storage item, held for the next kind 2 or 9 (name empty: a tab's announcement) | | | name | text |
    /// | 9 | a claim answered: granted (`n` 1, `a` the item read under it) or not | claim | granted | the item | |
    /// | 10 | another tab changed a storage item (`b` undefined: removed) | | | name | text |
    /// | 11 | the tabs agreed on an item (`b` undefined: none could be read or written) | | settled | name | text |
    /// | 12 | whether anything reads log records (a buffer, a sink, an observer): off, none is made | | on | | |
    pub fn input(
        &mut self,
        now: f64,
        kind: u8,
        id: u32,
        n: u32,
        a: Option<String>,
        b: Option<String>,
    ) {
        let text = |t: Option<String>| t.unwrap_or_default();
        let input = match kind {
            0 => Input::Timer,
            1 => Input::Wake,
            2 => Input::Loaded {
                items: core::mem::take(&mut self.items),
            },
            3 => Input::Flush { id },
            4 => Input::Abandon {
                id,
                aborted: n == 1,
            },
            5 => Input::Refuse {
                id,
                operation: match n {
                    1 => Some(crate::booking::Operation::Book),
                    2 => Some(crate::booking::Operation::Cancel),
                    _ => None,
                },
                label: a,
                error: Error::new(
                    ErrorCode::Aborted,
                    "the caller's signal was aborted before the call started",
                ),
            },
            6 => Input::Refuse {
                id,
                operation: None,
                label: Some(String::new()),
                error: Error::new(ErrorCode::UnknownAction, text(a)),
            },
            7 => Input::Refuse {
                id,
                operation: (n == 1).then_some(crate::booking::Operation::Book),
                label: a,
                error: Error::invalid_field(
                    "request",
                    cat(&["the request must be an object, got ", &text(b)]),
                ),
            },
            8 => {
                self.items.push((text(a), text(b)));
                return;
            }
            9 => Input::Claimed {
                claim: id,
                saved: a,
                granted: n == 1,
                announced: {
                    let mut texts = Vec::new();
                    for (_, text) in core::mem::take(&mut self.items) {
                        texts.push(text);
                    }
                    texts
                },
            },
            10 => Input::Changed {
                name: text(a),
                json: b,
            },
            11 => Input::Agreed {
                name: text(a),
                text: b,
                settled: n == 1,
            },
            12 => {
                self.client.set_logging(n == 1);
                return;
            }
            _ => return,
        };
        self.client.handle(now as i64, input);
    }

    /// The next command as JSON, or `undefined` when there is nothing left to do now.
    pub fn poll(&mut self) -> Option<String> {
        self.client.poll().map(|command| command.to_json())
    }

    /// When to wake the core (ms since the epoch), or `undefined`.
    #[wasm_bindgen(js_name = pollTimeout)]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.client.poll_timeout().map(|t| t as f64)
    }

    /// A view as JSON, by `which`: 0 `metrics()`, 1 `breaker()` at `now`, 2 `outbox()`,
    /// 3 `config()`, 4 `restored()`, 5 a new idempotency key (`newIdempotencyKey()`, a bare
    /// text), 6 the bookings whose outcome is unknown that ended at `now` or later. One export
    /// instead of seven.
    pub fn view(&mut self, which: u8, now: f64) -> String {
        match which {
            0 => self.client.metrics().to_json(),
            1 => self.client.breaker_view(now as i64).to_json(),
            2 => self.client.outbox().to_json(),
            3 => self.client.config().to_json(),
            4 => self.client.restored().to_json(),
            5 => self.client.new_key(),
            _ => {
                let mut out = String::from("[");
                for (i, unknown) in self.client.unknown(now as i64).enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    unknown.write_json(&mut out);
                }
                out.push(']');
                out
            }
        }
    }
}
