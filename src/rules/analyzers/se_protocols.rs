//! IL8006: one host and port declared with different protocols by several
//! ServiceEntries (Istio IST0177, serviceentry.ConflictingServiceEntryProtocolAnalyzer).

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::rules::analyzers::{diagnostic, full_name};
use crate::rules::cross::Facts;
use crate::rules::rule;

rule!(
    PROTOCOL_CONFLICT,
    "IL8006",
    "service-entry-protocol-conflict",
    Warning,
    Analyzer,
    &["ServiceEntry"],
    "Several ServiceEntries define one host and port with different protocols",
    "## What it checks
ServiceEntries visible in the same namespaces (`exportTo`; none or `*` is everywhere, `.` its
own namespace) that list the same host and port number with protocols that differ (compared
ignoring case; an unset protocol differs from TCP, as in Istio). Istio IST0177
(`ConflictingServiceEntryProtocol`).

## Why it matters
Istio merges them into one service and keeps one protocol for the port, so either the HTTP
routes or the TCP/TLS handling of the other definition silently does not apply.

## Example
```yaml
kind: ServiceEntry
metadata: {name: api-http}
spec: {hosts: [api.example.com], ports: [{number: 443, name: http, protocol: HTTP}]}
---
kind: ServiceEntry
metadata: {name: api-tls}
spec: {hosts: [api.example.com], ports: [{number: 443, name: tls, protocol: TLS}]}   # IL8006 on both
```
",
    help: "declare each host and port once, with one protocol",
    check: crate::rules::Check::Cross(check)
);

type Key = (String, String, u32);

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let a = &facts.analyzers;
    // (scope, host, port) -> (ServiceEntry index, protocol)
    let mut index: BTreeMap<Key, Vec<(usize, String)>> = BTreeMap::new();
    for (i, se) in a.service_entries.iter().enumerate() {
        for scope in scopes(&se.item.export_to, &se.ns) {
            for host in &se.item.hosts {
                for port in &se.item.ports {
                    let Some(number) = port.number else { continue };
                    let protocol = port.protocol.clone().unwrap_or_default().to_uppercase();
                    let key = (scope.clone(), host.value.clone(), number);
                    index.entry(key).or_default().push((i, protocol));
                }
            }
        }
    }
    let mut reported = BTreeSet::new();
    let mut out = Vec::new();
    for ((scope, host, port), entries) in &index {
        let mut entries = entries.clone();
        if scope != "*" {
            let everywhere = ("*".to_string(), host.clone(), *port);
            entries.extend(index.get(&everywhere).cloned().unwrap_or_default());
        }
        let protocols: BTreeSet<&str> = entries.iter().map(|(_, p)| p.as_str()).collect();
        if protocols.len() < 2 {
            continue;
        }
        let name = |i: usize| full_name(&a.service_entries[i].ns, &a.service_entries[i].item.meta);
        let names: BTreeSet<String> = entries.iter().map(|(i, _)| name(*i)).collect();
        let names: Vec<String> = names.into_iter().collect();
        let protocols: Vec<&str> = protocols.into_iter().collect();
        for (i, _) in &entries {
            let se = &a.service_entries[*i];
            if se.context || !reported.insert(name(*i)) {
                continue;
            }
            let Some(at) = &se.item.meta.name_at else {
                continue;
            };
            out.push(diagnostic(
                &PROTOCOL_CONFLICT,
                &se.item.meta,
                at,
                format!(
                    "Multiple ServiceEntries ({}) define the same host {host:?} and port {port} with conflicting protocols ({}).",
                    names.join(", "),
                    protocols.join(", ")
                ),
            ));
        }
    }
    out
}

/// `exportToScopes`: `*` for everywhere, else the namespaces.
fn scopes(export_to: &[crate::model::Located<String>], ns: &str) -> BTreeSet<String> {
    if export_to.is_empty() || export_to.iter().any(|e| e.value == "*") {
        return BTreeSet::from(["*".to_string()]);
    }
    export_to
        .iter()
        .map(|e| {
            if e.value == "." {
                ns.to_string()
            } else {
                e.value.clone()
            }
        })
        .collect()
}
