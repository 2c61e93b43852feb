//! The provider calls of a run: the attempt loop (timeouts, retries with backoff and
//! `Retry-After`, the breaker), polling of pending bookings, the outbox and compensation.

use super::backoff::Backoff;
use super::breaker::{Admission, BreakerState, CallOutcome};
use super::client::{Client, Ctx, Failed};
use super::contract::{AppointmentEvent, AppointmentStatus, APPOINTMENT_CREATED};
use super::env::{Call, Env, Provider};
use super::log::Level;
use super::outbox::OutboxStatus;
use super::request::{check_id, BookingRequest};
use super::retry::{decide, Decision, Failure};
use super::time::format_rfc3339;
use crate::{Error, ErrorCode};
use core::future::Future;

/// A kind of provider call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Create,
    Poll,
    Publish,
    Compensate,
    Cancel,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Create => "create",
            Step::Poll => "poll",
            Step::Publish => "publish",
            Step::Compensate => "compensate",
            Step::Cancel => "cancel",
        }
    }

    /// Calls that start work go through the breaker and count as the result's attempts.
    /// Follow-ups (polls, the event, compensation) are never short-circuited: giving up on
    /// them would lose an appointment that exists.
    fn is_guarded(self) -> bool {
        matches!(self, Step::Create | Step::Cancel)
    }
}

impl<E: Env, P: Provider> Client<E, P> {
    /// Calls `call` until it succeeds, fails for good, runs out of attempts or passes
    /// `deadline_ms`. Every attempt sends `key`; waits follow the backoff, never shorter than a
    /// `Retry-After`.
    async fn attempts<T, F, Fut>(
        &self,
        ctx: &Ctx,
        step: Step,
        key: &str,
        deadline_ms: Option<i64>,
        mut call: F,
    ) -> Result<T, Error>
    where
        F: FnMut(Call) -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let config = &self.config;
        let mut backoff = Backoff::new(config.base_delay_ms, config.max_delay_ms, || {
            self.env.jitter_u32()
        });
        let mut attempt = 0;
        loop {
            attempt += 1;
            let now = self.env.now_ms();
            let remaining = deadline_ms.map_or(u64::MAX, |d| (d - now).max(0) as u64);
            if remaining == 0 {
                return Err(Error::new(
                    ErrorCode::Timeout,
                    "the booking deadline passed",
                ));
            }
            let probe = step.is_guarded() && self.admit(ctx, step, now)?;
            let timeout_ms = config.attempt_timeout_ms.min(remaining);
            if step.is_guarded() {
                ctx.attempts.set(ctx.attempts.get() + 1);
            }
            self.log(ctx, Level::Info, "attempt.started", |r| {
                r.step = Some(step.name());
                r.attempt = Some(attempt);
            });
            let outcome = call(Call {
                idempotency_key: key.to_owned(),
                correlation_id: ctx.correlation_id.clone(),
                timeout_ms,
            })
            .await;
            let now = self.env.now_ms();
            if step.is_guarded() {
                let health = match &outcome {
                    Err(failure) if failure.counts_against_breaker() => CallOutcome::Unhealthy,
                    _ => CallOutcome::Healthy,
                };
                let transition = self.inner.borrow_mut().breaker.record(health, probe, now);
                self.log_breaker(ctx, transition);
            }
            let failure = match outcome {
                Ok(value) => {
                    self.log(ctx, Level::Info, "attempt.succeeded", |r| {
                        r.step = Some(step.name());
                        r.attempt = Some(attempt);
                    });
                    return Ok(value);
                }
                Err(failure) => failure,
            };
            let error = failure.to_error();
            self.log(ctx, Level::Warn, "attempt.failed", |r| {
                r.step = Some(step.name());
                r.attempt = Some(attempt);
                r.error_code = Some(error.code);
                r.status = error.status;
            });
            if !failure.is_retryable() {
                return Err(error);
            }
            if attempt >= config.attempts {
                let message = format!("{} failed after {attempt} attempts", step.name());
                return Err(Error::new(ErrorCode::RetryExhausted, message).caused_by(error));
            }
            if step.is_guarded()
                && matches!(
                    self.inner.borrow().breaker.state(),
                    BreakerState::Open { .. }
                )
            {
                let message = "the circuit breaker opened; not retrying";
                return Err(Error::new(ErrorCode::CircuitOpen, message).caused_by(error));
            }
            let jittered = backoff.next().map_or(0, |d| d.as_millis() as u64);
            let hint = failure.retry_after_ms(now);
            // Time left now, after the attempt (which may have used its whole timeout).
            let left = deadline_ms.map_or(u64::MAX, |d| (d - now).max(0) as u64);
            let wait = match decide(jittered, hint, config.max_retry_after_ms, left) {
                Decision::RetryAfter(wait) => wait,
                Decision::GiveUp(give_up) => return Err(give_up.caused_by(error)),
            };
            ctx.retries.set(ctx.retries.get() + 1);
            self.inner.borrow_mut().metrics.retries += 1;
            self.log(ctx, Level::Info, "retry.scheduled", |r| {
                r.step = Some(step.name());
                r.attempt = Some(attempt);
                r.delay_ms = Some(wait);
            });
            self.env.sleep(wait).await;
        }
    }

    /// Asks the breaker; `Ok(true)` for the half-open probe, `Err(circuit_open)` if refused.
    fn admit(&self, ctx: &Ctx, step: Step, now: i64) -> Result<bool, Error> {
        let (admission, transition) = self.inner.borrow_mut().breaker.admit(now);
        self.log_breaker(ctx, transition);
        match admission {
            Admission::Call => Ok(false),
            Admission::Probe => Ok(true),
            Admission::Reject { retry_in_ms } => {
                self.log(ctx, Level::Warn, "call.short_circuited", |r| {
                    r.step = Some(step.name());
                    r.error_code = Some(ErrorCode::CircuitOpen);
                    r.delay_ms = Some(retry_in_ms);
                });
                Err(Error::new(
                    ErrorCode::CircuitOpen,
                    format!("the circuit breaker is open; the provider was not called (next try in {retry_in_ms} ms)"),
                ))
            }
        }
    }

    fn log_breaker(&self, ctx: &Ctx, transition: Option<super::breaker::BreakerTransition>) {
        if let Some(t) = transition {
            let level = if t.to == "open" {
                Level::Warn
            } else {
                Level::Info
            };
            self.log(ctx, level, "breaker.changed", |r| r.breaker = Some(t));
        }
    }

    fn set_appointment(&self, ctx: &Ctx, id: &str) -> Result<(), Error> {
        check_id(id, "id").map_err(|_| {
            Error::new(
                ErrorCode::BadResponse,
                "the provider returned a malformed appointment id",
            )
        })?;
        *ctx.appointment_id.borrow_mut() = Some(id.to_owned());
        Ok(())
    }

    /// Create, poll while pending, then the outbox; any failure once an appointment exists
    /// cancels it again, so a failed booking never leaves a slot taken.
    pub(super) async fn book_steps(
        &self,
        ctx: &Ctx,
        request: &BookingRequest,
    ) -> Result<(), Failed> {
        let deadline = ctx
            .started_ms
            .saturating_add(self.config.deadline_ms as i64);
        let mut appointment = self
            .attempts(ctx, Step::Create, &ctx.key, Some(deadline), |call| {
                self.provider.create(call, request)
            })
            .await?;
        self.set_appointment(ctx, &appointment.id)?;
        let id = appointment.id.clone();
        while appointment.status == AppointmentStatus::Pending {
            let wait = self.config.poll_interval_ms;
            if self.env.now_ms().saturating_add(wait as i64) >= deadline {
                let error = Error::new(
                    ErrorCode::Timeout,
                    "the booking was still pending at its deadline",
                );
                return Err(self.compensate(ctx, None, &id, error).await);
            }
            self.log(ctx, Level::Info, "poll.scheduled", |r| {
                r.delay_ms = Some(wait)
            });
            self.env.sleep(wait).await;
            let url = appointment
                .status_url
                .clone()
                .unwrap_or_else(|| format!("{}/appointments/{id}", self.config.base_url));
            let polled = self
                .attempts(ctx, Step::Poll, &ctx.key, Some(deadline), |call| {
                    self.provider.get(call, &url)
                })
                .await;
            appointment = match polled {
                Ok(next) if next.id == id => next,
                Ok(_) => Err(Error::new(
                    ErrorCode::BadResponse,
                    "the status URL answered for another appointment",
                ))?,
                Err(error) => return Err(self.compensate(ctx, None, &id, error).await),
            };
        }
        if appointment.status != AppointmentStatus::Confirmed {
            let error = Error::new(
                ErrorCode::ProviderRejected,
                "the provider did not confirm the appointment",
            );
            return Err(error.into());
        }
        self.log(ctx, Level::Info, "appointment.confirmed", |_| {});
        self.publish(ctx, request, &id).await
    }

    /// Writes the `appointment.created` event to the outbox and publishes it; compensates if
    /// it cannot be published.
    ///
    /// The event is written once per booking key. A run under a key that already has an entry
    /// (the booking re-run after a reload, or by a second tab with the caller's key) sends that
    /// entry again byte for byte, so the provider answers it as a replay of the same key; an
    /// entry already published is not sent again.
    async fn publish(&self, ctx: &Ctx, request: &BookingRequest, id: &str) -> Result<(), Failed> {
        let event_id = format!("{}:event", ctx.key);
        let written = self.inner.borrow().outbox.get(&event_id).cloned();
        let event = match written {
            None => {
                let event = AppointmentEvent {
                    id: event_id,
                    kind: APPOINTMENT_CREATED.into(),
                    appointment_id: id.to_owned(),
                    calendar_id: request.calendar_id.clone(),
                    slot_start: request.slot_start.clone(),
                    occurred_at: format_rfc3339(self.env.now_ms()),
                    correlation_id: ctx.correlation_id.clone(),
                };
                self.inner
                    .borrow_mut()
                    .outbox
                    .write(event.clone(), &ctx.key);
                self.persist();
                self.log(ctx, Level::Info, "outbox.written", |_| {});
                event
            }
            Some(entry) => match entry.status {
                OutboxStatus::Pending => entry.event,
                OutboxStatus::Published => return Ok(()),
                // An earlier run under this key gave the appointment up already.
                settled => {
                    let error = Error::new(
                        ErrorCode::OutboxPublishFailed,
                        "the appointment.created event could not be published",
                    );
                    return Err(Failed {
                        error,
                        compensated: settled == OutboxStatus::Compensated,
                    });
                }
            },
        };
        match self.send_event(ctx, &event).await {
            Ok(()) => Ok(()),
            Err(cause) => {
                let error = Error::new(
                    ErrorCode::OutboxPublishFailed,
                    "the appointment.created event could not be published",
                )
                .caused_by(cause);
                Err(self.compensate(ctx, Some(&event.id), id, error).await)
            }
        }
    }

    /// Publishes an outbox entry's event with its own retries (key: the event id), marking it
    /// published, or logging why not (it stays pending).
    ///
    /// A `422` under the event's own key means the provider already holds an event under that
    /// key (the key is unique to this booking): the entry is settled as published, logged at
    /// `warn` with the status, and never a reason to cancel an appointment that exists.
    async fn send_event(&self, ctx: &Ctx, event: &AppointmentEvent) -> Result<(), Error> {
        let sent = self
            .attempts(ctx, Step::Publish, &event.id, None, |call| {
                self.provider.publish(call, event)
            })
            .await;
        let conflict = matches!(&sent, Err(e) if e.status == Some(422));
        if let (Err(e), false) = (&sent, conflict) {
            self.log(ctx, Level::Error, "outbox.publish_failed", |r| {
                r.error_code = Some(e.code)
            });
            return sent;
        }
        self.inner
            .borrow_mut()
            .outbox
            .settle(&event.id, OutboxStatus::Published);
        self.persist();
        let level = if conflict { Level::Warn } else { Level::Info };
        self.log(ctx, level, "outbox.published", |r| {
            r.status = conflict.then_some(422)
        });
        Ok(())
    }

    /// Cancels appointment `id` under `<key>:cancel` after a failure; a failed cancel is
    /// flagged for reconciliation, never dropped.
    async fn compensate(
        &self,
        ctx: &Ctx,
        event_id: Option<&str>,
        id: &str,
        error: Error,
    ) -> Failed {
        self.log(ctx, Level::Warn, "compensation.started", |r| {
            r.error_code = Some(error.code)
        });
        let key = format!("{}:cancel", ctx.key);
        let cancelled = self
            .attempts(ctx, Step::Compensate, &key, None, |call| {
                self.provider.cancel(call, id)
            })
            .await;
        let compensated = cancelled.is_ok();
        let status = if compensated {
            OutboxStatus::Compensated
        } else {
            OutboxStatus::NeedsReconciliation
        };
        {
            let mut inner = self.inner.borrow_mut();
            if let Some(event_id) = event_id {
                inner.outbox.settle(event_id, status);
            }
            if compensated {
                inner.metrics.compensations += 1;
            } else {
                inner.metrics.reconciliations += 1;
            }
        }
        self.persist();
        match cancelled {
            Ok(_) => self.log(ctx, Level::Info, "compensation.succeeded", |_| {}),
            Err(e) => self.log(ctx, Level::Error, "reconciliation.needed", |r| {
                r.error_code = Some(e.code)
            }),
        }
        Failed { error, compensated }
    }

    /// Publishes the outbox entries still pending (left by an earlier page that went away
    /// mid-publish, say). An entry that still cannot be published stays pending for the next
    /// flush: nothing is dropped. Returns (published, still pending).
    pub async fn flush_outbox(&self) -> (u32, u32) {
        let pending: Vec<_> = {
            let inner = self.inner.borrow();
            inner
                .outbox
                .entries()
                .filter(|e| e.status == OutboxStatus::Pending)
                .cloned()
                .collect()
        };
        let (mut published, mut left) = (0, 0);
        for entry in pending {
            let ctx = self.uncounted_ctx(entry.booking_key.clone(), None, self.env.now_ms());
            *ctx.appointment_id.borrow_mut() = Some(entry.event.appointment_id.clone());
            self.log(&ctx, Level::Info, "outbox.flush", |_| {});
            match self.send_event(&ctx, &entry.event).await {
                Ok(()) => published += 1,
                Err(_) => left += 1,
            }
        }
        (published, left)
    }

    /// A user's cancel: one guarded step.
    pub(super) async fn cancel_steps(&self, ctx: &Ctx, id: &str) -> Result<(), Failed> {
        let deadline = ctx
            .started_ms
            .saturating_add(self.config.deadline_ms as i64);
        self.attempts(ctx, Step::Cancel, &ctx.key, Some(deadline), |call| {
            self.provider.cancel(call, id)
        })
        .await?;
        self.inner.borrow_mut().store.forget_appointment(id);
        Ok(())
    }
}
