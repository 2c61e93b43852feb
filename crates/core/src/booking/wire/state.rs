//! The booking lifecycle: `init → in_progress → completed | failed`. Any other move is an
//! `invalid_transition` error, not a panic.
use crate::ascii::cat;
use alloc::string::String;

use crate::json::ToJson;
use crate::{Error, ErrorCode};

/// Where a booking is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Accepted, nothing sent yet.
    Init,
    /// Calls to the provider are under way.
    InProgress,
    /// Confirmed by the provider and its follow-up event published.
    Completed,
    /// Ended without a confirmed appointment (or with one cancelled by compensation).
    Failed,
}

impl State {
    /// The state's name as logs and JavaScript show it.
    pub const fn name(self) -> &'static str {
        match self {
            State::Init => "init",
            State::InProgress => "in_progress",
            State::Completed => "completed",
            State::Failed => "failed",
        }
    }

    /// The state for its [`name`](Self::name).
    pub fn parse(name: &str) -> Option<State> {
        [
            State::Init,
            State::InProgress,
            State::Completed,
            State::Failed,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }

    /// Whether the booking has ended.
    pub const fn is_final(self) -> bool {
        matches!(self, State::Completed | State::Failed)
    }

    /// The state after moving to `to`, if the lifecycle allows it.
    pub fn transition(self, to: State) -> Result<State, Error> {
        match (self, to) {
            (State::Init, State::InProgress)
            | (State::Init, State::Failed)
            | (State::InProgress, State::Completed)
            | (State::InProgress, State::Failed) => Ok(to),
            _ => Err(Error::new(
                ErrorCode::InvalidTransition,
                cat(&["a booking cannot go from ", self.name(), " to ", to.name()]),
            )),
        }
    }
}

impl ToJson for State {
    fn write_json(&self, out: &mut String) {
        self.name().write_json(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};
    use State::*;

    #[test]
    fn every_pair_is_allowed_or_refused_as_the_lifecycle_says() {
        let all = [Init, InProgress, Completed, Failed];
        let allowed = [
            (Init, InProgress),
            (Init, Failed),
            (InProgress, Completed),
            (InProgress, Failed),
        ];
        for from in all {
            for to in all {
                let result = from.transition(to);
                if allowed.contains(&(from, to)) {
                    assert_eq!(result, Ok(to));
                } else {
                    assert_eq!(
                        result.unwrap_err().code,
                        ErrorCode::InvalidTransition,
                        "{from:?}->{to:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn parse_reads_names() {
        for s in [Init, InProgress, Completed, Failed] {
            assert_eq!(State::parse(s.name()), Some(s));
        }
        assert_eq!(State::parse("done"), None);
    }

    #[test]
    fn final_states() {
        assert!(Completed.is_final() && Failed.is_final());
        assert!(!Init.is_final() && !InProgress.is_final());
    }
}
