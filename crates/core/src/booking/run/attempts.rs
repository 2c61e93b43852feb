//! One step's attempts, as a sub-machine every phase of a booking reuses: send, wait for the
//! answer or the attempt's timeout, then succeed, give up, or wait and try again. Built on the
//! pure policies: the breaker's admit/record (guarded steps only), [`retry`](crate::booking::policy::retry)'s
//! classification and `decide`, the [`Backoff`], and the booking's deadline. Every attempt
//! sends the same key, URL and body.
use crate::ascii::cat;
use alloc::string::String;

use super::shared::Shared;
use crate::booking::io::{Answer, CallId, ClaimId, Command};
use crate::booking::policy::backoff::Backoff;
use crate::booking::policy::breaker::{Admission, BreakerState, Health};
use crate::booking::policy::retry::{decide, Decision, Failure};
use crate::booking::random::Random;
use crate::booking::report::event::{Ctx, Event};
use crate::booking::wire::contract::{Appointment, AppointmentStatus, Step};
use crate::json::decimal;
use crate::{Error, ErrorCode};

/// What a successful call answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepValue {
    /// An appointment (create, poll, cancel, compensate).
    Appointment(Appointment),
    /// The event was accepted (publish).
    Accepted,
}

/// Where the attempts of a step are.
#[derive(Clone, Debug, PartialEq)]
pub enum StepState {
    /// A call is out, or a retry is scheduled.
    Waiting,
    /// The step succeeded.
    Done(StepValue),
    /// The step failed for good.
    GaveUp(Error),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum At {
    Idle,
    InFlight {
        call: CallId,
        until: i64,
    },
    Retry {
        at: i64,
    },
    /// Admitted as the half-open probe: claiming the probe across tabs first.
    Probing {
        claim: ClaimId,
    },
}

/// The attempts of one step under one key.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempts {
    /// Which step.
    pub step: Step,
    key: String,
    url: String,
    body: Option<String>,
    deadline: Option<i64>,
    n: u32,
    retries: u32,
    probe: bool,
    /// The claim on the probe across tabs, held while the probe is out.
    probe_claim: Option<ClaimId>,
    pub(super) at: At,
}

fn reply(step: Step, answer: Answer) -> Result<StepValue, Failure> {
    match answer {
        Answer::Ok { .. } if step == Step::Publish => Ok(StepValue::Accepted),
        Answer::Ok {
            id,
            status,
            status_url,
        } => {
            let status = status
                .as_deref()
                .and_then(AppointmentStatus::parse)
                .ok_or(Failure::BadResponse("not an appointment: no known status"))?;
            let id = id.ok_or(Failure::BadResponse("not an appointment: no id"))?;
            Ok(StepValue::Appointment(Appointment {
                id,
                status,
                status_url,
            }))
        }
        Answer::Status {
            status,
            retry_after,
        } => Err(Failure::Status {
            status,
            retry_after,
        }),
        Answer::Network => Err(Failure::Network),
        Answer::Bad => Err(Failure::BadResponse("not JSON, or not a Response")),
    }
}

impl Attempts {
    /// Attempts of `step` under `key`, sending `body` to `url`, bounded by `deadline` (the
    /// booking's; `None` for follow-ups, which run to their own end).
    // Not inlined: its six callers then pass the parts instead of each building the struct
    // (-0.1 KB gzip, issue 21).
    #[inline(never)]
    pub fn new(
        step: Step,
        key: String,
        url: String,
        body: Option<String>,
        deadline: Option<i64>,
    ) -> Self {
        Attempts {
            step,
            key,
            url,
            body,
            deadline,
            n: 0,
            retries: 0,
            probe: false,
            probe_claim: None,
            at: At::Idle,
        }
    }

    /// The idempotency key every attempt sends.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The call in flight, if any.
    pub fn call(&self) -> Option<CallId> {
        match self.at {
            At::InFlight { call, .. } => Some(call),
            _ => None,
        }
    }

    /// Whether its call is past its timeout at `now` (the call is over; the core has not
    /// heard yet).
    pub fn call_overdue(&self, now: i64) -> bool {
        matches!(self.at, At::InFlight { until, .. } if now >= until)
    }

    /// When this step next needs the clock: its call's timeout or its retry.
    pub fn deadline(&self) -> Option<i64> {
        match self.at {
            At::InFlight { until, .. } => Some(until),
            At::Retry { at } => Some(at),
            At::Idle | At::Probing { .. } => None,
        }
    }

    /// Aborts the call in flight, if any (its answer will be ignored).
    pub fn abort<R: Random>(&mut self, s: &mut Shared<R>) {
        if let Some(call) = self.call() {
            s.out.push_back(Command::Abort { call });
        }
        if let At::Probing { claim } = self.at {
            s.out.push_back(Command::Release { claim });
        }
        self.release_probe(s);
        self.at = At::Idle;
    }

    fn release_probe<R: Random>(&mut self, s: &mut Shared<R>) {
        if let Some(claim) = self.probe_claim.take() {
            s.out.push_back(Command::Release { claim });
        }
    }

    /// Makes the next attempt: past the deadline or refused by the breaker, gives up.
    pub fn next<R: Random>(&mut self, s: &mut Shared<R>, ctx: &mut Ctx) -> StepState {
        let (step, now) = (self.step, s.now);
        self.n += 1;
        self.at = At::Idle;
        let remaining = self.deadline.map_or(u64::MAX, |d| (d - now).max(0) as u64);
        if remaining == 0 {
            return StepState::GaveUp(Error::new(
                ErrorCode::Timeout,
                "the booking deadline passed",
            ));
        }
        self.probe = false;
        if step.is_guarded() {
            match s.admit(ctx) {
                Admission::Call => {}
                // Across tabs, one probe: claimed without waiting before it is sent.
                Admission::Probe if s.persists => {
                    let claim = s.new_claim();
                    s.out.push_back(Command::Claim {
                        claim,
                        lock: "b:probe".into(),
                        read: "b:".into(),
                        wait: false,
                        announced: crate::booking::run::tabs::ANNOUNCED,
                    });
                    self.at = At::Probing { claim };
                    return StepState::Waiting;
                }
                Admission::Probe => self.probe = true,
                Admission::Reject { retry_in_ms } => return self.reject(s, ctx, retry_in_ms),
            }
        }
        self.send(s, ctx, remaining)
    }

    /// Refused by the breaker: nothing is sent.
    fn reject<R: Random>(
        &mut self,
        s: &mut Shared<R>,
        ctx: &mut Ctx,
        retry_in_ms: u64,
    ) -> StepState {
        s.emit(ctx, Event::ShortCircuited(self.step, retry_in_ms));
        let message = cat(&[
            "the circuit breaker is open; the provider was not called (next try in ",
            &decimal(retry_in_ms),
            " ms)",
        ]);
        StepState::GaveUp(Error::new(ErrorCode::CircuitOpen, message))
    }

    /// The answer to this step's probe claim; `None` if `claim` is not its. Granted, the probe
    /// goes out unless the breaker state read under the claim says another tab's probe has
    /// settled it already (closed: a plain call; open: refused). Not granted, another tab is
    /// probing: refused.
    pub fn on_probe<R: Random>(
        &mut self,
        s: &mut Shared<R>,
        ctx: &mut Ctx,
        claim: ClaimId,
        granted: bool,
        saved: Option<&str>,
    ) -> Option<StepState> {
        if self.at != (At::Probing { claim }) {
            return None;
        }
        self.at = At::Idle;
        let remaining = self
            .deadline
            .map_or(u64::MAX, |d| (d - s.now).max(0) as u64);
        let lease = s.breaker.config().probe_lease_ms;
        if !granted {
            return Some(self.reject(s, ctx, lease));
        }
        let settled = saved
            .and_then(BreakerState::from_json)
            .filter(|b| !matches!(b, BreakerState::HalfOpen { .. }));
        let admission = match settled {
            Some(BreakerState::Closed { .. }) => {
                s.adopt_breaker(saved);
                Admission::Call
            }
            Some(BreakerState::Open { until_ms }) if until_ms > s.now => {
                s.adopt_breaker(saved);
                let retry_in_ms = (until_ms - s.now) as u64;
                Admission::Reject { retry_in_ms }
            }
            _ if matches!(s.breaker.state(), BreakerState::HalfOpen { .. }) => Admission::Probe,
            // The breaker moved while the claim waited (another tab's state, read when the
            // page came back): admitted again.
            _ => s.admit(ctx),
        };
        if admission == Admission::Probe {
            self.probe = true;
            self.probe_claim = Some(claim);
            return Some(self.send(s, ctx, remaining));
        }
        s.out.push_back(Command::Release { claim });
        if let Admission::Reject { retry_in_ms } = admission {
            return Some(self.reject(s, ctx, retry_in_ms));
        }
        Some(self.send(s, ctx, remaining))
    }

    fn send<R: Random>(&mut self, s: &mut Shared<R>, ctx: &mut Ctx, remaining: u64) -> StepState {
        let (step, now) = (self.step, s.now);
        if step.is_guarded() {
            ctx.attempts += 1;
        }
        let timeout_ms = s.config.attempt_timeout_ms.min(remaining);
        s.emit(ctx, Event::AttemptStarted(step, self.n));
        let call = s.send(
            step,
            self.url.clone(),
            &self.key,
            ctx,
            self.body.clone(),
            timeout_ms,
        );
        self.at = At::InFlight {
            call,
            until: now.saturating_add(timeout_ms as i64),
        };
        StepState::Waiting
    }

    /// The answer to `call`; `None` if it is not this step's call in flight.
    pub fn on_answer<R: Random>(
        &mut self,
        s: &mut Shared<R>,
        ctx: &mut Ctx,
        call: CallId,
        answer: Answer,
    ) -> Option<StepState> {
        (self.call() == Some(call)).then(|| {
            self.at = At::Idle;
            self.ended(s, ctx, reply(self.step, answer))
        })
    }

    /// The clock moved: the call's timeout passed (abort it), or the retry is due.
    pub fn on_timer<R: Random>(&mut self, s: &mut Shared<R>, ctx: &mut Ctx) -> Option<StepState> {
        match self.at {
            At::InFlight { until, .. } if s.now >= until => {
                self.abort(s);
                Some(self.ended(s, ctx, Err(Failure::Timeout)))
            }
            At::Retry { at } if s.now >= at => Some(self.next(s, ctx)),
            _ => None,
        }
    }

    /// An attempt ended: the breaker hears of it, then succeed, give up or schedule a retry.
    fn ended<R: Random>(
        &mut self,
        s: &mut Shared<R>,
        ctx: &mut Ctx,
        outcome: Result<StepValue, Failure>,
    ) -> StepState {
        let (step, n, now) = (self.step, self.n, s.now);
        if step.is_guarded() {
            let health = match &outcome {
                Err(f) if f.counts_against_breaker() => Health::Unhealthy,
                _ => Health::Healthy,
            };
            if let Some(t) = s.breaker.record(health, self.probe, now) {
                s.emit(ctx, Event::BreakerChanged(t));
            }
            s.share_breaker();
            self.release_probe(s);
        }
        let failure = match outcome {
            Ok(reply) => {
                s.emit(ctx, Event::AttemptSucceeded(step, n));
                return StepState::Done(reply);
            }
            Err(failure) => failure,
        };
        let error = failure.to_error();
        s.emit(ctx, Event::AttemptFailed(step, n, error.code, error.status));
        if !failure.is_retryable() {
            return StepState::GaveUp(error);
        }
        if n >= s.config.attempts {
            let message = cat(&[
                step.name(),
                " failed after ",
                &decimal(u64::from(n)),
                " attempts",
            ]);
            return StepState::GaveUp(
                Error::new(ErrorCode::RetryExhausted, message).caused_by(error),
            );
        }
        if step.is_guarded() && matches!(s.breaker.state(), BreakerState::Open { .. }) {
            let message = "the circuit breaker opened; not retrying";
            return StepState::GaveUp(Error::new(ErrorCode::CircuitOpen, message).caused_by(error));
        }
        let backoff = Backoff {
            base_ms: s.config.base_delay_ms,
            max_ms: s.config.max_delay_ms,
        };
        let jittered = backoff.delay_ms(self.retries, s.random.jitter_u32());
        self.retries += 1;
        let left = self.deadline.map_or(u64::MAX, |d| (d - now).max(0) as u64);
        match decide(
            jittered,
            failure.retry_after_ms(now),
            s.config.max_retry_after_ms,
            left,
        ) {
            Decision::RetryAfter(wait) => {
                ctx.retries += 1;
                s.emit(ctx, Event::RetryScheduled(step, n, wait));
                self.at = At::Retry {
                    at: now.saturating_add(wait as i64),
                };
                StepState::Waiting
            }
            Decision::GiveUp(give_up) => StepState::GaveUp(give_up.caused_by(error)),
        }
    }
}
