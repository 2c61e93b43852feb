//! [`Provider`] over `fetch`, for the `/api/v2` contract (see [`crate::booking::contract`]).
//! The call itself, its timeout and the reading of the answer are in `fetch.js`.

use crate::booking::contract::{Appointment, AppointmentEvent, AppointmentStatus};
use crate::booking::retry::Failure;
use crate::booking::{BookingRequest, Call, Provider};
use core::future::Future;
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
        body: Option<String>,
        timeout_ms: f64,
    ) -> js_sys::Promise;
}

/// The appointment fields of a 2xx answer's body, as `fetch.js` found them.
struct Reply {
    id: Option<String>,
    status: Option<String>,
    status_url: Option<String>,
}

impl Reply {
    /// The body as an [`Appointment`], or `bad_response`.
    fn appointment(self) -> Result<Appointment, Failure> {
        let status = match self.status.as_deref() {
            Some("pending") => AppointmentStatus::Pending,
            Some("confirmed") => AppointmentStatus::Confirmed,
            Some("cancelled") => AppointmentStatus::Cancelled,
            Some("failed") => AppointmentStatus::Failed,
            _ => return Err(Failure::BadResponse("not an appointment: no known status")),
        };
        let id = self
            .id
            .ok_or(Failure::BadResponse("not an appointment: no id"))?;
        Ok(Appointment {
            id,
            status,
            status_url: self.status_url,
        })
    }
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
        body: Option<String>,
    ) -> impl Future<Output = Result<Reply, Failure>> {
        let promise = send(
            &self.fetch,
            &self.base_url,
            method,
            url,
            &call.idempotency_key,
            &call.correlation_id,
            body,
            call.timeout_ms as f64,
        );
        async move {
            // `fetch.js` always resolves to [kind, status, retryAfter, id, appointmentStatus, statusUrl].
            let answer: js_sys::Array = JsFuture::from(promise)
                .await
                .unwrap_or_else(|e| e)
                .unchecked_into();
            let text = |i: u32| answer.get(i).as_string();
            let status = answer.get(1).as_f64().unwrap_or(0.0) as u16;
            match text(0).as_deref() {
                Some("ok") => Ok(Reply {
                    id: text(3),
                    status: text(4),
                    status_url: text(5),
                }),
                Some("timeout") => Err(Failure::Timeout),
                Some("network") => Err(Failure::Network),
                Some("status") => Err(Failure::Status {
                    status,
                    retry_after: text(2),
                }),
                _ => Err(Failure::BadResponse("not JSON, or not a Response")),
            }
        }
    }

    async fn appointment(
        &self,
        call: Call,
        method: &str,
        url: &str,
        body: Option<String>,
    ) -> Result<Appointment, Failure> {
        self.call(&call, method, url, body).await?.appointment()
    }
}

impl Provider for FetchProvider {
    fn create(
        &self,
        call: Call,
        request: &BookingRequest,
    ) -> impl Future<Output = Result<Appointment, Failure>> {
        let url = format!("{}/appointments", self.base_url);
        let body = serde_json::to_string(request).ok();
        async move { self.appointment(call, "POST", &url, body).await }
    }

    fn get(&self, call: Call, url: &str) -> impl Future<Output = Result<Appointment, Failure>> {
        let url = url.to_owned();
        async move { self.appointment(call, "GET", &url, None).await }
    }

    fn cancel(
        &self,
        call: Call,
        appointment_id: &str,
    ) -> impl Future<Output = Result<Appointment, Failure>> {
        let url = format!("{}/appointments/{appointment_id}/cancel", self.base_url);
        async move { self.appointment(call, "POST", &url, None).await }
    }

    fn publish(
        &self,
        call: Call,
        event: &AppointmentEvent,
    ) -> impl Future<Output = Result<(), Failure>> {
        let url = format!("{}/events", self.base_url);
        let body = serde_json::to_string(event).ok();
        async move { self.call(&call, "POST", &url, body).await.map(|_| ()) }
    }
}
