//! VirtualService rules (IL4xxx).

pub mod unreachable;
pub mod webhook;
pub mod weights;
