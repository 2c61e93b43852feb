//! The mock `/api/v2` calendar provider behind `npm run demo` and the end-to-end tests: a real
//! HTTP server on loopback (feature `mock-provider`, binary `mock-provider`).
//!
//! - [`http`]: just enough HTTP/1.1;
//! - [`scenario`]: the faults it can play;
//! - [`provider`]: appointments, server-side idempotency, counters.

pub mod http;
pub mod provider;
pub mod scenario;

use http::{read_request, write_response, ReadError, Response};
use provider::{Outcome, Provider};
use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest body accepted.
pub const MAX_BODY: usize = 64 * 1024;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn refuse(error: ReadError) -> Option<Response> {
    let body = |status, code: &str, message: &str| {
        Response::json(
            status,
            format!(r#"{{"error":{{"code":"{code}","message":"{message}"}}}}"#),
        )
    };
    match error {
        ReadError::Closed => None,
        ReadError::Malformed(why) => Some(body(400, "bad_request", why)),
        ReadError::TooLarge => Some(body(
            413,
            "payload_too_large",
            "the body is larger than 64 KiB",
        )),
        ReadError::HeadTooLarge => Some(body(
            431,
            "headers_too_large",
            "the request head is larger than 16 KiB",
        )),
    }
}

/// Serves one connection: one request, one answer.
pub fn serve_connection(provider: &Provider, stream: TcpStream, log: bool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let request = match read_request(&mut reader, MAX_BODY) {
        Ok(request) => request,
        Err(error) => {
            if let Some(response) = refuse(error) {
                let _ = write_response(&mut writer, &response);
            }
            return;
        }
    };
    match provider.handle(&request, now_ms()) {
        Outcome::Respond(response) => {
            if log && request.method != "OPTIONS" && !request.path.starts_with("/__admin/stats") {
                let key = request.header("idempotency-key").unwrap_or("-");
                println!(
                    "mock-provider: {} {} -> {} (key {key})",
                    request.method, request.path, response.status
                );
            }
            let _ = write_response(&mut writer, &response);
        }
        Outcome::Hang { ms, key } => {
            if log {
                println!(
                    "mock-provider: {} {} -> no answer for {ms} ms (key {key})",
                    request.method, request.path
                );
            }
            std::thread::sleep(Duration::from_millis(ms));
            provider.release(&key);
        }
    }
}

/// Accepts connections for ever, one thread each.
pub fn serve(listener: TcpListener, provider: Arc<Provider>, log: bool) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let provider = Arc::clone(&provider);
        std::thread::spawn(move || serve_connection(&provider, stream, log));
    }
}
