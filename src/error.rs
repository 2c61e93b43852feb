//! One error type with stable, machine-readable codes.
//!
//! Codes are part of the public contract: JavaScript callers branch on `error.code`, so a code
//! is never renamed. The message is for people and may change.

use core::fmt;

/// A stable error code, exposed to JavaScript as the `code` property of a thrown `Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// An options object had a field of the wrong type or out of range.
    InvalidOptions,
}

impl ErrorCode {
    /// The code as JavaScript sees it (`snake_case`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidOptions => "invalid_options",
        }
    }
}

/// An error with a stable [`ErrorCode`] and a human-readable message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong, as a stable code.
    pub code: ErrorCode,
    /// What went wrong, for people; names the offending field where there is one.
    pub message: String,
}

impl Error {
    /// An error with the given code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leads_with_the_stable_code() {
        let e = Error::new(ErrorCode::InvalidOptions, "maxDepth must be an integer");
        assert_eq!(
            e.to_string(),
            "invalid_options: maxDepth must be an integer"
        );
    }
}
