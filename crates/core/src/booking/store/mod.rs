//! What a client keeps and what survives a reload: [`idempotency`] records (one per payload),
//! the [`outbox`] of follow-up events, and the [`snapshot`], their text in storage.
pub mod idempotency;
pub mod outbox;
pub mod snapshot;
