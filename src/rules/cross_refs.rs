//! The index the reference rules read (gateways, hosts, services,
//! workloads, Nodes), collected from the typed model: every location comes
//! from a model value, no pointer is built here. The rules themselves are in
//! cross_gateways, cross_pods, cross_registry and cross_subset_labels.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, ObjectRef, Target};
use crate::locate::locate;
use crate::model::{self, Model};
use crate::objects::Object;
use crate::rules::cross::fqdn;
use crate::rules::Rule;
use crate::yaml::Span;

pub type Labels = Vec<(String, String)>;
/// A subset's labels, shared like hosts (`version: v1` recurs everywhere).
pub type SubsetLabels = Vec<(Arc<str>, Arc<str>)>;

#[derive(Clone, Debug, Default)]
pub struct RefFacts {
    /// Services with a selector: (namespace, name, selector).
    pub selectors: Vec<(String, String, Labels)>,
    pub workloads: Vec<WorkloadFact>,
    /// Kubernetes Nodes: (name, labels).
    pub nodes: Vec<(String, Labels)>,
    /// DestinationRule subsets with labels: (host FQDN, labels, where the labels are).
    pub subsets: Vec<(Arc<str>, SubsetLabels, Located)>,
    /// DestinationRule subsets without labels nor a traffic policy of their own.
    pub unlabelled: Vec<UnlabelledSubset>,
    /// Istio Gateways.
    pub gateways: Vec<GatewayFact>,
    /// Kubernetes Gateway API Gateways.
    pub k8s_gateways: Vec<K8sGatewayFact>,
    /// Services and ServiceEntry hosts.
    pub services: Vec<ServiceFact>,
    /// How many Services and ServiceEntries were read: a host is only
    /// looked up where its kind of registry is known.
    pub k8s_services: usize,
    pub service_entries: usize,
    pub virtual_services: Vec<VsFact>,
}

/// The pods of a Pod or of a controller's template.
#[derive(Clone, Debug)]
pub struct WorkloadFact {
    pub namespace: String,
    pub labels: Labels,
    /// A Pod's `spec.nodeName`.
    pub node: Option<String>,
}

#[derive(Clone, Debug)]
pub struct GatewayFact {
    pub namespace: String,
    pub name: String,
    /// Every server's hosts, as written.
    pub hosts: Vec<String>,
    pub selector: Labels,
}

#[derive(Clone, Debug)]
pub struct K8sGatewayFact {
    pub namespace: String,
    pub name: String,
    pub class_name: Option<String>,
    /// One entry per listener: its `hostname`, `None` for all hosts.
    pub hostnames: Vec<Option<String>>,
}

#[derive(Clone, Debug)]
pub struct UnlabelledSubset {
    /// The DestinationRule's host as FQDN.
    pub host: String,
    pub name: String,
    /// Where the subset is.
    pub at: Located,
    /// Read from a `--context` file: used, never reported on.
    pub context: bool,
}

/// Where a fact is, compact: the index keeps one per host, destination and
/// subset of every object, so a location is an owner shared by the object's
/// locations, 32-bit positions and its JSON pointer as the number of a text
/// shared by the whole run (no allocation per location nor per object).
#[derive(Clone, Debug)]
pub struct Located {
    owner: Arc<Owner>,
    start: u32,
    end: u32,
    line: u32,
    col: u32,
    end_line: u32,
    end_col: u32,
    /// The JSON pointer's number (`cross::pointers`).
    pointer: u32,
}

/// What every location of one object shares.
#[derive(Debug)]
pub struct Owner {
    file: Arc<str>,
    object: Arc<ObjectRef>,
}

impl Located {
    pub fn file(&self) -> &Arc<str> {
        &self.owner.file
    }

    pub fn object(&self) -> &Arc<ObjectRef> {
        &self.owner.object
    }

    pub fn span(&self) -> Span {
        Span {
            start: self.start as usize,
            end: self.end as usize,
            line: self.line,
            col: self.col,
            end_line: self.end_line,
            end_col: self.end_col,
        }
    }

    /// The JSON pointer inside the object.
    pub fn pointer(&self) -> String {
        crate::rules::cross::pointers::text(self.pointer).to_string()
    }

    /// Whether both locations are in the same object.
    pub fn same_object(&self, other: &Located) -> bool {
        Arc::ptr_eq(&self.owner, &other.owner)
    }
}

/// One object being indexed: what every location in it shares.
pub struct Site<'a> {
    pub obj: &'a Object,
    pub file: &'a Arc<str>,
    pub text: &'a str,
    owner: Arc<Owner>,
    /// The object's namespace; `default` when it names none, as kubectl applies it.
    pub ns: &'a str,
    /// The object's typed model, when the model covers its kind.
    pub model: Option<&'a crate::model::Model>,
}

impl<'a> Site<'a> {
    pub fn new(
        obj: &'a Object,
        object: Arc<ObjectRef>,
        file: &'a Arc<str>,
        text: &'a str,
        model: Option<&'a crate::model::Model>,
    ) -> Site<'a> {
        Site {
            model,
            obj,
            file,
            text,
            owner: Arc::new(Owner {
                file: file.clone(),
                object,
            }),
            ns: obj.ns(),
        }
    }

    /// The value at `pointer`.
    pub fn at(&self, pointer: String) -> Located {
        self.located(&pointer, Target::Value)
    }

    /// The mapping key that leads to `pointer`.
    pub fn at_key(&self, pointer: String) -> Located {
        self.located(&pointer, Target::Key)
    }

    /// The value a model location names (multi-line values cut to their
    /// first line, as every finding's span).
    pub fn at_loc(&self, loc: &model::Loc) -> Located {
        // A model location holds its value's span: no pointer lookup (a
        // located mapping key, whose span is the key's, is looked up).
        if loc.key == Some(loc.span) {
            return self.located(&loc.pointer, Target::Value);
        }
        let span = crate::locate::value_span(loc.span, self.text);
        debug_assert_eq!(
            span,
            locate(&self.obj.node, &loc.pointer, Target::Value, self.text),
            "{}",
            loc.pointer
        );
        self.compact(span, &loc.pointer)
    }

    fn located(&self, pointer: &str, target: Target) -> Located {
        let span = locate(&self.obj.node, pointer, target, self.text);
        self.compact(span, pointer)
    }

    fn compact(&self, span: Span, pointer: &str) -> Located {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Located {
            owner: self.owner.clone(),
            start: narrow(span.start),
            end: narrow(span.end),
            line: span.line,
            col: span.col,
            end_line: span.end_line,
            end_col: span.end_col,
            pointer: crate::rules::cross::pointers::intern(pointer),
        }
    }
}

/// A Service (`networking.istio.io/exportTo` annotation) or ServiceEntry host.
#[derive(Clone, Debug)]
pub struct ServiceFact {
    pub host: String,
    /// Namespaces it is visible in (`.` resolved); empty or `*`: all.
    pub export_to: Vec<String>,
    pub ports: Vec<u64>,
    /// Defined by a ServiceEntry (rather than a Kubernetes Service).
    pub entry: bool,
}

/// `.` is the object's own namespace.
fn export_scope<'s>(entries: impl Iterator<Item = &'s str>, ns: &str) -> Vec<String> {
    entries
        .map(|e| if e == "." { ns } else { e })
        .map(str::to_string)
        .collect()
}

/// A route or mirror destination: host as FQDN and where it is; the port
/// number and where it is, if given.
#[derive(Clone, Debug)]
pub struct Dest {
    pub host: Arc<str>,
    /// A `mirror`/`mirrors` destination rather than a route's.
    pub mirror: bool,
    /// Under `http` (a route or a mirror), not `tcp` or `tls`.
    pub http: bool,
    /// The subset it names, and where that name is (boxed: small when absent).
    pub subset: Option<Box<(Arc<str>, Located)>>,
    pub port: Option<Box<(u64, Located)>>,
    pub at: Located,
}

#[derive(Clone, Debug)]
pub struct VsFact {
    pub object: Arc<ObjectRef>,
    pub namespace: Arc<str>,
    pub hosts: Box<[(String, Located)]>,
    /// The hosts as FQDNs, in the same order.
    pub keys: Box<[Arc<str>]>,
    pub export_to: Box<[String]>,
    /// Read from a `--context` file: used, never reported on.
    pub context: bool,
    /// Gateway references, resolved to `namespace/name` (mesh excluded):
    /// the VirtualService's own binding first, then those named in matches.
    pub gateways: Box<[(String, Located)]>,
    /// How many of `gateways` are the VirtualService's own binding.
    pub own_gateways: u32,
    pub mesh: bool,
    /// Some HTTP route matches every request (see `cross_vs::http_catch_all`).
    pub catch_all: bool,
    pub destinations: Box<[Dest]>,
    pub duplicates: Box<[(String, Located)]>,
    /// Has HTTP or TLS routes for the mesh (IL5015/IL5016, `cross_ambient`).
    pub l7: bool,
}

impl RefFacts {
    pub fn merge(&mut self, o: RefFacts) {
        self.gateways.extend(o.gateways);
        self.k8s_gateways.extend(o.k8s_gateways);
        self.services.extend(o.services);
        self.k8s_services += o.k8s_services;
        self.service_entries += o.service_entries;
        self.virtual_services.extend(o.virtual_services);
        self.selectors.extend(o.selectors);
        self.workloads.extend(o.workloads);
        self.nodes.extend(o.nodes);
        self.subsets.extend(o.subsets);
        self.unlabelled.extend(o.unlabelled);
    }
}

fn values(items: &[model::Located<String>]) -> impl Iterator<Item = &str> {
    items.iter().map(|i| i.value.as_str())
}

pub fn collect(site: &Site, model: &Model, facts: &mut RefFacts) {
    let ns = site.ns.to_string();
    match model {
        Model::Gateway(g) => {
            if let Some(name) = &g.meta.name {
                facts.gateways.push(GatewayFact {
                    namespace: ns,
                    name: name.clone(),
                    hosts: g
                        .servers
                        .iter()
                        .flat_map(|s| values(&s.hosts).map(str::to_string))
                        .collect(),
                    selector: g.selector.clone(),
                });
            }
        }
        Model::K8sGateway(g) => {
            if let Some(name) = &g.meta.name {
                facts.k8s_gateways.push(K8sGatewayFact {
                    namespace: ns,
                    name: name.clone(),
                    class_name: g.class_name.clone(),
                    hostnames: g
                        .listeners
                        .iter()
                        .map(|l| l.hostname.as_ref().map(|h| h.value.clone()))
                        .collect(),
                });
            }
        }
        Model::ServiceEntry(se) => {
            facts.service_entries += 1;
            let ports: Vec<u64> = se
                .ports
                .iter()
                .filter_map(|p| p.number)
                .map(u64::from)
                .collect();
            for h in values(&se.hosts) {
                facts.services.push(ServiceFact {
                    host: fqdn(h, &ns),
                    export_to: export_scope(values(&se.export_to), &ns),
                    ports: ports.clone(),
                    entry: true,
                });
            }
        }
        Model::Workload(w) => facts.workloads.push(WorkloadFact {
            namespace: ns,
            labels: w.pod_labels.clone(),
            node: w.node_name.clone(),
        }),
        Model::Node(n) => {
            if let Some(name) = &n.meta.name {
                facts.nodes.push((name.clone(), n.meta.labels.clone()));
            }
        }
        Model::Service(s) => {
            facts.k8s_services += 1;
            let Some(name) = &s.meta.name else { return };
            if let Some(selector) = &s.selector {
                facts
                    .selectors
                    .push((ns.clone(), name.clone(), selector.clone()));
            }
            facts.services.push(ServiceFact {
                host: format!("{name}.{ns}.svc.cluster.local"),
                export_to: export_scope(s.export_to.iter().map(String::as_str), &ns),
                ports: s
                    .ports
                    .iter()
                    .filter_map(|p| p.number)
                    .map(u64::from)
                    .collect(),
                entry: false,
            });
        }
        Model::DestinationRule(dr) => destination_rule(site, dr, facts),
        Model::VirtualService(vs) => virtual_service(site, vs, facts),
        _ => {}
    }
}

fn destination_rule(site: &Site, dr: &model::DestinationRule, facts: &mut RefFacts) {
    let Some(host) = &dr.host else { return };
    let host = fqdn(host, site.ns);
    for s in &dr.subsets {
        match &s.labels_at {
            Some(labels_at) if !s.labels.is_empty() => {
                let labels = s
                    .labels
                    .iter()
                    .map(|(k, v)| (k.value.as_str().into(), v.value.as_str().into()))
                    .collect();
                facts
                    .subsets
                    .push((Arc::from(host.as_str()), labels, site.at_loc(labels_at)));
            }
            // Labels of the wrong type are the schema's finding, not a missing label.
            Some(labels_at) if !empty_mapping(site, labels_at) => {}
            // A label-less subset with its own trafficPolicy is deliberate.
            _ if s.traffic_policy.is_none() => facts.unlabelled.push(UnlabelledSubset {
                host: host.clone(),
                name: s
                    .name
                    .as_ref()
                    .map_or_else(String::new, |n| n.value.clone()),
                at: site.at_loc(&s.at),
                context: false,
            }),
            _ => {}
        }
    }
}

/// Whether the mapping a model location names has no entries.
fn empty_mapping(site: &Site, at: &model::Loc) -> bool {
    site.obj
        .node
        .lookup(&at.pointer)
        .and_then(|(node, _)| node.as_map())
        .is_none_or(|entries| entries.is_empty())
}

fn virtual_service(site: &Site, vs: &model::VirtualService, facts: &mut RefFacts) {
    let ns = site.ns;
    let hosts: Box<[(String, Located)]> = vs
        .hosts
        .iter()
        .map(|h| (h.value.clone(), site.at_loc(&h.at)))
        .collect();
    let mesh = vs.gateways.is_empty() || vs.gateways.iter().any(|g| g.value == "mesh");
    // Gateways named in matches must exist too (Kiali KIA1102).
    let in_matches = vs
        .http
        .iter()
        .flat_map(|r| r.matches.iter().flat_map(|m| &m.gateways))
        .chain(
            vs.tcp
                .iter()
                .flat_map(|r| r.matches.iter().flat_map(|m| &m.gateways)),
        )
        .chain(
            vs.tls
                .iter()
                .flat_map(|r| r.matches.iter().flat_map(|m| &m.l4.gateways)),
        );
    let own_gateways = vs.gateways.iter().filter(|g| g.value != "mesh").count();
    let own_gateways = u32::try_from(own_gateways).unwrap_or(u32::MAX);
    let gateways = vs
        .gateways
        .iter()
        .chain(in_matches)
        .filter(|g| g.value != "mesh")
        .map(|g| (gateway_key(g, ns), site.at_loc(&g.at)))
        .collect();
    let mut destinations = Vec::new();
    let mut duplicates = Vec::new();
    let routes = vs
        .http
        .iter()
        .map(|r| (&r.route, true))
        .chain(vs.tcp.iter().map(|r| (&r.route, false)))
        .chain(vs.tls.iter().map(|r| (&r.route, false)));
    for (route, http) in routes {
        let mut seen: Vec<(String, &str)> = Vec::new();
        for d in route.iter().map(|r| &r.destination) {
            let host = &d.host.value;
            let pair = (
                fqdn(host, ns),
                d.subset.as_ref().map_or("", |s| s.value.as_str()),
            );
            if seen.contains(&pair) {
                let what = match pair.1 {
                    "" => host.clone(),
                    subset => format!("{host} subset {subset}"),
                };
                duplicates.push((what, site.at_loc(&d.host.at)));
            }
            seen.push(pair);
            destinations.push(dest(site, d, false, http));
        }
    }
    for r in &vs.http {
        let mirrors = r.mirrors.iter().map(|m| &m.destination);
        for d in r.mirror.iter().chain(mirrors) {
            destinations.push(dest(site, d, true, true));
        }
    }
    facts.virtual_services.push(VsFact {
        object: site.owner.object.clone(),
        keys: hosts.iter().map(|(h, _)| fqdn(h, ns).into()).collect(),
        export_to: values(&vs.export_to).map(str::to_string).collect(),
        context: false,
        namespace: ns.into(),
        hosts,
        gateways,
        own_gateways,
        mesh,
        catch_all: crate::rules::cross_vs::http_catch_all(&site.obj.json["spec"]),
        destinations: destinations.into(),
        duplicates: duplicates.into(),
        l7: crate::rules::cross_ambient::l7_virtual_service(&site.obj.json["spec"]),
    });
}

fn dest(site: &Site, d: &model::Destination, mirror: bool, http: bool) -> Dest {
    let subset = d.subset.as_ref();
    Dest {
        host: fqdn(&d.host, site.ns).into(),
        mirror,
        http,
        subset: subset.map(|s| Box::new((s.value.as_str().into(), site.at_loc(&s.at)))),
        // A mirror's port is not checked against the service.
        port: d
            .port
            .as_ref()
            .filter(|_| !mirror)
            .map(|p| Box::new((u64::from(p.value), site.at_loc(&p.at)))),
        at: site.at_loc(&d.host.at),
    }
}

pub fn selects(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|kv| labels.contains(kv))
}

/// Istio's resolveGatewayName: `ns/name` (`./name` in the VirtualService's
/// namespace), `name` in the VirtualService's namespace, or the legacy
/// `name.ns[.svc...]`.
pub fn gateway_key(g: &str, ns: &str) -> String {
    match g.split_once('/') {
        Some((".", name)) => format!("{ns}/{name}"),
        Some((n, name)) => format!("{n}/{name}"),
        None => match g.split_once('.') {
            Some((name, rest)) => format!("{}/{name}", rest.split('.').next().unwrap_or(ns)),
            None => format!("{ns}/{g}"),
        },
    }
}

/// A finding at `at`; an empty `help` keeps the rule's default help.
pub fn diag(rule: &'static Rule, at: &Located, message: String, help: &str) -> Diagnostic {
    let mut d = Diagnostic::new(rule, at.file().clone(), message).at(at.span());
    if !help.is_empty() {
        d = d.help(help);
    }
    d.pointer = Some(at.pointer());
    d.object = Some(ObjectRef::clone(at.object()));
    d
}

/// A JSON mapping as string pairs (non-string values as JSON text).
pub fn labels(v: &serde_json::Value) -> Labels {
    v.as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            )
        })
        .collect()
}
