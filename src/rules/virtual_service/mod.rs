//! VirtualService rules (IL4xxx).

pub mod unreachable;
pub mod webhook;
pub mod webhook_warnings;
pub mod weights;
