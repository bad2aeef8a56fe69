//! ServiceEntry (networking.istio.io), typed and located.

use crate::model::loc::{locs, Cursor, Loc, Located, Locs};
use crate::model::meta::Meta;
use crate::model::workloads::{service_ports, ServicePort};

#[derive(Clone, Debug)]
pub struct ServiceEntry {
    pub meta: Meta,
    pub hosts: Vec<Located<String>>,
    pub addresses: Vec<Located<String>>,
    /// `number`, `name`, `protocol`, `targetPort` of each port.
    pub ports: Vec<ServicePort>,
    pub location: Option<Located<String>>,
    pub resolution: Option<Located<String>>,
    pub endpoints: Vec<Located<serde_json::Value>>,
    pub export_to: Vec<Located<String>>,
    /// `workloadSelector.labels` (a ServiceEntry's selector has no matchLabels).
    pub workload_selector: Option<Vec<(String, String)>>,
}

impl ServiceEntry {
    pub fn build(spec: Option<Cursor>, meta: Meta) -> ServiceEntry {
        let Some(spec) = spec else {
            return ServiceEntry {
                meta,
                hosts: Vec::new(),
                addresses: Vec::new(),
                ports: Vec::new(),
                location: None,
                resolution: None,
                endpoints: Vec::new(),
                export_to: Vec::new(),
                workload_selector: None,
            };
        };
        ServiceEntry {
            meta,
            hosts: spec.strings("hosts"),
            addresses: spec.strings("addresses"),
            ports: service_ports(&spec, "number"),
            location: spec.string("location"),
            resolution: spec.string("resolution"),
            endpoints: spec
                .get("endpoints")
                .map(|e| e.items())
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, c)| c.node.as_map().is_some())
                .map(|(_, c)| c.as_json())
                .collect(),
            export_to: spec.strings("exportTo"),
            workload_selector: spec
                .map("workloadSelector")
                .and_then(|w| w.selector("labels")),
        }
    }
}

impl Locs for ServiceEntry {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta, self.hosts, self.addresses, self.ports, self.location,
            self.resolution, self.endpoints, self.export_to);
    }
}
