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
//! `loc.key == Some(loc.span)`. Pointers are formatted in `loc` only: by
//! `Cursor` while building, by `JsonAt` for the parts kept as written.
//!
//! Hosts are kept as written in the model (`hosts`, `host`); resolve them
//! with `Host::resolve(raw, meta.namespace_or("default"))`, and opt into
//! Kiali's `name.namespace` reading with `host::expand_namespace_host`.
//!
//! Deviations from the planned API (issue #13), where the code showed a
//! better shape:
//! - `StringMatch::Present`: Istio reads an empty header or query parameter
//!   match as "present" (absent, under `withoutHeaders`), which `None`
//!   could not say. Empty `uri`/`scheme`/`method`/`authority` are `None`.
//! - `TlsMatch` holds its L4 part as `l4: L4Match` instead of repeating it.
//! - `Mirror` is a `mirrors` entry: `destination` plus `percentage`.
//! - `Meta` also has `group` (kinds are told apart by group: Istio's and the
//!   Gateway API's `Gateway`) and `name_at` (where `metadata.name` is).
//! - `Service` also has `service_type` and `export_to` (the
//!   `networking.istio.io/exportTo` annotation, split on commas).
//! - The Kubernetes Node is `ClusterNode` (`Model::Node`), so it is not
//!   confused with `yaml::Node`; `RequestAuthentication` (selector only) and
//!   `MeshConfig` (the `istio`/`istio-<rev>` ConfigMap's `rootNamespace`)
//!   are kinds too. Other ConfigMaps are not modelled.
//! - `DestinationRule::workload_selector` is located at `workloadSelector`;
//!   `ServiceEntry::workload_selector` reads `workloadSelector.labels`.
//! - `Inventory::load(paths, limits)` and `Inventory::from_source(src,
//!   limits)` both return `(Inventory, Vec<Diagnostic>)`; `load` fails only
//!   where `check` fails (a path that does not exist).
//!   `Inventory::known_namespaces` counts modelled objects only.
//! - `DestinationRule::effective_policy` (Istio's MergeTrafficPolicy) is
//!   left to the `explain` work, as planned.

pub mod destination_rule;
pub mod gateway;
pub mod host;
pub mod inventory;
pub mod loc;
pub mod meta;
pub mod protocol;
pub mod security;
pub mod service_entry;
pub mod traffic_policy;
pub mod traffic_policy_merge;
pub mod virtual_service;
pub mod workloads;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_kinds;

use std::sync::Arc;

pub use destination_rule::{DestinationRule, Subset};
pub use gateway::{Gateway, K8sGateway, Listener, Server, ServerPort, ServerTls};
pub use host::{expand_namespace_host, Host};
pub use inventory::Inventory;
pub use loc::{Cursor, JsonAt, Loc, Located, Locs};
pub use meta::Meta;
pub use security::{MeshConfig, PeerAuthentication, RequestAuthentication};
pub use service_entry::ServiceEntry;
pub use traffic_policy::TrafficPolicy;
pub use virtual_service::{Destination, HttpMatch, HttpRoute, StringMatch, VirtualService};
pub use workloads::{ClusterNode, Namespace, Service, ServicePort, Workload};

use crate::objects::Object;

/// One object of a kind the model knows. Variants are moved straight into
/// the `Inventory` lists, so their size difference costs nothing there.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Model {
    VirtualService(VirtualService),
    DestinationRule(DestinationRule),
    Gateway(Gateway),
    K8sGateway(K8sGateway),
    ServiceEntry(ServiceEntry),
    Service(Service),
    Workload(Workload),
    Namespace(Namespace),
    Node(ClusterNode),
    PeerAuthentication(PeerAuthentication),
    RequestAuthentication(RequestAuthentication),
    MeshConfig(MeshConfig),
}

/// The model of one object; `None` for kinds the model does not cover.
/// Kinds are told apart by API group and kind, as Kubernetes does.
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
        ("networking.istio.io", "Gateway") => Model::Gateway(Gateway::build(spec, meta())),
        ("gateway.networking.k8s.io", "Gateway") => {
            Model::K8sGateway(K8sGateway::build(spec, meta()))
        }
        ("networking.istio.io", "ServiceEntry") => {
            Model::ServiceEntry(ServiceEntry::build(spec, meta()))
        }
        ("", "Service") => Model::Service(Service::build(spec, meta())),
        ("", "Namespace") => Model::Namespace(Namespace { meta: meta() }),
        ("", "Node") => Model::Node(ClusterNode { meta: meta() }),
        ("", "ConfigMap") => Model::MeshConfig(MeshConfig::build(&root, meta())?),
        ("security.istio.io", "PeerAuthentication") => {
            Model::PeerAuthentication(PeerAuthentication::build(spec, meta()))
        }
        ("security.istio.io", "RequestAuthentication") => {
            Model::RequestAuthentication(RequestAuthentication::build(spec, meta()))
        }
        (group, kind) => {
            let path = workloads::pod_metadata_path(group, kind)?;
            Model::Workload(Workload::build(&root, path, meta()))
        }
    };
    Some(model)
}

impl Model {
    pub fn meta(&self) -> &Meta {
        match self {
            Model::VirtualService(m) => &m.meta,
            Model::DestinationRule(m) => &m.meta,
            Model::Gateway(m) => &m.meta,
            Model::K8sGateway(m) => &m.meta,
            Model::ServiceEntry(m) => &m.meta,
            Model::Service(m) => &m.meta,
            Model::Workload(m) => &m.meta,
            Model::Namespace(m) => &m.meta,
            Model::Node(m) => &m.meta,
            Model::PeerAuthentication(m) => &m.meta,
            Model::RequestAuthentication(m) => &m.meta,
            Model::MeshConfig(m) => &m.meta,
        }
    }
}

impl Locs for Model {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        match self {
            Model::VirtualService(m) => m.locs(out),
            Model::DestinationRule(m) => m.locs(out),
            Model::Gateway(m) => m.locs(out),
            Model::K8sGateway(m) => m.locs(out),
            Model::ServiceEntry(m) => m.locs(out),
            Model::Service(m) => m.locs(out),
            Model::Workload(m) => m.locs(out),
            Model::Namespace(m) => m.locs(out),
            Model::Node(m) => m.locs(out),
            Model::PeerAuthentication(m) => m.locs(out),
            Model::RequestAuthentication(m) => m.locs(out),
            Model::MeshConfig(m) => m.locs(out),
        }
    }
}
