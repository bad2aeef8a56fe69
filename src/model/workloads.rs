//! The core Kubernetes kinds that routing depends on: Services, workloads
//! (pod template labels), Namespaces and Nodes.

use crate::model::loc::{locs, Cursor, Loc, Locs};
use crate::model::meta::Meta;
use crate::model::virtual_service::items;

/// Label of a Namespace (or Service, workload) naming its waypoint.
pub const USE_WAYPOINT: &str = "istio.io/use-waypoint";
/// Namespace label that puts its pods in the Ambient mesh (`ambient`).
pub const DATAPLANE_MODE: &str = "istio.io/dataplane-mode";
/// Service annotation limiting where Istio exports it.
pub const EXPORT_TO: &str = "networking.istio.io/exportTo";

#[derive(Clone, Debug)]
pub struct Service {
    pub meta: Meta,
    /// `None` without a selector (endpoints managed elsewhere).
    pub selector: Option<Vec<(String, String)>>,
    pub ports: Vec<ServicePort>,
    /// `spec.type` (`ClusterIP`, `ExternalName`, ...).
    pub service_type: Option<String>,
    /// The `networking.istio.io/exportTo` annotation, split on commas.
    pub export_to: Vec<String>,
}

/// A port of a Service (`port`) or ServiceEntry (`number`).
#[derive(Clone, Debug)]
pub struct ServicePort {
    pub at: Loc,
    pub number: Option<u32>,
    pub name: Option<String>,
    pub protocol: Option<String>,
    pub app_protocol: Option<String>,
    /// A number or a named port, as written.
    pub target_port: Option<serde_json::Value>,
}

/// The ports at `spec.ports`, their number read from `number_key`.
pub(crate) fn service_ports(spec: &Cursor, number_key: &str) -> Vec<ServicePort> {
    items(spec, "ports", |p| {
        Some(ServicePort {
            at: p.loc(),
            number: p.u32(number_key).map(|n| n.value),
            name: p.string("name").map(|n| n.value),
            protocol: p.string("protocol").map(|n| n.value),
            app_protocol: p.string("appProtocol").map(|n| n.value),
            target_port: p.json("targetPort").map(|t| t.value),
        })
    })
}

impl Service {
    pub fn build(spec: Option<Cursor>, meta: Meta) -> Service {
        let export_to = meta
            .annotation(EXPORT_TO)
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect();
        Service {
            selector: spec.as_ref().and_then(|s| s.selector("selector")),
            ports: spec
                .as_ref()
                .map(|s| service_ports(s, "port"))
                .unwrap_or_default(),
            service_type: spec
                .as_ref()
                .and_then(|s| s.string("type"))
                .map(|t| t.value),
            export_to,
            meta,
        }
    }

    /// The cluster host of the service, `name.ns.svc.cluster.local`.
    pub fn host(&self) -> Option<crate::model::Host> {
        let name = self.meta.name.as_deref()?;
        Some(crate::model::Host::resolve(
            name,
            self.meta.namespace_or("default"),
        ))
    }
}

/// A Pod, or a controller with a pod template (`spec.template`; for a
/// CronJob `spec.jobTemplate.spec.template`): its pods' labels.
#[derive(Clone, Debug)]
pub struct Workload {
    pub meta: Meta,
    pub pod_labels: Vec<(String, String)>,
    /// A Pod's `spec.nodeName`: the Node whose topology labels its
    /// endpoints carry (controllers' pods may land on any node).
    pub node_name: Option<String>,
}

/// Where the pod labels of a workload kind are; `None` for other kinds.
pub fn pod_metadata_path(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    let path: &'static [&'static str] = match (group, kind) {
        ("", "Pod") => &["metadata"],
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("", "ReplicationController")
        | ("batch", "Job") => &["spec", "template", "metadata"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "metadata"],
        _ => return None,
    };
    Some(path)
}

impl Workload {
    /// `root` is the object's root, `path` its `pod_metadata_path`.
    pub fn build(root: &Cursor, path: &[&str], meta: Meta) -> Workload {
        let pod_labels = root
            .path(path)
            .map(|m| m.pairs("labels"))
            .unwrap_or_default();
        let node_name = match path {
            ["metadata"] => root.path(&["spec", "nodeName"]).and_then(|n| n.as_string()),
            _ => None,
        };
        Workload {
            meta,
            pod_labels,
            node_name: node_name.map(|n| n.value),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Namespace {
    pub meta: Meta,
}

impl Namespace {
    /// `istio.io/dataplane-mode: ambient`.
    pub fn is_ambient(&self) -> bool {
        self.meta.label(DATAPLANE_MODE) == Some("ambient")
    }

    /// `istio.io/use-waypoint`.
    pub fn waypoint(&self) -> Option<&str> {
        self.meta.label(USE_WAYPOINT)
    }
}

/// A Kubernetes Node (its labels: zone, region), named so as not to be
/// confused with a YAML node.
#[derive(Clone, Debug)]
pub struct ClusterNode {
    pub meta: Meta,
}

impl Locs for Service {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta, self.ports);
    }
}

impl Locs for ServicePort {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at);
    }
}

impl Locs for Workload {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta);
    }
}

impl Locs for Namespace {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta);
    }
}

impl Locs for ClusterNode {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta);
    }
}
