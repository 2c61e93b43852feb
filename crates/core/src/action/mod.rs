//! Which action did a UI event mean? The pure half of `getActionLabel` and `resolveAction`.
//!
//! - [`resolution`]: where a label came from ([`Source`]) and why it is empty ([`Reason`]).
//! - [`options`]: the validated options of the detailed resolver.
//! - [`walk`]: the bounded walk from the clicked node up to the element carrying the attribute,
//!   generic over a [`walk::Cursor`] so it is tested here with a fake tree.

pub mod options;
pub mod resolution;
pub mod walk;

pub use options::ResolveOptions;
pub use resolution::{Reason, Source};
