//! [`Provider`] over `fetch`, for the `/api/v2` contract (see [`crate::booking::contract`]).
//! The call itself, its timeout and the reading of the answer are in `fetch.js`.

use super::effects::to_js;
use crate::booking::contract::{Appointment, AppointmentEvent};
use crate::booking::retry::Failure;
use crate::booking::{BookingRequest, Call, Provider};
use core::future::Future;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/web/fetch.js")]
extern "C" {
    #[allow(clippy::too_many_arguments)]
    fn send(
        fetch: &JsValue,
        base: &str,
        method: &str,
        url: &str,
        key: &str,
        correlation_id: &str,
        body: &JsValue,
        timeout_ms: f64,
    ) -> js_sys::Promise;
}

/// What `fetch.js` resolves to.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    kind: String,
    #[serde(default)]
    status: u16,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    body: JsValue,
    retry_after: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

/// The provider at `base_url`, called with the page's `fetch` or an injected one.
pub struct FetchProvider {
    fetch: JsValue,
    base_url: String,
}

impl FetchProvider {
    /// `fetch` is a function, or `undefined` for the global `fetch`.
    pub fn new(fetch: JsValue, base_url: String) -> Self {
        FetchProvider { fetch, base_url }
    }

    fn call(
        &self,
        call: &Call,
        method: &str,
        url: &str,
        body: JsValue,
    ) -> impl Future<Output = Result<JsValue, Failure>> {
        let promise = send(
            &self.fetch,
            &self.base_url,
            method,
            url,
            &call.idempotency_key,
            &call.correlation_id,
            &body,
            call.timeout_ms as f64,
        );
        async move {
            let answer = JsFuture::from(promise).await.unwrap_or_else(|e| e);
            let answer: Answer = serde_wasm_bindgen::from_value(answer)
                .map_err(|e| Failure::BadResponse(format!("unreadable answer: {e}")))?;
            match answer.kind.as_str() {
                "ok" => Ok(answer.body),
                "timeout" => Err(Failure::Timeout),
                "network" => Err(Failure::Network(answer.message.unwrap_or_default())),
                "status" => Err(Failure::Status {
                    status: answer.status,
                    code: answer.code,
                    message: answer.message,
                    retry_after: answer.retry_after,
                }),
                _ => Err(Failure::BadResponse(answer.message.unwrap_or_default())),
            }
        }
    }

    async fn appointment(
        &self,
        call: Call,
        method: &str,
        url: &str,
        body: JsValue,
    ) -> Result<Appointment, Failure> {
        let body = self.call(&call, method, url, body).await?;
        serde_wasm_bindgen::from_value(body)
            .map_err(|e| Failure::BadResponse(format!("not an appointment: {e}")))
    }
}

impl Provider for FetchProvider {
    fn create(
        &self,
        call: Call,
        request: &BookingRequest,
    ) -> impl Future<Output = Result<Appointment, Failure>> {
        let url = format!("{}/appointments", self.base_url);
        let body = to_js(request);
        async move { self.appointment(call, "POST", &url, body).await }
    }

    fn get(&self, call: Call, url: &str) -> impl Future<Output = Result<Appointment, Failure>> {
        let url = url.to_owned();
        async move {
            self.appointment(call, "GET", &url, JsValue::UNDEFINED)
                .await
        }
    }

    fn cancel(
        &self,
        call: Call,
        appointment_id: &str,
    ) -> impl Future<Output = Result<Appointment, Failure>> {
        let url = format!("{}/appointments/{appointment_id}/cancel", self.base_url);
        async move {
            self.appointment(call, "POST", &url, JsValue::UNDEFINED)
                .await
        }
    }

    fn publish(
        &self,
        call: Call,
        event: &AppointmentEvent,
    ) -> impl Future<Output = Result<(), Failure>> {
        let url = format!("{}/events", self.base_url);
        let body = to_js(event);
        async move { self.call(&call, "POST", &url, body).await.map(|_| ()) }
    }
}
