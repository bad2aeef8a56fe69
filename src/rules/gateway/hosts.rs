//! IL7003: server hosts Istio's webhook rejects (validateServer,
//! ValidateNamespaceSlashWildcardHostname with isGateway).

use crate::diagnostic::Finding;
use crate::rules::gateway::{gateway, GW};
use crate::rules::validators::{is_dns1123_label, is_ip, wildcard_domain};
use crate::rules::{rule, ObjectContext};

rule!(
    SERVER_HOSTS,
    "IL7003",
    "server-host-invalid",
    Error,
    Gateway,
    GW,
    "A server without hosts, or a host Istio's webhook rejects",
    "## What it checks
Each `servers[].hosts` entry, as Istio's webhook reads it: `[namespace/]dnsName`, where the
namespace is `*`, `.` or a DNS-1123 label, and the name is `*`, an FQDN (no short names), an IP
address, or a wildcard as the whole first label only (`*.example.com`). Also an empty `hosts`
list.

## Why it matters
The webhook rejects the Gateway: `*.*.example.com` (a wildcard beyond the first label),
`*bar.com` (a partial wildcard), `foo` (a short name: Gateway hosts are not resolved in a
namespace), `ns/a/b`, `~/foo.example.com` (`~` is for Gateway API internals only).

## Example
```yaml
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts:
  - \"*.*.example.com\"      # IL7003: domain name invalid
  - \"bookinfo/*.example.com\" # fine: namespace/host
```
Istio: validation.go `validateServer`, agent/validation.go
`ValidateNamespaceSlashWildcardHostname`.
",
    help: "use `*`, an FQDN, `*.domain`, or `namespace/` (or `*/`, `./`) before one of them",
    check: crate::rules::Check::Object(check)
);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(g) = gateway(ctx) else { return };
    for server in &g.servers {
        if let Some(at) = &server.hosts_at {
            let empty = ctx
                .object
                .node
                .lookup(&at.pointer)
                .and_then(|(n, _)| n.as_seq())
                .is_some_and(|s| s.is_empty());
            if empty {
                out.push(Finding::new(
                    &SERVER_HOSTS,
                    at.pointer.clone(),
                    "server config must contain at least one host",
                ));
            }
        }
        for host in &server.hosts {
            let errors = host_errors(host);
            if !errors.is_empty() {
                out.push(Finding::new(
                    &SERVER_HOSTS,
                    host.at.pointer.clone(),
                    format!("invalid host {:?}: {}", host.value, errors.join("; ")),
                ));
            }
        }
    }
}

/// `ValidateNamespaceSlashWildcardHostname(host, isGateway=true, false)`.
pub fn host_errors(host: &str) -> Vec<String> {
    let Some((ns, name)) = host.split_once('/') else {
        return name_errors(host);
    };
    let mut errors = Vec::new();
    if ns.is_empty() || name.is_empty() {
        errors.push("config namespace and dnsName in host entry cannot be empty".to_string());
    }
    if ns != "*" && ns != "." && !is_dns1123_label(ns) {
        errors.push(format!("invalid namespace value {ns:?} in gateway"));
    }
    errors.extend(name_errors(name));
    errors
}

/// `validateSidecarOrGatewayHostnamePart(name, isGateway=true)`.
fn name_errors(name: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if name != "*" && !name.contains('.') {
        errors.push("short names (non FQDN) are not allowed".to_string());
    }
    if let Err(e) = wildcard_domain(name) {
        // A gateway also takes an IP address.
        if !is_ip(name) {
            errors.push(e);
        }
    }
    if name.contains('*') && name.len() != 1 && !name.starts_with("*.") {
        errors.push(format!("partial wildcard {name:?} not allowed"));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::host_errors;

    /// Istio's TestValidateServer and TestValidateGateway host cases.
    #[test]
    fn hosts_as_istio_validates_them() {
        for ok in [
            "foo.bar.com",
            "1.1.1.1",
            "ns1/foo.bar.com",
            "*/foo.bar.com",
            "./foo.bar.com",
            "*",
            "*.bar.com",
            "ns/*",
        ] {
            assert!(host_errors(ok).is_empty(), "{ok}: {:?}", host_errors(ok));
        }
        let first = |h: &str| host_errors(h).join("; ");
        assert_eq!(
            first("~/foo.bar.com"),
            "invalid namespace value \"~\" in gateway"
        );
        assert_eq!(
            first("foo.*.bar.com"),
            "domain name \"*.bar.com\" invalid (label \"*\" invalid); partial wildcard \"foo.*.bar.com\" not allowed"
        );
        assert_eq!(
            first("ns1/foo.*.bar.com"),
            "domain name \"*.bar.com\" invalid (label \"*\" invalid); partial wildcard \"foo.*.bar.com\" not allowed"
        );
        assert_eq!(first("foo"), "short names (non FQDN) are not allowed");
        assert_eq!(
            first("*bar.com"),
            "partial wildcard \"*bar.com\" not allowed"
        );
        assert_eq!(
            first("*.*.example.com"),
            "domain name \"*.example.com\" invalid (label \"*\" invalid)"
        );
        assert_eq!(
            first("ns/a/b"),
            "short names (non FQDN) are not allowed; domain name \"a/b\" invalid (label \"a/b\" invalid)"
        );
        assert_eq!(
            first("/foo.com"),
            "config namespace and dnsName in host entry cannot be empty; invalid namespace value \"\" in gateway"
        );
    }
}
