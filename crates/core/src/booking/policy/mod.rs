//! The policies, one per file, each a pure function of its inputs and the time it is given:
//! [`backoff`] (how long to wait), [`retry`] (whether to try again), [`breaker`] (whether to
//! call at all), [`router`] (which operation an action label means) and [`config`] (the
//! settings, validated). They import only [`super::wire`] types.
pub mod backoff;
pub mod breaker;
pub mod config;
pub mod retry;
pub mod router;
