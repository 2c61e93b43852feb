//! The data that crosses a boundary, and nothing that acts: the `/api/v2` [`contract`], the
//! page's [`request`] and its raw fields ([`scalar`]), the [`outcome`] a call answers with, its
//! [`state`], the masking of personal data ([`mask`]) and the [`time`] formats. Every other
//! folder imports from here; this folder imports from none.
pub mod contract;
pub mod mask;
pub mod outcome;
pub mod request;
pub mod scalar;
pub mod state;
pub mod time;
