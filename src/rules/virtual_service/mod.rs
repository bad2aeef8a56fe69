//! VirtualService rules (IL4xxx).

pub mod webhook;
pub mod weights;
