//! Cross-object rules about references between kinds: gateways, hosts,
//! services and duplicated definitions. Each fires only when the thing it
//! looks for is among the inputs (or `--context`), never on a partial set.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, ObjectRef, Target};
use crate::locate::locate;
use crate::objects::Object;
use crate::rules::cross::{fqdn, strings};
use crate::rules::{rule, Rule};
use crate::yaml::Span;

rule!(
    GATEWAY_NOT_FOUND,
    "IL5003",
    "gateway-not-found",
    Error,
    CrossObject,
    &["VirtualService"],
    "A VirtualService names a Gateway that is not among the inputs, while others are",
    "## What it checks
Each `gateways` entry (`namespace/name`, `name` in the VirtualService's namespace, or the
legacy `name.namespace`) against the Gateways among the inputs and `--context` files. Only
when at least one Gateway is known: with none, nothing can be said.

## Why it matters
Routes bound to a missing gateway are silently ignored: traffic through the ingress gets 404.
Istio IST0101, Kiali KIA1102.
",
    check: crate::rules::Check::Cross(check)
);

rule!(
    DUPLICATE_DESTINATION,
    "IL5006",
    "duplicate-route-destination",
    Warning,
    CrossObject,
    &["VirtualService"],
    "The same host and subset twice in one route",
    "## What it checks
A route whose destinations repeat a host and subset pair.

## Why it matters
The weights are added up by Envoy as two clusters of the same name; usually a copy-paste mistake
that was meant to be another subset. Kiali KIA1105.
",
    check: crate::rules::Check::SharedWith(&GATEWAY_NOT_FOUND)
);

rule!(
    HOST_NOT_IN_GATEWAY,
    "IL5007",
    "host-not-in-gateway",
    Warning,
    CrossObject,
    &["VirtualService"],
    "A Gateway named by a VirtualService serves none of its hosts",
    "## What it checks
For each Gateway among the inputs that a VirtualService names: at least one of the
VirtualService's hosts must match a host of one of the gateway's servers (`*`,
`*.example.com`; `namespace/host` entries only count for VirtualServices of that namespace,
`./host` for the gateway's own). As Istio's IST0132, a VirtualService bound to several gateways
may serve some hosts through one and others through another.

## Why it matters
The gateway drops requests for hosts it does not listen for: the binding is dead.
",
    check: crate::rules::Check::SharedWith(&GATEWAY_NOT_FOUND)
);

rule!(
    SUBSET_NO_PODS,
    "IL5009",
    "subset-selects-no-pods",
    Warning,
    CrossObject,
    &["DestinationRule"],
    "A subset whose labels select none of the service's workloads among the inputs",
    "## What it checks
When the Service of a DestinationRule's host and its workloads (Deployments, StatefulSets,
DaemonSets, ReplicaSets, Pods) are among the inputs: each subset's labels must match at least one
workload that the Service selects.

## Why it matters
A subset without endpoints turns every request routed to it into a 503 (`no healthy upstream`),
typically after a label was renamed (`version: v2` vs `version: 2`). Istio IST0173.
",
    check: crate::rules::Check::SharedWith(&GATEWAY_NOT_FOUND)
);

pub type Labels = Vec<(String, String)>;

#[derive(Clone, Debug, Default)]
pub struct RefFacts {
    /// Services with a selector: (namespace, name, selector).
    pub selectors: Vec<(String, String, Labels)>,
    /// Workload pod labels: (namespace, labels).
    pub workloads: Vec<(String, Labels)>,
    /// DestinationRule subsets: (host FQDN, labels, where).
    pub subsets: Vec<(String, Labels, Located)>,
    /// (namespace, name, server hosts)
    pub gateways: Vec<(String, String, Vec<String>)>,
    /// Service FQDNs and ServiceEntry hosts.
    /// Services and ServiceEntry hosts.
    pub services: Vec<ServiceFact>,
    /// How many Services and ServiceEntries were read: a host is only
    /// looked up where its kind of registry is known.
    pub k8s_services: usize,
    pub service_entries: usize,
    pub virtual_services: Vec<VsFact>,
}

#[derive(Clone, Debug)]
pub struct Located {
    pub file: Arc<str>,
    pub span: Span,
    pub pointer: String,
    /// Shared by every location of one object.
    pub object: Arc<ObjectRef>,
}

/// One object being indexed: what every location in it shares.
pub struct Site<'a> {
    pub obj: &'a Object,
    pub file: &'a Arc<str>,
    pub text: &'a str,
    pub object: Arc<ObjectRef>,
    /// The object's namespace; `default` when it names none, as kubectl applies it.
    pub ns: &'a str,
}

impl<'a> Site<'a> {
    pub fn new(obj: &'a Object, file: &'a Arc<str>, text: &'a str) -> Site<'a> {
        Site {
            obj,
            file,
            text,
            object: Arc::new(obj.object_ref()),
            ns: obj.ns(),
        }
    }

    /// The value at `pointer`.
    pub fn at(&self, pointer: String) -> Located {
        self.located(pointer, Target::Value)
    }

    /// The mapping key that leads to `pointer`.
    pub fn at_key(&self, pointer: String) -> Located {
        self.located(pointer, Target::Key)
    }

    fn located(&self, pointer: String, target: Target) -> Located {
        Located {
            file: self.file.clone(),
            span: locate(&self.obj.node, &pointer, target, self.text),
            pointer,
            object: self.object.clone(),
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
}

/// `.` is the object's own namespace.
fn export_scope(entries: Vec<String>, ns: &str) -> Vec<String> {
    entries
        .into_iter()
        .map(|e| if e == "." { ns.to_string() } else { e })
        .collect()
}

/// A route or mirror destination: host as FQDN and where it is; the port
/// number and where it is, if given.
#[derive(Clone, Debug)]
pub struct Dest {
    pub host: String,
    /// A `mirror`/`mirrors` destination rather than a route's.
    pub mirror: bool,
    /// The subset it names, and where that name is (boxed: small when absent).
    pub subset: Option<Box<(String, Located)>>,
    pub port: Option<Box<(u64, Located)>>,
    pub at: Located,
}

#[derive(Clone, Debug)]
pub struct VsFact {
    pub object: Arc<ObjectRef>,
    pub namespace: String,
    pub hosts: Vec<(String, Located)>,
    /// The hosts as FQDNs, in the same order.
    pub keys: Vec<String>,
    pub export_to: Vec<String>,
    /// Read from a `--context` file: used, never reported on.
    pub context: bool,
    /// Gateway references, resolved to `namespace/name` (mesh excluded).
    pub gateways: Vec<(String, Located)>,
    pub mesh: bool,
    /// Some HTTP route matches every request (see `cross_vs::http_catch_all`).
    pub catch_all: bool,
    pub destinations: Vec<Dest>,
    pub duplicates: Vec<(String, Located)>,
}

impl RefFacts {
    pub fn merge(&mut self, o: RefFacts) {
        self.gateways.extend(o.gateways);
        self.services.extend(o.services);
        self.k8s_services += o.k8s_services;
        self.service_entries += o.service_entries;
        self.virtual_services.extend(o.virtual_services);
        self.selectors.extend(o.selectors);
        self.workloads.extend(o.workloads);
        self.subsets.extend(o.subsets);
    }
}

pub fn collect(site: &Site, facts: &mut RefFacts) {
    let obj = site.obj;
    let ns = site.ns.to_string();
    let spec = &obj.json["spec"];
    let at = |pointer: String| site.at(pointer);
    let strs = strings;
    match (obj.group.as_str(), obj.kind.as_str()) {
        ("networking.istio.io", "Gateway") => {
            let hosts = spec["servers"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|s| strs(&s["hosts"]))
                .collect();
            if let Some(name) = &obj.name {
                facts.gateways.push((ns, name.clone(), hosts));
            }
        }
        ("networking.istio.io", "ServiceEntry") => {
            facts.service_entries += 1;
            let ports = numbers(&spec["ports"], "number");
            for h in strs(&spec["hosts"]) {
                facts.services.push(ServiceFact {
                    host: fqdn(&h, &ns),
                    export_to: export_scope(strs(&spec["exportTo"]), &ns),
                    ports: ports.clone(),
                });
            }
        }
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => {
            facts
                .workloads
                .push((ns, labels(&spec["template"]["metadata"]["labels"])));
        }
        ("", "Pod") => {
            facts
                .workloads
                .push((ns, labels(&obj.json["metadata"]["labels"])));
        }
        ("", "Service") => {
            facts.k8s_services += 1;
            if let (Some(name), Some(_)) = (&obj.name, spec["selector"].as_object()) {
                facts
                    .selectors
                    .push((ns.clone(), name.clone(), labels(&spec["selector"])));
            }
            if let Some(name) = &obj.name {
                let annotation = obj.json["metadata"]["annotations"]
                    ["networking.istio.io/exportTo"]
                    .as_str()
                    .unwrap_or("");
                let export_to = annotation
                    .split(',')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_string)
                    .collect();
                facts.services.push(ServiceFact {
                    host: format!("{name}.{ns}.svc.cluster.local"),
                    export_to: export_scope(export_to, &ns),
                    ports: numbers(&spec["ports"], "port"),
                });
            }
        }
        ("networking.istio.io", "DestinationRule") => {
            if let Some(h) = spec["host"].as_str() {
                for (i, s) in spec["subsets"].as_array().into_iter().flatten().enumerate() {
                    let l = labels(&s["labels"]);
                    if !l.is_empty() {
                        facts.subsets.push((
                            fqdn(h, &ns),
                            l,
                            at(format!("/spec/subsets/{i}/labels")),
                        ));
                    }
                }
            }
        }
        ("networking.istio.io", "VirtualService") => {
            let hosts: Vec<(String, Located)> = strs(&spec["hosts"])
                .into_iter()
                .enumerate()
                .map(|(i, h)| (h, at(format!("/spec/hosts/{i}"))))
                .collect();
            let names = strs(&spec["gateways"]);
            let mesh = names.is_empty() || names.iter().any(|g| g == "mesh");
            let mut gateways: Vec<(String, Located)> = names
                .iter()
                .enumerate()
                .filter(|(_, g)| *g != "mesh")
                .map(|(i, g)| (gateway_key(g, &ns), at(format!("/spec/gateways/{i}"))))
                .collect();
            // Gateways named in matches must exist too (Kiali KIA1102).
            for section in ["http", "tcp", "tls"] {
                for (i, r) in spec[section].as_array().into_iter().flatten().enumerate() {
                    for (j, m) in r["match"].as_array().into_iter().flatten().enumerate() {
                        for (k, g) in strs(&m["gateways"])
                            .iter()
                            .enumerate()
                            .filter(|(_, g)| *g != "mesh")
                        {
                            let pointer = format!("/spec/{section}/{i}/match/{j}/gateways/{k}");
                            gateways.push((gateway_key(g, &ns), at(pointer)));
                        }
                    }
                }
            }
            let mut destinations = Vec::new();
            let mut duplicates = Vec::new();
            for section in ["http", "tcp", "tls"] {
                for (i, r) in spec[section].as_array().into_iter().flatten().enumerate() {
                    let mut seen: Vec<(String, String)> = Vec::new();
                    for (j, d) in r["route"].as_array().into_iter().flatten().enumerate() {
                        let Some(h) = d["destination"]["host"].as_str() else {
                            continue;
                        };
                        let pointer = format!("/spec/{section}/{i}/route/{j}/destination/host");
                        let pair = (
                            fqdn(h, &ns),
                            d["destination"]["subset"]
                                .as_str()
                                .unwrap_or("")
                                .to_string(),
                        );
                        if seen.contains(&pair) {
                            duplicates.push((
                                format!(
                                    "{h}{}",
                                    if pair.1.is_empty() {
                                        String::new()
                                    } else {
                                        format!(" subset {}", pair.1)
                                    }
                                ),
                                at(pointer.clone()),
                            ));
                        }
                        let base = format!("/spec/{section}/{i}/route/{j}/destination");
                        let subset = subset_at(&d["destination"], &base, &at);
                        seen.push(pair);
                        destinations.push(Dest {
                            host: fqdn(h, &ns),
                            mirror: false,
                            subset,
                            port: d["destination"]["port"]["number"].as_u64().map(|n| {
                                let p = format!(
                                    "/spec/{section}/{i}/route/{j}/destination/port/number"
                                );
                                Box::new((n, at(p)))
                            }),
                            at: at(pointer),
                        });
                    }
                }
            }
            for (i, r) in spec["http"].as_array().into_iter().flatten().enumerate() {
                let single = r["mirror"]["host"]
                    .as_str()
                    .map(|h| (h, &r["mirror"], format!("/spec/http/{i}/mirror")));
                let many = r["mirrors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .filter_map(|(k, m)| {
                        let h = m["destination"]["host"].as_str()?;
                        let base = format!("/spec/http/{i}/mirrors/{k}/destination");
                        Some((h, &m["destination"], base))
                    });
                for (h, dest, base) in single.into_iter().chain(many) {
                    destinations.push(Dest {
                        host: fqdn(h, &ns),
                        mirror: true,
                        subset: subset_at(dest, &base, &at),
                        port: None,
                        at: at(format!("{base}/host")),
                    });
                }
            }
            facts.virtual_services.push(VsFact {
                object: site.object.clone(),
                keys: hosts.iter().map(|(h, _)| fqdn(h, &ns)).collect(),
                export_to: strs(&spec["exportTo"]),
                context: false,
                namespace: ns,
                hosts,
                gateways,
                mesh,
                catch_all: crate::rules::cross_vs::http_catch_all(spec),
                destinations,
                duplicates,
            });
        }
        _ => {}
    }
}

/// A destination's `subset` and where it is.
fn subset_at(
    dest: &serde_json::Value,
    base: &str,
    at: &dyn Fn(String) -> Located,
) -> Option<Box<(String, Located)>> {
    let name = dest["subset"].as_str()?;
    Some(Box::new((name.to_string(), at(format!("{base}/subset")))))
}

/// `ports[].<field>` as numbers.
fn numbers(ports: &serde_json::Value, field: &str) -> Vec<u64> {
    ports
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p[field].as_u64())
        .collect()
}

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

pub fn selects(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|kv| labels.contains(kv))
}

/// `ns/name`, `name` (in the VirtualService's namespace) or legacy `name.ns[.svc...]`.
pub fn gateway_key(g: &str, ns: &str) -> String {
    match g.split_once('/') {
        Some((n, name)) => format!("{n}/{name}"),
        None => match g.split_once('.') {
            Some((name, rest)) => format!("{}/{name}", rest.split('.').next().unwrap_or(ns)),
            None => format!("{ns}/{g}"),
        },
    }
}

/// A finding at `at`; an empty `help` keeps the rule's default help.
pub fn diag(rule: &'static Rule, at: &Located, message: String, help: &str) -> Diagnostic {
    let mut d = Diagnostic::new(rule, at.file.clone(), message).at(at.span);
    if !help.is_empty() {
        d = d.help(help);
    }
    d.pointer = Some(at.pointer.clone());
    d.object = Some(ObjectRef::clone(&at.object));
    d
}

/// A gateway's server hosts that apply to VirtualServices of `vs_ns`:
/// `ns/host` only for that namespace (`.` is the gateway's, `*` any).
fn servers_for<'a>(servers: &'a [String], gateway_ns: &str, vs_ns: &str) -> Vec<&'a str> {
    servers
        .iter()
        .filter_map(|s| match s.split_once('/') {
            None => Some(s.as_str()),
            Some((ns, host)) => {
                let ns = if ns == "." { gateway_ns } else { ns };
                (ns == "*" || ns == vs_ns).then_some(host)
            }
        })
        .collect()
}

pub fn check(facts: &crate::rules::cross::Facts) -> Vec<Diagnostic> {
    let f = &facts.refs;
    let mut out = Vec::new();
    let gateways: HashMap<String, &Vec<String>> = f
        .gateways
        .iter()
        .map(|(ns, n, h)| (format!("{ns}/{n}"), h))
        .collect();
    for vs in f.virtual_services.iter().filter(|vs| !vs.context) {
        for (key, at) in &vs.gateways {
            match gateways.get(key) {
                None if !gateways.is_empty() => out.push(diag(
                    &GATEWAY_NOT_FOUND,
                    at,
                    format!("gateway `{key}` is not among the inputs (known: {})", {
                        let mut k: Vec<&String> = gateways.keys().collect();
                        k.sort();
                        k.iter().take(5).map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                    }),
                    "check the gateway's name and namespace (`namespace/name`), or add it to the files checked",
                )),
                Some(_) if !at.pointer.starts_with("/spec/gateways/") => {}
                Some(servers) => {
                    let gateway_ns = key.split_once('/').map_or("", |(ns, _)| ns);
                    let usable = servers_for(servers, gateway_ns, &vs.namespace);
                    let served = vs.hosts.iter().any(|(h, _)| {
                        usable.iter().any(|p| {
                            // A server host may carry a `namespace/` prefix.
                            let p = p.split_once('/').map_or(&**p, |(_, host)| host);
                            crate::model::host::overlap(p, h)
                        })
                    });
                    if !served && !vs.hosts.is_empty() {
                        let hosts: Vec<String> = vs.hosts.iter().map(|(h, _)| format!("`{h}`")).collect();
                        let serves = match servers.is_empty() {
                            true => "it has no server hosts".to_string(),
                            false => format!("it serves {}", servers.join(", ")),
                        };
                        out.push(diag(
                            &HOST_NOT_IN_GATEWAY,
                            at,
                            format!("gateway `{key}` serves none of this VirtualService's hosts {} ({serves})", hosts.join(", ")),
                            "add the hosts to one of the gateway's servers, or bind the VirtualService to the gateway that serves them",
                        ));
                    }
                }
                None => {}
            }
        }
        for (what, at) in &vs.duplicates {
            out.push(diag(
                &DUPLICATE_DESTINATION,
                at,
                format!("destination {what} appears twice in this route"),
                "route to another subset, or merge the two entries' weights",
            ));
        }
    }
    // Indexed once: Services by FQDN, workloads by namespace.
    let mut selectors: HashMap<String, (&str, &Labels)> = HashMap::new();
    for (ns, name, selector) in &f.selectors {
        let fqdn = format!("{name}.{ns}.svc.cluster.local");
        selectors.entry(fqdn).or_insert((ns.as_str(), selector));
    }
    let mut workloads: HashMap<&str, Vec<&Labels>> = HashMap::new();
    for (ns, labels) in &f.workloads {
        workloads.entry(ns.as_str()).or_default().push(labels);
    }
    for (host, subset_labels, at) in &f.subsets {
        let Some(&(ns, selector)) = selectors.get(host.as_str()) else {
            continue;
        };
        let pods: Vec<&Labels> = workloads
            .get(ns)
            .into_iter()
            .flatten()
            .copied()
            .filter(|l| selects(selector, l))
            .collect();
        if !pods.is_empty() && !pods.iter().any(|l| selects(subset_labels, l)) {
            let want = subset_labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            out.push(diag(
                &SUBSET_NO_PODS,
                at,
                format!(
                    "labels {want} select none of the {} workload(s) of `{host}` among the inputs",
                    pods.len()
                ),
                "check the labels against the workloads' pod template labels",
            ));
        }
    }
    out
}
