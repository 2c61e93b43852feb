//! A request and a response as the provider sees them, apart from how they travel (tiny_http
//! in [`crate::serve`], plain values in the tests).

/// A request.
#[derive(Debug)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
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

/// A response to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Extra headers (CORS and `Content-Type` are added when it is sent).
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

    /// An error answer: `{"error": {"code", "message"}}` (and `field` when there is one).
    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        Response::error_with_field(status, code, message, None)
    }

    /// An error answer naming the request field at fault.
    pub fn error_with_field(
        status: u16,
        code: &str,
        message: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        let mut error = serde_json::json!({ "code": code, "message": message.into() });
        if let Some(field) = field {
            error["field"] = field.into();
        }
        Response::json(status, serde_json::json!({ "error": error }).to_string())
    }

    /// This response with one more header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Headers every answer carries so a page on another origin can call the provider.
pub const CORS: [(&str, &str); 5] = [
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
    ("Access-Control-Max-Age", "600"),
];
