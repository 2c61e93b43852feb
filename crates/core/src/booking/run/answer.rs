//! A call's answer: how a run ended ([`RunError`]), the result it ends with ([`Shared::finish`]),
//! a stored or joined result given to another call ([`Shared::replayed`]), a refusal
//! ([`Shared::reject`]), and the one place results reach the page and the counters
//! ([`Shared::settle`]).
use super::shared::Shared;
use crate::booking::io::{Command, RequestId};
use crate::booking::random::Random;
use crate::booking::report::event::{Ctx, Event};
use crate::booking::wire::outcome::{BookingResult, Operation};
use crate::booking::wire::state::State;
use crate::Error;

/// How a run ended: an error, and whether an appointment it made was cancelled again.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// Why.
    pub error: Error,
    /// A follow-up failure cancelled the appointment again.
    pub compensated: bool,
}

impl From<Error> for RunError {
    fn from(error: Error) -> Self {
        RunError {
            error,
            compensated: false,
        }
    }
}

impl<R: Random> Shared<R> {
    /// Ends `ctx`'s call: its final state, the closing record (for a run), its result.
    pub fn finish(
        &mut self,
        ctx: &mut Ctx,
        operation: Option<Operation>,
        outcome: Result<(), RunError>,
        ran: bool,
    ) -> BookingResult {
        let (state, error, compensated) = match outcome {
            Ok(()) => (State::Completed, None, false),
            Err(RunError { error, compensated }) => (State::Failed, Some(error), compensated),
        };
        self.advance(ctx, state);
        if ran {
            let event = match state {
                State::Completed => Event::Completed,
                _ => Event::Failed(error.as_ref().map(|e| e.code)),
            };
            self.emit(ctx, event);
        }
        BookingResult {
            operation,
            state,
            appointment_id: ctx.appointment_id.clone(),
            error,
            attempts: ctx.attempts,
            retries: ctx.retries,
            idempotent_replay: false,
            correlation_id: ctx.correlation_id.clone(),
            idempotency_key: ctx.key.clone(),
            compensated,
            action_label: ctx.label.clone(),
            duration_ms: self.elapsed(ctx),
        }
    }

    /// A stored or joined result, as `ctx`'s answer.
    pub fn replayed(&self, ctx: &Ctx, stored: BookingResult) -> BookingResult {
        BookingResult {
            attempts: 0,
            retries: 0,
            idempotent_replay: true,
            correlation_id: ctx.correlation_id.clone(),
            action_label: ctx.label.clone(),
            duration_ms: self.elapsed(ctx),
            ..stored
        }
    }

    /// Answers page call `id`; the one place results move the counters.
    pub fn settle(&mut self, id: RequestId, result: BookingResult) {
        self.metrics.observe_latency(result.duration_ms);
        match result.state {
            State::Completed => self.metrics.completed += 1,
            _ => self.metrics.failed += 1,
        }
        self.out.push_back(Command::Done { id, result });
    }

    /// A call refused before anything was sent or stored.
    pub fn reject(
        &mut self,
        id: RequestId,
        mut ctx: Ctx,
        operation: Option<Operation>,
        error: Error,
    ) {
        self.emit(&mut ctx, Event::Rejected(error.code));
        let result = self.finish(&mut ctx, operation, Err(error.into()), false);
        self.settle(id, result);
    }

    /// Milliseconds since `ctx` started.
    pub fn elapsed(&self, ctx: &Ctx) -> u64 {
        (self.now - ctx.started_ms).max(0) as u64
    }
}
