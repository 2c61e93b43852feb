//! What a client keeps and what survives a reload: [`idempotency`] records (one per payload),
//! the [`outbox`] of follow-up events, the [`snapshot`] (their text in storage), and the
//! [`items`] a storage holds, read at load.
pub mod idempotency;
pub mod items;
pub mod outbox;
pub mod snapshot;
