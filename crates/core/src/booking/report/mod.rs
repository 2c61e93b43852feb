//! What the client tells the page: each [`event`] becomes one [`log`] record and moves the
//! [`metrics`]. Nothing else logs or counts.
pub mod event;
pub mod log;
pub mod metrics;
