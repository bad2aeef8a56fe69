//! Every modelled object of a set of inputs, for the commands that read
//! many files at once (route, explain, server). Files are read the way
//! `check` reads them: same walk, same decoding, templates skipped with
//! IL1003, YAML problems reported with the same diagnostics.

// A diagnostic is the error of reading: the cold path, not worth boxing.
#![allow(clippy::result_large_err)]

use std::path::PathBuf;

use rayon::prelude::*;

use crate::check::yaml_diagnostic;
use crate::diagnostic::Diagnostic;
use crate::model::{
    build, ClusterNode, DestinationRule, Gateway, K8sGateway, MeshConfig, Model, Namespace,
    PeerAuthentication, RequestAuthentication, Service, ServiceEntry, VirtualService, Workload,
};
use crate::objects::extract;
use crate::source::{collect, read, FatalError, Source};
use crate::yaml::{parse_stream, Limits};

/// The objects by kind, each list in input order, then document order.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub virtual_services: Vec<VirtualService>,
    pub destination_rules: Vec<DestinationRule>,
    pub gateways: Vec<Gateway>,
    pub k8s_gateways: Vec<K8sGateway>,
    pub service_entries: Vec<ServiceEntry>,
    pub services: Vec<Service>,
    pub workloads: Vec<Workload>,
    pub namespaces: Vec<Namespace>,
    pub nodes: Vec<ClusterNode>,
    pub peer_authentications: Vec<PeerAuthentication>,
    pub request_authentications: Vec<RequestAuthentication>,
    pub mesh_configs: Vec<MeshConfig>,
}

impl Inventory {
    /// Reads every path (directories walked as `check` walks them, `-` for
    /// standard input). Problems with single files are diagnostics; only a
    /// path that does not exist stops the load.
    pub fn load(
        paths: &[PathBuf],
        limits: Limits,
    ) -> Result<(Inventory, Vec<Diagnostic>), FatalError> {
        let (inputs, mut problems) = collect(paths)?;
        // Parallel, but collected in input order: the result does not
        // depend on the thread count.
        let per_file: Vec<(Inventory, Vec<Diagnostic>)> = inputs
            .par_iter()
            .map(|input| match read(input) {
                Ok(src) => Inventory::from_source(&src, limits),
                Err(d) => (Inventory::default(), vec![d]),
            })
            .collect();
        let mut all = Inventory::default();
        for (inventory, diagnostics) in per_file {
            all.merge(inventory);
            problems.extend(diagnostics);
        }
        Ok((all, problems))
    }

    /// The objects of one source, and its parse problems.
    pub fn from_source(src: &Source, limits: Limits) -> (Inventory, Vec<Diagnostic>) {
        let mut inventory = Inventory::default();
        let templates = crate::template::find(&src.text, limits);
        let parsed = parse_stream(templates.parse_text.as_deref().unwrap_or(&src.text), limits);
        let problems = templates
            .at
            .iter()
            .map(|&at| crate::template::diagnostic(&src.name, &src.text, at))
            .chain(
                parsed
                    .issues
                    .iter()
                    .map(|issue| yaml_diagnostic(issue, &src.name)),
            )
            .collect();
        for root in parsed.documents.into_iter().filter_map(|d| d.root) {
            for object in extract(root) {
                if let Some(model) = build(&object, &src.name) {
                    inventory.add(model);
                }
            }
        }
        // Copied once the file's trees are freed: allocated among the
        // trees' nodes, the models would keep their pages resident.
        (inventory.clone(), problems)
    }

    pub fn add(&mut self, model: Model) {
        match model {
            Model::VirtualService(m) => self.virtual_services.push(m),
            Model::DestinationRule(m) => self.destination_rules.push(m),
            Model::Gateway(m) => self.gateways.push(m),
            Model::K8sGateway(m) => self.k8s_gateways.push(m),
            Model::ServiceEntry(m) => self.service_entries.push(m),
            Model::Service(m) => self.services.push(m),
            Model::Workload(m) => self.workloads.push(m),
            Model::Namespace(m) => self.namespaces.push(m),
            Model::Node(m) => self.nodes.push(m),
            Model::PeerAuthentication(m) => self.peer_authentications.push(m),
            Model::RequestAuthentication(m) => self.request_authentications.push(m),
            Model::MeshConfig(m) => self.mesh_configs.push(m),
        }
    }

    /// Appends `other` after what is already here.
    pub fn merge(&mut self, other: Inventory) {
        self.virtual_services.extend(other.virtual_services);
        self.destination_rules.extend(other.destination_rules);
        self.gateways.extend(other.gateways);
        self.k8s_gateways.extend(other.k8s_gateways);
        self.service_entries.extend(other.service_entries);
        self.services.extend(other.services);
        self.workloads.extend(other.workloads);
        self.namespaces.extend(other.namespaces);
        self.nodes.extend(other.nodes);
        self.peer_authentications.extend(other.peer_authentications);
        self.request_authentications
            .extend(other.request_authentications);
        self.mesh_configs.extend(other.mesh_configs);
    }

    /// The mesh root namespace a mesh config among the inputs sets (the
    /// last one read wins, as the last applied would).
    pub fn root_namespace(&self) -> Option<&str> {
        self.mesh_configs
            .iter()
            .rev()
            .find_map(MeshConfig::effective_root_namespace)
    }

    /// Every namespace the inputs know: Namespace objects and the namespaces
    /// objects live in (for `expand_namespace_host`), sorted.
    pub fn known_namespaces(&self) -> std::collections::BTreeSet<&str> {
        let metas = self
            .virtual_services
            .iter()
            .map(|m| &m.meta)
            .chain(self.destination_rules.iter().map(|m| &m.meta))
            .chain(self.gateways.iter().map(|m| &m.meta))
            .chain(self.k8s_gateways.iter().map(|m| &m.meta))
            .chain(self.service_entries.iter().map(|m| &m.meta))
            .chain(self.services.iter().map(|m| &m.meta))
            .chain(self.workloads.iter().map(|m| &m.meta))
            .chain(self.peer_authentications.iter().map(|m| &m.meta))
            .chain(self.request_authentications.iter().map(|m| &m.meta))
            .chain(self.mesh_configs.iter().map(|m| &m.meta));
        let named = self
            .namespaces
            .iter()
            .filter_map(|n| n.meta.name.as_deref());
        metas
            .map(|m| m.namespace_or("default"))
            .chain(named)
            .collect()
    }
}
