//! Analyzer rules (IL8xxx): what `istioctl analyze`
//! (pkg/config/analysis/analyzers) and Kiali (business/checkers) report
//! across objects, each rule with the analyzer's code in its doc.
//!
//! Open world: a rule that needs other objects (the Service of a gateway,
//! its workloads) stays quiet when the inputs do not contain them.

pub mod conflicting_gateways;
pub mod gateway_certificate;
pub mod gateway_port;
pub mod gateway_selector;
pub mod mtls_policy;
pub mod port_name;
pub mod se_addresses;
pub mod se_protocols;

use crate::diagnostic::Diagnostic;
use crate::model::{
    DestinationRule, Gateway, Host, Loc, Meta, Model, PeerAuthentication, Service, ServiceEntry,
    Workload,
};
use crate::objects::Object;
use crate::rules::Rule;

/// One object as the analyzers see it: its model, its effective namespace
/// (`-n`, kustomize), and whether it only informs (`--context-files`).
#[derive(Clone, Debug)]
pub struct Entry<T> {
    pub ns: String,
    pub context: bool,
    pub item: T,
}

/// What the analyzers read from every input.
#[derive(Clone, Debug, Default)]
pub struct AnalyzerFacts {
    pub gateways: Vec<Entry<Gateway>>,
    pub service_entries: Vec<Entry<ServiceEntry>>,
    /// ServiceEntries whose `status.addresses` were allocated (by name).
    pub allocated: Vec<(String, String)>,
    pub services: Vec<Entry<Service>>,
    pub workloads: Vec<Entry<Workload>>,
    pub peer_authentications: Vec<Entry<PeerAuthentication>>,
    pub destination_rules: Vec<Entry<DestinationRule>>,
    /// A mesh config among the inputs: (auto-allocated SE addresses with
    /// DNS capture, `enableAutoMtls`).
    pub mesh: Vec<MeshSettings>,
    /// FQDNs that HTTP routes of VirtualServices among the inputs send to
    /// (a set: most routes of a VirtualService share a host).
    pub http_destinations: std::collections::BTreeSet<std::sync::Arc<str>>,
}

#[derive(Clone, Debug, Default)]
pub struct MeshSettings {
    pub root_namespace: Option<String>,
    pub dns_auto_allocate: bool,
    pub enable_auto_mtls: Option<bool>,
}

impl AnalyzerFacts {
    pub fn merge(&mut self, other: AnalyzerFacts) {
        self.gateways.extend(other.gateways);
        self.service_entries.extend(other.service_entries);
        self.allocated.extend(other.allocated);
        self.services.extend(other.services);
        self.workloads.extend(other.workloads);
        self.peer_authentications.extend(other.peer_authentications);
        self.destination_rules.extend(other.destination_rules);
        self.mesh.extend(other.mesh);
        self.http_destinations.extend(other.http_destinations);
    }

    /// What a `--context-files` file contributes: read, never reported on.
    pub fn into_context(mut self) -> AnalyzerFacts {
        let mark = |c: &mut bool| *c = true;
        self.gateways.iter_mut().for_each(|e| mark(&mut e.context));
        self.service_entries
            .iter_mut()
            .for_each(|e| mark(&mut e.context));
        self.services.iter_mut().for_each(|e| mark(&mut e.context));
        self.destination_rules
            .iter_mut()
            .for_each(|e| mark(&mut e.context));
        self
    }

    /// The workloads whose pod labels `selector` selects (all for an empty one).
    pub fn selected<'a>(
        &'a self,
        selector: &'a [(String, String)],
    ) -> impl Iterator<Item = &'a Entry<Workload>> + 'a {
        self.workloads
            .iter()
            .filter(move |w| selects(selector, &w.item.pod_labels))
    }
}

/// Whether every label of `selector` is among `labels` (a Kubernetes
/// equality selector; an empty one selects everything).
pub fn selects(selector: &[(String, String)], labels: &[(String, String)]) -> bool {
    selector.iter().all(|kv| labels.contains(kv))
}

/// `k1=v1,k2=v2`, sorted by key, as Kubernetes prints a selector.
pub fn selector_string(selector: &[(String, String)]) -> String {
    let mut pairs: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort();
    pairs.join(",")
}

/// `namespace/name` of an object.
pub fn full_name(ns: &str, meta: &Meta) -> String {
    format!("{ns}/{}", meta.name.as_deref().unwrap_or(""))
}

/// A finding of an analyzer rule on a modelled object, at a model location.
pub fn diagnostic(rule: &'static Rule, meta: &Meta, at: &Loc, message: String) -> Diagnostic {
    let mut d = Diagnostic::new(rule, meta.file.clone(), message).at(at.span);
    d.pointer = Some(at.pointer.clone());
    d.object = Some((*meta.object).clone());
    d
}

/// Keeps what the analyzers need of one object.
pub fn collect(obj: &Object, model: Option<&Model>, facts: &mut AnalyzerFacts) {
    let relevant = matches!(
        (obj.group.as_str(), obj.kind.as_str()),
        (
            "networking.istio.io",
            "Gateway" | "ServiceEntry" | "DestinationRule" | "VirtualService"
        ) | ("", "Service" | "ConfigMap")
            | ("security.istio.io", "PeerAuthentication")
    ) || crate::model::workloads::pod_metadata_path(&obj.group, &obj.kind).is_some();
    if !relevant {
        return;
    }
    // The two frequent kinds are read without building their model (a
    // measurable share of a run): HTTP destinations of VirtualServices, and
    // only the ISTIO_MUTUAL wildcard DestinationRules that IL8008 reads.
    let spec = &obj.json["spec"];
    if obj.kind == "VirtualService" {
        let routes = spec["http"].as_array().into_iter().flatten();
        let destinations = routes.flat_map(|r| r["route"].as_array().into_iter().flatten());
        let hosts = destinations.filter_map(|d| d["destination"]["host"].as_str());
        let ns = obj.ns();
        facts
            .http_destinations
            .extend(hosts.map(|h| Host::resolve(h, ns).as_str().into()));
        return;
    }
    let istio_mutual = spec["trafficPolicy"]["tls"]["mode"].as_str() == Some("ISTIO_MUTUAL");
    let wildcard = spec["host"].as_str().is_some_and(|h| h.starts_with("*."));
    if obj.kind == "DestinationRule" && !(istio_mutual && wildcard) {
        return;
    }
    let Some(model) = model else {
        return;
    };
    let ns = obj.ns().to_string();
    fn at<T>(ns: &str, item: T) -> Entry<T> {
        Entry {
            ns: ns.to_string(),
            context: false,
            item,
        }
    }
    match model {
        Model::Gateway(g) => facts.gateways.push(at(&ns, g.clone())),
        Model::ServiceEntry(se) => {
            let status = &obj.json["status"]["addresses"];
            if status.as_array().is_some_and(|a| !a.is_empty()) {
                let name = se.meta.name.clone().unwrap_or_default();
                facts.allocated.push((ns.clone(), name));
            }
            facts.service_entries.push(at(&ns, se.clone()));
        }
        Model::Service(s) => facts.services.push(at(&ns, s.clone())),
        Model::Workload(w) => facts.workloads.push(at(&ns, w.clone())),
        Model::PeerAuthentication(p) => facts.peer_authentications.push(at(&ns, p.clone())),
        Model::DestinationRule(d) => facts.destination_rules.push(at(&ns, d.clone())),
        Model::MeshConfig(m) => {
            let mesh = obj.json["data"]["mesh"].as_str().unwrap_or("");
            facts
                .mesh
                .push(mesh_settings(mesh, m.effective_root_namespace()));
        }
        _ => {}
    }
}

/// The settings of a mesh config text the analyzers read.
fn mesh_settings(mesh: &str, root: Option<&str>) -> MeshSettings {
    let parsed = crate::yaml::parse_stream(mesh, crate::yaml::Limits::default());
    let json = parsed
        .documents
        .into_iter()
        .next()
        .and_then(|d| d.root)
        .map(|r| r.to_json())
        .unwrap_or_default();
    let meta = &json["defaultConfig"]["proxyMetadata"];
    let on = |k: &str| meta[k].as_str() == Some("true");
    MeshSettings {
        root_namespace: root.map(str::to_string),
        // ProtocolAddressesAnalyzer: DNS capture plus either allocation flag.
        dns_auto_allocate: on("ISTIO_META_DNS_CAPTURE")
            && (on("ISTIO_META_DNS_AUTO_ALLOCATE") || on("PILOT_ENABLE_IP_AUTOALLOCATE")),
        enable_auto_mtls: json["enableAutoMtls"].as_bool(),
    }
}
