//! The one host type, with Istio's semantics (pkg/config/host/name.go and
//! pilot/pkg/model ResolveShortnameToFQDN). Hosts are compared as written:
//! Istio's matching is case-sensitive (`a.facebook.com` does not match
//! `*.facebook.COM`), and so is ours.

use std::fmt;

/// The cluster domain Istio assumes for Kubernetes services.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// A host name as Istio stores it after resolution (`*.example.com`,
/// `reviews.default.svc.cluster.local`, `*`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Host(String);

impl Host {
    /// Takes a host as is, without resolution.
    pub fn new(host: impl Into<String>) -> Host {
        Host(host.into())
    }

    /// Istio's ResolveShortnameToFQDN in the object's namespace: `*`, IP
    /// addresses and names with a dot stay as written; a short `name`
    /// becomes `name.<namespace>.svc.cluster.local`. An empty namespace
    /// gives `name.svc.cluster.local`, as in Istio.
    pub fn resolve(raw: &str, namespace: &str) -> Host {
        // Without a dot only an IPv6 address parses, and it has a colon:
        // short names (most hosts) skip the address parser.
        if raw.is_empty()
            || raw == "*"
            || raw.contains('.')
            || (raw.contains(':') && raw.parse::<std::net::IpAddr>().is_ok())
        {
            return Host(raw.to_string());
        }
        let mut fqdn = String::with_capacity(raw.len() + namespace.len() + 20);
        fqdn.push_str(raw);
        if !namespace.is_empty() {
            fqdn.push('.');
            fqdn.push_str(namespace);
        }
        fqdn.push_str(".svc.");
        fqdn.push_str(CLUSTER_DOMAIN);
        Host(fqdn)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// Starts with `*` (Istio IsWildCarded).
    pub fn is_wildcard(&self) -> bool {
        self.0.starts_with('*')
    }

    /// Istio Name.Matches: the two hosts have some name in common (symmetric).
    pub fn matches(&self, other: &Host) -> bool {
        overlap(&self.0, &other.0)
    }

    /// Istio Name.SubsetOf: every name `self` covers is covered by `other`.
    pub fn subset_of(&self, other: &Host) -> bool {
        covers(&other.0, &self.0)
    }

    /// Istio MoreSpecific: exact names before wildcards, then longer first,
    /// then alphabetical. The order in which Istio picks among matches.
    pub fn more_specific(&self, other: &Host) -> bool {
        match (self.is_wildcard(), other.is_wildcard()) {
            (true, false) => false,
            (false, true) => true,
            _ if self.0.len() == other.0.len() => self.0 <= other.0,
            _ => self.0.len() > other.0.len(),
        }
    }

    /// The namespace of a cluster service host: `x.NS.svc.cluster.local`
    /// (also `*.NS.svc.cluster.local`) gives `NS`; other hosts give `None`.
    pub fn service_namespace(&self) -> Option<&str> {
        service_namespace(&self.0)
    }
}

impl From<Host> for String {
    fn from(h: Host) -> String {
        h.0
    }
}

/// `Host::service_namespace` on a borrowed name (for the cross-object
/// indexes, which keep hosts as strings).
pub fn service_namespace(host: &str) -> Option<&str> {
    let rest = host.strip_suffix(".svc.cluster.local")?;
    let (name, ns) = rest.split_once('.')?;
    (!name.is_empty() && !ns.is_empty() && !ns.contains('.')).then_some(ns)
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Istio Name.Matches on borrowed names: `a` and `b` have a name in common.
pub fn overlap(a: &str, b: &str) -> bool {
    match (a.strip_prefix('*'), b.strip_prefix('*')) {
        (Some(x), Some(y)) if a.len() < b.len() => y.ends_with(x),
        (Some(x), Some(y)) => x.ends_with(y),
        (Some(x), None) => b.ends_with(x),
        (None, Some(y)) => a.ends_with(y),
        (None, None) => a == b,
    }
}

/// Istio Name.SubsetOf read from the wider side, on borrowed names (for the
/// cross-object indexes, which keep hosts as strings): every name `host`
/// covers is covered by `pattern` (`*.example.com` covers `a.example.com`
/// and `*.b.example.com`; a name covers only itself).
pub fn covers(pattern: &str, host: &str) -> bool {
    match (host.strip_prefix('*'), pattern.strip_prefix('*')) {
        (Some(h), Some(p)) => host.len() >= pattern.len() && h.ends_with(p),
        (Some(_), None) => false,
        (None, Some(p)) => host.ends_with(p),
        (None, None) => host == pattern,
    }
}

/// Kiali's reading of `name.namespace` and `name.namespace.svc` as the
/// cluster service `name.namespace.svc.cluster.local`, when `namespace` is
/// one the inputs know (`known`). Istio itself does not expand these (it only
/// expands names without a dot), so this is a separate, explicit step that
/// callers opt into; `None` when the host is not such a spelling.
pub fn expand_namespace_host(raw: &str, known: impl Fn(&str) -> bool) -> Option<Host> {
    // `name.ns` or `name.ns.svc`, read without collecting the labels: this
    // runs for every host of the inputs, most of them FQDNs (more dots).
    if !(1..=2).contains(&raw.bytes().filter(|&b| b == b'.').count()) {
        return None;
    }
    let mut labels = raw.split('.');
    let (name, ns) = (labels.next()?, labels.next()?);
    match (labels.next(), labels.next()) {
        (None | Some("svc"), None) => {}
        _ => return None,
    }
    if name.is_empty() || name.contains('*') || ns.is_empty() || !known(ns) {
        return None;
    }
    Some(Host(format!("{name}.{ns}.svc.{CLUSTER_DOMAIN}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Host {
        Host::new(s)
    }

    /// Istio pkg/config/host/name_test.go TestNameMatches, restated.
    #[test]
    fn matches_as_istio() {
        let table = [
            ("", "", true),
            ("a.facebook.com", "*.facebook.COM", false),
            ("", "foo.com", false),
            ("foo.com", "", false),
            ("foo.com", "foo.com", true),
            ("bar.com", "foo.com", false),
            ("foo.com", "bar.com", false),
            ("bar.foo.com", "foo.com", false),
            ("foo.com", "bar.foo.com", false),
            ("*.com", "foo.com", true),
            ("*.com", "bar.com", true),
            ("*.foo.com", "bar.foo.com", true),
            ("*", "foo.com", true),
            ("*", "*.com", true),
            ("*", "com", true),
            ("*", "*", true),
            ("*", "", true),
            ("*.com", "*.foo.com", true),
            ("foo.com", "*.foo.com", false),
            ("*.foo.com", "foo.com", false),
            ("*.foo.bar.baz", "baz", false),
            ("baz", "*.foo.bar.baz", false),
            ("*.foo.bar.baz", "*.baz", true),
            ("foo.bar.baz", "*.baz", true),
        ];
        for (a, b, want) in table {
            assert_eq!(h(a).matches(&h(b)), want, "{a:?}.matches({b:?})");
            assert_eq!(
                h(b).matches(&h(a)),
                want,
                "{b:?}.matches({a:?}) (symmetric)"
            );
        }
    }

    /// Istio TestNameSubsetOf, restated.
    #[test]
    fn subset_of_as_istio() {
        let table = [
            ("", "", true),
            ("", "foo.com", false),
            ("foo.com", "", false),
            ("foo.com", "foo.com", true),
            ("bar.com", "foo.com", false),
            ("foo.com", "bar.com", false),
            ("bar.foo.com", "foo.com", false),
            ("foo.com", "bar.foo.com", false),
            ("foo.com", "*.com", true),
            ("bar.com", "*.com", true),
            ("bar.foo.com", "*.foo.com", true),
            ("foo.com", "*", true),
            ("*.com", "*", true),
            ("com", "*", true),
            ("*", "*", true),
            ("", "*", true),
            ("*.foo.com", "*.com", true),
            ("*.foo.com", "foo.com", false),
            ("*.foo.bar.baz", "baz", false),
            ("foo.bar.baz", "*.baz", true),
            // Not symmetric: the wider wildcard is no subset of the narrower.
            ("*.com", "*.foo.com", false),
            ("*", "*.com", false),
        ];
        for (a, b, want) in table {
            assert_eq!(h(a).subset_of(&h(b)), want, "{a:?}.subset_of({b:?})");
        }
    }

    /// Istio pilot/pkg/model TestResolveShortnameToFQDN, restated for the
    /// cluster.local domain the linter assumes.
    #[test]
    fn resolve_as_istio() {
        let table = [
            ("*", "default", "*"),
            ("*", "", "*"),
            ("foo", "default", "foo.default.svc.cluster.local"),
            ("foo.bar", "default", "foo.bar"),
            ("foo", "", "foo.svc.cluster.local"),
            ("42.185.131.210", "default", "42.185.131.210"),
            ("2a00:4000::614", "default", "2a00:4000::614"),
            ("2a00:4000::614", "cluster.local", "2a00:4000::614"),
            ("*.example.com", "default", "*.example.com"),
            (
                "reviews.prod.svc.cluster.local",
                "default",
                "reviews.prod.svc.cluster.local",
            ),
            ("", "default", ""),
        ];
        for (raw, ns, want) in table {
            assert_eq!(
                Host::resolve(raw, ns).as_str(),
                want,
                "resolve({raw:?}, {ns:?})"
            );
        }
        assert!(Host::resolve("*", "x").is_wildcard());
        assert!(!Host::resolve("foo", "x").is_wildcard());
    }

    #[test]
    fn service_namespace_of_cluster_hosts_only() {
        let table = [
            ("reviews.prod.svc.cluster.local", Some("prod")),
            ("*.prod.svc.cluster.local", Some("prod")),
            ("a.b.prod.svc.cluster.local", None),
            ("prod.svc.cluster.local", None),
            ("reviews.prod", None),
            ("example.com", None),
            ("*", None),
        ];
        for (host, want) in table {
            assert_eq!(h(host).service_namespace(), want, "{host}");
        }
    }

    /// Istio names_test.go: sorting by MoreSpecific puts exact names first,
    /// longest first, wildcards last.
    #[test]
    fn more_specific_orders_as_istio() {
        let mut hosts: Vec<Host> = ["*.com", "foo.com", "*", "a.foo.com", "*.foo.com", "bar.com"]
            .into_iter()
            .map(h)
            .collect();
        hosts.sort_by(|a, b| {
            if a == b {
                std::cmp::Ordering::Equal
            } else if a.more_specific(b) {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            }
        });
        let got: Vec<&str> = hosts.iter().map(Host::as_str).collect();
        assert_eq!(
            got,
            ["a.foo.com", "bar.com", "foo.com", "*.foo.com", "*.com", "*"]
        );
    }

    #[test]
    fn namespace_spellings_expand_only_for_known_namespaces() {
        let known = |ns: &str| ns == "prod";
        let table = [
            ("reviews.prod", Some("reviews.prod.svc.cluster.local")),
            ("reviews.prod.svc", Some("reviews.prod.svc.cluster.local")),
            ("reviews.other", None),
            ("*.prod", None),
            ("reviews", None),
            ("reviews.prod.svc.cluster.local", None),
            ("example.com", None),
            ("reviews.prod.cluster", None),
            ("reviews.prod.svc.", None),
            ("reviews.", None),
            (".prod", None),
        ];
        for (raw, want) in table {
            let got = expand_namespace_host(raw, known);
            assert_eq!(got.as_ref().map(Host::as_str), want, "{raw}");
        }
    }
}
