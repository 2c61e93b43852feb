//! A booking run: one booking's phases ([`phase`], moved by [`booking`]), the attempts every phase reuses
//! ([`attempts`]), its follow-ups ([`follow_up`]), the publishing of events left pending
//! ([`flush`]), and what all of them share ([`shared`]): settings, the clock, ids, the
//! command queue, the breaker, the store and the outbox. Imports run inward from here: to
//! [`super::store`], [`super::report`], [`super::policy`] and [`super::wire`], never to
//! [`super::client`].
pub mod answer;
pub mod attempts;
// One booking's phases, found by its name.
#[allow(clippy::module_inception)]
pub mod booking;
pub mod flush;
pub mod follow_up;
pub mod phase;
pub mod shared;
pub mod tabs;
