//! Which VirtualServices apply, in Istio's order: the merged VirtualServices
//! (delegates merged one level, pilot/pkg/model/virtualservice_controller.go),
//! sorted by creationTimestamp, then name, then namespace
//! (configCompareByCreationTime), and listed for a proxy as Istio's index
//! lists them: private to the proxy's namespace, then exported to it, then
//! public (push_context.go VirtualServicesForGateway, SelectVirtualServices).
//!
//! `istiolint explain` reuses `Table`, `Table::for_proxy` and `istio_order`.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::rule::{merge_delegate, DelegateOf, Dropped, Rule};
use crate::model::{Host, VirtualService};

/// One root VirtualService (one with hosts) after the delegate merge.
#[derive(Clone, Debug)]
pub struct VsEntry {
    pub namespace: String,
    pub name: String,
    pub file: String,
    pub line: u32,
    pub created: Option<String>,
    /// Resolved (short names in the VirtualService's namespace), lower-cased
    /// as Istio lower-cases them when it builds virtual hosts.
    pub hosts: Vec<Host>,
    /// Resolved gateway names; `mesh` when none is given.
    pub gateways: Vec<String>,
    /// `exportTo` with `.` resolved; empty means public.
    pub export_to: Vec<String>,
    pub rules: Vec<Rule>,
    /// Rules Istio ignored: delegate not found, not exported, or conflicting.
    pub dropped: Vec<Dropped>,
}

impl VsEntry {
    pub fn is_public(&self) -> bool {
        self.export_to.is_empty() || self.export_to.iter().any(|e| e == "*")
    }

    fn exported_to(&self, ns: &str) -> bool {
        !self.export_to.iter().any(|e| e == "~") && self.export_to.iter().any(|e| e == ns)
    }

    pub fn binds(&self, gateway: &str) -> bool {
        self.gateways.iter().any(|g| g == gateway)
    }

    pub fn label(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Istio's configCompareByCreationTime. A missing timestamp is Go's zero
/// time, older than any other. RFC 3339 UTC stamps (what the API server
/// writes) compare as text.
pub fn istio_order(a: &VsEntry, b: &VsEntry) -> Ordering {
    a.created
        .cmp(&b.created)
        .then_with(|| a.name.cmp(&b.name))
        .then_with(|| a.namespace.cmp(&b.namespace))
}

/// All root VirtualServices, merged and sorted, with a host index.
#[derive(Debug, Default)]
pub struct Table {
    pub entries: Vec<VsEntry>,
    exact: HashMap<String, Vec<usize>>,
    wildcard: Vec<usize>,
}

fn export_list(vs: &VirtualService, namespace: &str) -> Vec<String> {
    vs.export_to
        .iter()
        .map(|e| {
            if e.value == "." {
                namespace.to_string()
            } else {
                e.value.clone()
            }
        })
        .collect()
}

impl Table {
    /// `default_namespace`: the namespace of objects that name none.
    pub fn build<'a>(
        vss: impl IntoIterator<Item = &'a VirtualService>,
        default_namespace: &str,
    ) -> Table {
        let all: Vec<&VirtualService> = vss.into_iter().collect();
        let ns_of = |vs: &VirtualService| vs.meta.namespace_or(default_namespace).to_string();
        // Delegates are the VirtualServices without hosts.
        let mut delegates: HashMap<(String, String), &VirtualService> = HashMap::new();
        for vs in all.iter().filter(|v| v.hosts.is_empty()) {
            if let Some(name) = &vs.meta.name {
                delegates.entry((ns_of(vs), name.clone())).or_insert(vs);
            }
        }
        let mut entries: Vec<VsEntry> = all
            .iter()
            .filter(|v| !v.hosts.is_empty())
            .map(|vs| entry(vs, &ns_of(vs), &delegates))
            .collect();
        entries.sort_by(istio_order);
        let mut t = Table {
            entries,
            ..Table::default()
        };
        for (i, e) in t.entries.iter().enumerate() {
            for h in &e.hosts {
                if h.is_wildcard() {
                    if !t.wildcard.contains(&i) {
                        t.wildcard.push(i);
                    }
                } else {
                    let list = t.exact.entry(h.as_str().to_string()).or_default();
                    if !list.contains(&i) {
                        list.push(i);
                    }
                }
            }
        }
        t
    }

    /// Entries with a host that matches `host` (Istio Name.Matches), in order.
    pub fn for_host(&self, host: &Host) -> Vec<usize> {
        let mut out: Vec<usize> = if host.is_wildcard() {
            (0..self.entries.len())
                .filter(|i| self.entries[*i].hosts.iter().any(|h| h.matches(host)))
                .collect()
        } else {
            let mut v = self.exact.get(host.as_str()).cloned().unwrap_or_default();
            v.extend(
                self.wildcard
                    .iter()
                    .filter(|i| self.entries[**i].hosts.iter().any(|h| h.matches(host))),
            );
            v
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The entries bound to `gateway` (`mesh` for sidecars) as a proxy in
    /// `proxy_namespace` lists them: private, then exported, then public,
    /// each in Istio's order. `among`: restrict to these entries (sorted).
    pub fn for_proxy(&self, gateway: &str, proxy_namespace: &str, among: &[usize]) -> Vec<usize> {
        let bound = |i: &&usize| self.entries[**i].binds(gateway);
        let private = among.iter().filter(bound).filter(|i| {
            let e = &self.entries[**i];
            !e.is_public() && e.namespace == proxy_namespace && e.exported_to(&e.namespace)
        });
        let exported = among.iter().filter(bound).filter(|i| {
            let e = &self.entries[**i];
            !e.is_public() && e.namespace != proxy_namespace && e.exported_to(proxy_namespace)
        });
        let public = among
            .iter()
            .filter(bound)
            .filter(|i| self.entries[**i].is_public());
        private.chain(exported).chain(public).copied().collect()
    }
}

fn entry(
    vs: &VirtualService,
    namespace: &str,
    delegates: &HashMap<(String, String), &VirtualService>,
) -> VsEntry {
    let mut rules = Vec::new();
    let mut dropped = Vec::new();
    for (root, delegate) in super::compile::rules(vs, namespace) {
        let Some((dns, dname)) = delegate else {
            rules.push(root);
            continue;
        };
        let drop = |reason: String| Dropped {
            root_index: root.index,
            line: root.line,
            matches: root.matches.clone(),
            reason,
        };
        let Some(d) = delegates.get(&(dns.clone(), dname.clone())) else {
            dropped.push(drop(format!(
                "its delegate {dns}/{dname} is not in the inputs (or has hosts)"
            )));
            continue;
        };
        let dexport = export_list(d, &dns);
        let visible = dexport.is_empty() || dexport.iter().any(|e| e == "*" || e == namespace);
        if !visible || dexport.iter().any(|e| e == "~") {
            dropped.push(drop(format!(
                "its delegate {dns}/{dname} is not exported to {namespace}"
            )));
            continue;
        }
        let written = vs.http.iter().find(|h| h.index == root.index);
        let delegate_json = written
            .and_then(super::compile::delegate_json)
            .unwrap_or_default();
        let children: Vec<Rule> = super::compile::rules(d, &dns)
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        let (merged, conflicts) = merge_delegate(&root, &children);
        for (child_index, why) in conflicts {
            dropped.push(drop(format!(
                "rule {child_index} of its delegate {dns}/{dname} was dropped: {why}"
            )));
        }
        rules.extend(merged.into_iter().map(|mut r| {
            r.delegate_of = Some(DelegateOf {
                root_index: root.index,
                delegate: delegate_json.clone(),
                namespace: dns.clone(),
                name: dname.clone(),
            });
            r
        }));
    }
    VsEntry {
        namespace: namespace.to_string(),
        name: vs.meta.name.clone().unwrap_or_default(),
        file: vs.meta.file.to_string(),
        line: vs.meta.name_at.as_ref().map_or(1, |l| l.span.line),
        created: vs.meta.creation_timestamp.clone(),
        hosts: vs
            .hosts
            .iter()
            .map(|h| {
                Host::new(
                    Host::resolve(&h.value, namespace)
                        .as_str()
                        .to_ascii_lowercase(),
                )
            })
            .collect(),
        gateways: if vs.gateways.is_empty() {
            vec!["mesh".to_string()]
        } else {
            vs.gateways
                .iter()
                .map(|g| super::compile::resolve_gateway(&g.value, namespace))
                .collect()
        },
        export_to: export_list(vs, namespace),
        rules,
        dropped,
    }
}
