//! VirtualService rules (IL4xxx).

pub mod weights;
