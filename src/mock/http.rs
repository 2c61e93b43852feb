//! Just enough HTTP/1.1 for a loopback mock: one request per connection, `Content-Length`
//! bodies with a size cap, `Connection: close`. Malformed input is an error value, never a
//! panic.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// Largest request head accepted (request line and headers).
pub const MAX_HEAD: usize = 16 * 1024;

/// A parsed request.
#[derive(Debug)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body (empty without `Content-Length`).
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The peer closed or timed out before a full request.
    Closed,
    /// Not HTTP/1.x as this server speaks it; the message says why.
    Malformed(&'static str),
    /// The body is larger than allowed.
    TooLarge,
    /// The head is larger than [`MAX_HEAD`].
    HeadTooLarge,
}

/// Reads one request, refusing bodies over `max_body` bytes.
pub fn read_request(
    reader: &mut BufReader<TcpStream>,
    max_body: usize,
) -> Result<Request, ReadError> {
    let mut head = 0usize;
    let mut line = String::new();
    let mut next_line = |line: &mut String| -> Result<(), ReadError> {
        line.clear();
        let n = reader
            .by_ref()
            .take((MAX_HEAD + 1 - head.min(MAX_HEAD)) as u64)
            .read_line(line)
            .map_err(|_| ReadError::Closed)?;
        if n == 0 {
            return Err(ReadError::Closed);
        }
        head += n;
        if head > MAX_HEAD {
            return Err(ReadError::HeadTooLarge);
        }
        Ok(())
    };
    next_line(&mut line)?;
    let mut parts = line.trim_end().split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed(
            "the request line is not 'METHOD target HTTP/1.1'",
        ));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || !target.starts_with('/') {
        return Err(ReadError::Malformed(
            "the request line is not 'METHOD target HTTP/1.1'",
        ));
    }
    let (method, path) = (
        method.to_owned(),
        target.split('?').next().unwrap_or("/").to_owned(),
    );
    let mut headers = Vec::new();
    loop {
        next_line(&mut line)?;
        let text = line.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        let Some((name, value)) = text.split_once(':') else {
            return Err(ReadError::Malformed("a header line has no ':'"));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if request.header("transfer-encoding").is_some() {
        return Err(ReadError::Malformed(
            "chunked bodies are not supported; send Content-Length",
        ));
    }
    let length = match request.header("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ReadError::Malformed("Content-Length is not a number"))?,
    };
    if length > max_body {
        return Err(ReadError::TooLarge);
    }
    request.body = vec![0; length];
    reader
        .read_exact(&mut request.body)
        .map_err(|_| ReadError::Closed)?;
    Ok(request)
}

/// A response to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Extra headers (CORS and `Content-Type` are added by [`write_response`]).
    pub headers: Vec<(&'static str, String)>,
    /// JSON body, or empty.
    pub body: String,
}

impl Response {
    /// A JSON response.
    pub fn json(status: u16, body: String) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// This response with one more header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Headers every answer carries so a page on another origin can call the provider.
pub const CORS: [(&str, &str); 4] = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    (
        "Access-Control-Allow-Headers",
        "Content-Type, Idempotency-Key, X-Correlation-Id, X-Mock-Scenario",
    ),
    (
        "Access-Control-Expose-Headers",
        "Retry-After, Idempotent-Replayed",
    ),
];

/// Writes `response` and closes the exchange.
pub fn write_response(stream: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in CORS {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("Access-Control-Max-Age: 600\r\nConnection: close\r\nCache-Control: no-store\r\n");
    if !response.body.is_empty() {
        out.push_str("Content-Type: application/json\r\n");
    }
    for (name, value) in &response.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", response.body.len()));
    out.push_str(&response.body);
    stream.write_all(out.as_bytes())?;
    stream.flush()
}
