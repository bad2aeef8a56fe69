//! The typed, located traffic model: owned structs for the Istio and
//! Kubernetes objects that routing depends on, built from `objects::Object`.
//! Rules and the `route`, `explain` and `server` commands share it.
//!
//! Leniency: the model never reports anything. A value of the wrong type
//! (`weight: "fifty"`, `hosts: 3`, `subsets: {}`) is simply absent; the
//! schema layer is what reports it.
//!
//! Locations: every `Located<T>` and every `at: Loc` holds the RFC 6901
//! pointer of the value inside its object and the span of that value (and of
//! its mapping key). `Node::lookup(&loc.pointer)` gives back a node whose span
//! is `loc.span`; a located mapping *key* (subset label names) has
//! `loc.key == Some(loc.span)`. Pointers are formatted by `loc::Cursor` only.
//!
//! Deviations from the planned API (docs/issue #13):
//! - `StringMatch::Present`: Istio reads an empty header or query parameter
//!   match as "present", which a `None` could not say.
//! - `TlsMatch` holds its L4 part as `l4: L4Match` instead of repeating it.
//! - `Mirror` is the `mirrors` entry: `destination` plus `percentage`.

pub mod destination_rule;
pub mod host;
pub mod loc;
pub mod meta;
pub mod traffic_policy;
pub mod virtual_service;

#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use destination_rule::{DestinationRule, Subset};
pub use host::{expand_namespace_host, Host};
pub use loc::{Cursor, Loc, Located, Locs};
pub use meta::Meta;
pub use traffic_policy::TrafficPolicy;
pub use virtual_service::VirtualService;

use crate::objects::Object;

/// One object of a kind the model knows. Variants are moved straight into
/// the `Inventory` lists, so their size difference costs nothing there.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Model {
    VirtualService(VirtualService),
    DestinationRule(DestinationRule),
}

/// The model of one object; `None` for kinds the model does not cover.
pub fn build(object: &Object, file: &Arc<str>) -> Option<Model> {
    let root = Cursor::root(&object.node);
    let spec = root.map("spec");
    let meta = || Meta::new(object, file);
    let model = match (object.group.as_str(), object.kind.as_str()) {
        ("networking.istio.io", "VirtualService") => {
            Model::VirtualService(VirtualService::build(spec, meta()))
        }
        ("networking.istio.io", "DestinationRule") => {
            Model::DestinationRule(DestinationRule::build(spec, meta()))
        }
        _ => return None,
    };
    Some(model)
}

impl Model {
    pub fn meta(&self) -> &Meta {
        match self {
            Model::VirtualService(m) => &m.meta,
            Model::DestinationRule(m) => &m.meta,
        }
    }
}

impl Locs for Model {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        match self {
            Model::VirtualService(m) => m.locs(out),
            Model::DestinationRule(m) => m.locs(out),
        }
    }
}
