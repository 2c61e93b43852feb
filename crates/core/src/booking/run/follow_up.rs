//! A booking's follow-ups once its appointment exists: the `appointment.created` event
//! written to the outbox and published, and the compensating cancel when the booking cannot
//! keep the appointment (the event could not be published, or a later step failed).
use crate::ascii::cat;
use alloc::string::String;

use super::answer::RunError;
use super::attempts::Attempts;
use super::booking::{Booking, Phase, RunState, Work};
use super::shared::Shared;
use crate::booking::random::Random;
use crate::booking::report::event::Event;
use crate::booking::store::outbox::OutboxStatus;
use crate::booking::wire::contract::{AppointmentEvent, Step, APPOINTMENT_CREATED};
use crate::booking::wire::time::format_rfc3339;
use crate::json::ToJson;
use crate::{Error, ErrorCode};

impl Booking {
    /// Writes the `appointment.created` event to the outbox (once per booking key: a re-run
    /// sends the entry already written, byte for byte) and publishes it.
    pub(crate) fn publish<R: Random>(&mut self, s: &mut Shared<R>) -> RunState {
        let event_id = cat(&[self.ctx.key.as_str(), ":event"]);
        let event = match s.outbox.get(&event_id).cloned() {
            None => {
                let Work::Book(request) = &self.work else {
                    return RunState::Ended(Ok(()));
                };
                let event = AppointmentEvent {
                    id: event_id,
                    kind: APPOINTMENT_CREATED.into(),
                    appointment_id: self.ctx.appointment_id.clone().unwrap_or_default(),
                    calendar_id: request.calendar_id.clone(),
                    slot_start: request.slot_start.clone(),
                    occurred_at: format_rfc3339(s.now),
                    correlation_id: self.ctx.correlation_id.clone(),
                };
                s.outbox.write(event.clone(), &self.ctx.key);
                s.persist();
                s.emit(&mut self.ctx, Event::OutboxWritten);
                event
            }
            Some(entry) if s.flushing.contains(&entry.event.id) => {
                self.phase = Phase::AwaitFlush {
                    event_id: entry.event.id,
                };
                return RunState::Running;
            }
            Some(entry) => match entry.status {
                OutboxStatus::Pending => entry.event,
                OutboxStatus::Published => return RunState::Ended(Ok(())),
                // An earlier run under this key gave its appointment up (cancelled it, or
                // failed to): this run cannot keep the appointment the provider just confirmed
                // either, so it cancels it under `<key>:cancel` (a replay if that cancel went
                // through, another chance if it did not). Ending without a cancel would leave
                // a confirmed appointment nobody keeps, if the provider's answer is right.
                _ => {
                    let error = Error::new(
                        ErrorCode::OutboxPublishFailed,
                        "the appointment.created event could not be published",
                    );
                    // The entry follows this cancel only when it is about the same appointment.
                    let same =
                        Some(&entry.event.appointment_id) == self.ctx.appointment_id.as_ref();
                    return self.compensate(s, same.then_some(entry.event.id), error);
                }
            },
        };
        let mut a = Attempts::new(
            Step::Publish,
            event.id.clone(),
            s.url(&["/events"]),
            Some(event.to_json()),
            None,
        );
        let progress = a.next(s, &mut self.ctx);
        self.phase = Phase::Publishing(a);
        self.progress(s, progress)
    }

    /// The event is published (or, `conflict`, a `422` under its own key says the provider
    /// holds an event for this booking already): settled, never a reason to cancel.
    pub(crate) fn published<R: Random>(&mut self, s: &mut Shared<R>, conflict: bool) -> RunState {
        let event_id = cat(&[self.ctx.key.as_str(), ":event"]);
        s.outbox.settle(&event_id, OutboxStatus::Published);
        s.persist();
        s.emit(&mut self.ctx, Event::OutboxPublished(conflict));
        RunState::Ended(Ok(()))
    }

    /// Cancels the appointment under `<key>:cancel` after `error`.
    pub(crate) fn compensate<R: Random>(
        &mut self,
        s: &mut Shared<R>,
        event_id: Option<String>,
        error: Error,
    ) -> RunState {
        s.emit(&mut self.ctx, Event::CompensationStarted(error.code));
        let id = self.ctx.appointment_id.clone().unwrap_or_default();
        // Saved before the cancel goes out: a page that goes away now leaves a booking that
        // resumes the cancel when it runs again, never one that replays its create as booked.
        s.store.set_compensating(&self.ctx.key, &id);
        s.persist();
        let key = cat(&[self.ctx.key.as_str(), ":cancel"]);
        let mut attempts = Attempts::new(
            Step::Compensate,
            key,
            s.url(&["/appointments/", &id, "/cancel"]),
            None,
            None,
        );
        let progress = attempts.next(s, &mut self.ctx);
        self.phase = Phase::Compensating {
            error,
            event_id,
            attempts,
        };
        self.progress(s, progress)
    }

    /// Runs again a booking that was cancelling `appointment` when its page went away: the
    /// cancel is sent again (under the same `<key>:cancel`), and the booking ends failed and
    /// compensated, as it would have.
    pub(crate) fn resume_compensation<R: Random>(
        &mut self,
        s: &mut Shared<R>,
        appointment: String,
    ) -> RunState {
        let event_id = cat(&[self.ctx.key.as_str(), ":event"]);
        let event_id = s.outbox.get(&event_id).map(|e| e.event.id.clone());
        let code = match event_id {
            Some(_) => ErrorCode::OutboxPublishFailed,
            None => ErrorCode::Timeout,
        };
        self.ctx.appointment_id = Some(appointment);
        let error = Error::new(
            code,
            "the page went away while this booking's appointment was being cancelled",
        );
        self.compensate(s, event_id, error)
    }

    /// The compensating cancel ended: the entry is compensated, or flagged for reconciliation.
    pub(crate) fn compensated<R: Random>(
        &mut self,
        s: &mut Shared<R>,
        cancelled: Result<(), Error>,
    ) -> RunState {
        let Phase::Compensating {
            error, event_id, ..
        } = &self.phase
        else {
            return RunState::Running;
        };
        let (error, event_id) = (error.clone(), event_id.clone());
        let status = match cancelled {
            Ok(()) => OutboxStatus::Compensated,
            Err(_) => OutboxStatus::NeedsReconciliation,
        };
        if let Some(event_id) = &event_id {
            s.outbox.settle(event_id, status);
        }
        s.persist();
        match &cancelled {
            Ok(()) => s.emit(&mut self.ctx, Event::CompensationSucceeded),
            Err(e) => s.emit(&mut self.ctx, Event::ReconciliationNeeded(e.code)),
        }
        RunState::Ended(Err(RunError {
            error,
            compensated: cancelled.is_ok(),
        }))
    }
}
