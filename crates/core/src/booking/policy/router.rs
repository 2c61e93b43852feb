//! Which operation a click's action label asks for.

use crate::ascii::cat;
use crate::booking::wire::outcome::Operation;
use crate::{Error, ErrorCode};

/// The label that books.
pub const BOOK: &str = "book-appointment";
/// The label that cancels.
pub const CANCEL: &str = "cancel-appointment";

/// The operation for `label`; an empty or unknown label is an `unknown_action` error, never a
/// silent no-op.
pub fn route(label: &str) -> Result<Operation, Error> {
    match label {
        BOOK => Ok(Operation::Book),
        CANCEL => Ok(Operation::Cancel),
        "" => Err(Error::new(
            ErrorCode::UnknownAction,
            "the click carried no action label (no data-action on the element or its event)",
        )),
        other => Err(Error::new(
            ErrorCode::UnknownAction,
            cat(&[
                "no route for action '",
                other,
                "'; known actions: ",
                BOOK,
                ", ",
                CANCEL,
            ]),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    #[test]
    fn routes() {
        assert_eq!(route("book-appointment"), Ok(Operation::Book));
        assert_eq!(route("cancel-appointment"), Ok(Operation::Cancel));
        for bad in ["", "Book-Appointment", "book-appointment ", "constructor"] {
            assert_eq!(
                route(bad).unwrap_err().code,
                ErrorCode::UnknownAction,
                "{bad:?}"
            );
        }
    }
}
