//! The mock `/api/v2` calendar provider behind `npm run demo` and the end-to-end tests: a real
//! HTTP server on loopback (binary `mock-provider`), on tiny_http (HTTP/1.1 with keep-alive,
//! one thread per request so a slow or hanging answer holds up nothing else).
//!
//! - [`scenario`]: the faults it can play;
//! - [`provider`]: appointments, server-side idempotency, counters, with the client's own
//!   contract types and validation (`raptor-secondary-core`), so the two cannot drift apart;
//! - [`message`]: requests and responses apart from the wire.

#![deny(missing_docs)]

pub mod message;
pub mod provider;
pub mod scenario;

use message::{Request, Response, CORS};
use provider::{Provider, Reaction};
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// Largest request head accepted (the request line and the headers).
pub const MAX_HEAD: usize = 16 * 1024;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Reads a tiny_http request into a [`Request`], or the error answer for it.
fn read(request: &mut tiny_http::Request) -> Result<Request, Response> {
    let too_large = || Response::error(413, "payload_too_large", "the body is larger than 64 KiB");
    let head: usize = request.url().len()
        + request
            .headers()
            .iter()
            .map(|h| h.field.as_str().as_str().len() + h.value.as_str().len() + 4)
            .sum::<usize>();
    if head > MAX_HEAD {
        return Err(Response::error(
            431,
            "headers_too_large",
            "the request head is larger than 16 KiB",
        ));
    }
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body);
    if read.is_err() {
        return Err(Response::error(
            400,
            "bad_request",
            "the body could not be read",
        ));
    }
    if body.len() > MAX_BODY {
        return Err(too_large());
    }
    let url = request.url();
    Ok(Request {
        method: request.method().as_str().to_owned(),
        path: url.split('?').next().unwrap_or("/").to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_ascii_lowercase(),
                    h.value.as_str().to_owned(),
                )
            })
            .collect(),
        body,
    })
}

fn respond(request: tiny_http::Request, response: &Response) {
    let header = |name: &str, value: &str| {
        tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
    };
    let mut answer =
        tiny_http::Response::from_string(response.body.clone()).with_status_code(response.status);
    let content_type = (!response.body.is_empty()).then_some(("Content-Type", "application/json"));
    let extra = response.headers.iter().map(|(n, v)| (*n, v.as_str()));
    for (name, value) in CORS
        .into_iter()
        .chain([("Cache-Control", "no-store")])
        .chain(content_type)
        .chain(extra)
    {
        if let Some(h) = header(name, value) {
            answer.add_header(h);
        }
    }
    let _ = request.respond(answer);
}

/// Answers one request (on its own thread).
pub fn handle(provider: &Provider, mut request: tiny_http::Request, log: bool) {
    let ours = match read(&mut request) {
        Ok(ours) => ours,
        Err(response) => return respond(request, &response),
    };
    match provider.handle(&ours, now_ms()) {
        Reaction::Respond(response) => {
            if log && ours.method != "OPTIONS" && !ours.path.starts_with("/__admin/stats") {
                let key = ours.header("idempotency-key").unwrap_or("-");
                println!(
                    "mock-provider: {} {} -> {} (key {key})",
                    ours.method, ours.path, response.status
                );
            }
            respond(request, &response);
        }
        Reaction::Hang { ms, key } => {
            if log {
                println!(
                    "mock-provider: {} {} -> no answer for {ms} ms (key {key})",
                    ours.method, ours.path
                );
            }
            std::thread::sleep(Duration::from_millis(ms));
            provider.release(&key);
            // Dropped unanswered: tiny_http closes the exchange.
            drop(request);
        }
    }
}

/// Serves for ever, one thread per request.
pub fn serve(server: tiny_http::Server, provider: Arc<Provider>, log: bool) {
    for request in server.incoming_requests() {
        let provider = Arc::clone(&provider);
        std::thread::spawn(move || handle(&provider, request, log));
    }
}
