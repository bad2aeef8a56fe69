//! Destinations against the service registry among the inputs: Services
//! and ServiceEntries, with their exportTo (Istio IST0101, IST0112, IST0174;
//! Kiali KIA1101, KIA0202). Cluster hosts are only looked up when Services
//! are among the inputs, other hosts when ServiceEntries are.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::model::host::covers;
use crate::rules::cross_refs::{diag, Dest, RefFacts, ServiceFact};
use crate::rules::{rule, validators};

rule!(
    HOST_NOT_FOUND,
    "IL5008",
    "destination-host-not-found",
    Warning,
    CrossObject,
    &["VirtualService", "DestinationRule"],
    "A destination or DestinationRule host that no Service or ServiceEntry among the inputs defines",
    "## What it checks
When Services or ServiceEntries are among the inputs (or `--context-files`), each route and
mirror destination host and each DestinationRule host must be a Service (`name`, `name.namespace`,
FQDN) or a ServiceEntry host (wildcards included) that is visible where the object applies:
a ServiceEntry's `exportTo`, a Service's `networking.istio.io/exportTo` annotation, and the
object's own `exportTo`. A warning, because the service may live outside the files checked.
Cluster hosts (`*.svc.cluster.local`) are looked up only when Services are among the inputs,
other hosts only when ServiceEntries are; with `--closed-world` every host is.

## Why it matters
A route to an unknown host returns 503; a DestinationRule for one applies to nothing. Istio
IST0101 and IST0174, Kiali KIA1101 and KIA0202.
",
    help: "check the host name; if the service is defined elsewhere, add it with --context",
    check: crate::rules::Check::Cross(check)
);

rule!(
    DESTINATION_PORT,
    "IL5013",
    "destination-port-mismatch",
    Warning,
    CrossObject,
    &["VirtualService"],
    "A destination without a port on a multi-port service, or with a port the service lacks",
    "## What it checks
When the Service or ServiceEntry a route destination names is among the inputs (or
`--context`): a destination without `port` on a service that exposes several ports, and a
`port.number` that is not one of the service's ports. Istio IST0112 and IST0101.

## Why it matters
With several ports, the route applies to every one of them, which is rarely meant (gRPC and
metrics on the same route). A port the service does not expose matches no cluster: requests
fail with 503 (`NR`).

## Example
```yaml
# Service reviews: ports 9080 (http) and 9090 (metrics)
route:
- destination: {host: reviews, port: {number: 9080}}
```
",
    check: crate::rules::Check::SharedWith(&HOST_NOT_FOUND)
);

/// Services and ServiceEntry hosts, by exact host; wildcard hosts scanned.
struct Registry<'a> {
    exact: HashMap<&'a str, Vec<&'a ServiceFact>>,
    wildcards: Vec<&'a ServiceFact>,
    k8s: bool,
    entries: bool,
    /// `--closed-world`: every host is looked up.
    closed_world: bool,
}

impl<'a> Registry<'a> {
    fn new(f: &'a RefFacts, closed_world: bool) -> Registry<'a> {
        let mut exact: HashMap<&str, Vec<&ServiceFact>> = HashMap::new();
        let mut wildcards = Vec::new();
        for s in &f.services {
            if s.host.starts_with('*') {
                wildcards.push(s);
            }
            exact.entry(s.host.as_str()).or_default().push(s);
        }
        Registry {
            exact,
            wildcards,
            k8s: f.k8s_services > 0,
            entries: f.service_entries > 0,
            closed_world,
        }
    }

    /// Whether the kind of registry that would define `host` is among the inputs.
    fn knows(&self, host: &str) -> bool {
        if self.closed_world {
            return true;
        }
        match host.ends_with(".svc.cluster.local") {
            true => self.k8s,
            false => self.entries,
        }
    }

    /// The services defining `host` that an object of `ns` exported to
    /// `export_to` sees (Istio's GetDestinationHost), or why there are none.
    fn lookup(
        &self,
        host: &str,
        ns: &str,
        export_to: &[String],
    ) -> Result<Vec<&'a ServiceFact>, Missing> {
        let scopes: Vec<&str> = match export_to.is_empty() {
            true => vec![ns],
            false => export_to
                .iter()
                .map(|e| if e == "." { ns } else { e.as_str() })
                .collect(),
        };
        let visible = |s: &ServiceFact| {
            s.export_to.is_empty()
                || s.export_to
                    .iter()
                    .any(|e| e == "*" || scopes.contains(&e.as_str()))
        };
        let defining: Vec<&ServiceFact> = self
            .exact
            .get(host)
            .into_iter()
            .flatten()
            .copied()
            .chain(
                self.wildcards
                    .iter()
                    .copied()
                    .filter(|s| covers(&s.host, host)),
            )
            .collect();
        // Hidden by exportTo counts only for the host itself, not for a
        // wildcard ServiceEntry that happens to cover it.
        let exact = defining.iter().any(|s| s.host == host);
        let seen: Vec<&ServiceFact> = defining.into_iter().filter(|s| visible(s)).collect();
        match (seen.is_empty(), exact) {
            (false, _) => Ok(seen),
            (true, true) => Err(Missing::NotExported(scopes.join(", "))),
            (true, false) => Err(Missing::Undefined),
        }
    }
}

/// Why a host is not found.
enum Missing {
    Undefined,
    /// Defined, but not exported to these namespaces.
    NotExported(String),
}

impl Missing {
    fn help(&self) -> &'static str {
        match self {
            Missing::Undefined => "",
            Missing::NotExported(_) => "export it there (ServiceEntry `exportTo`, Service annotation `networking.istio.io/exportTo`), or use the object from a namespace that sees it",
        }
    }

    fn message(&self, host: &str) -> String {
        match self {
            Missing::Undefined => {
                format!("no Service or ServiceEntry among the inputs defines `{host}`")
            }
            Missing::NotExported(scope) => {
                format!("`{host}` is defined, but not exported to namespace {scope}")
            }
        }
    }
}

pub fn check(facts: &crate::rules::cross::Facts) -> Vec<Diagnostic> {
    let (f, drs) = (&facts.refs, &facts.destination_rules[..]);
    let registry = Registry::new(f, facts.closed_world);
    let mut out = Vec::new();
    if !registry.k8s && !registry.entries && !facts.closed_world {
        return out;
    }
    for vs in f.virtual_services.iter().filter(|vs| !vs.context) {
        let mut reported: Vec<&str> = Vec::new();
        for Dest {
            host,
            port,
            at,
            mirror,
            ..
        } in &vs.destinations
        {
            // A host the webhook rejects (IL4006) is not looked up as well.
            if !registry.knows(host) || validators::destination_host(host).is_err() {
                continue;
            }
            let found = match registry.lookup(host, &vs.namespace, &vs.export_to) {
                Ok(found) => found,
                Err(missing) => {
                    if !reported.contains(&&**host) {
                        reported.push(host);
                        let d = diag(&HOST_NOT_FOUND, at, missing.message(host), missing.help());
                        out.push(d);
                    }
                    continue;
                }
            };
            let mut known: Vec<u64> = found.iter().flat_map(|s| s.ports.iter().copied()).collect();
            known.sort_unstable();
            known.dedup();
            if known.is_empty() || *mirror {
                continue;
            }
            let list = known
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            match port.as_deref() {
                None if known.len() > 1 => out.push(diag(
                    &DESTINATION_PORT,
                    at,
                    format!("`{host}` exposes ports {list}: this destination names none"),
                    "add `port: {number: N}` to the destination for the port this route is for",
                )),
                Some((p, port_at)) if !known.contains(p) => out.push(diag(
                    &DESTINATION_PORT,
                    port_at,
                    format!("port {p} is not a port of `{host}` (it has {list})"),
                    "use one of the service's ports",
                )),
                _ => {}
            }
        }
    }
    for d in drs.iter().filter(|d| !d.context && !d.host.contains('*')) {
        // An invalid host is IL3005's finding only.
        if !registry.knows(&d.host) || validators::wildcard_domain(&d.host).is_err() {
            continue;
        }
        if let Err(missing) = registry.lookup(&d.host, &d.namespace, &d.export_to) {
            let message = missing.message(&d.host);
            out.push(diag(&HOST_NOT_FOUND, &d.at, message, missing.help()));
        }
    }
    out
}
