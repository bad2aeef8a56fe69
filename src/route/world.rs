//! What routing reads besides VirtualServices: the service registry
//! (Services and ServiceEntries of the inputs) and the Istio Gateways.

use std::collections::HashMap;

use super::select::Table;
use crate::model::Host;

/// A service of the registry: a host and its ports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Service {
    pub host: String,
    pub namespace: String,
    pub ports: Vec<u32>,
}

/// The Services and ServiceEntries of the inputs. When the inputs hold none
/// (VirtualServices checked on their own), every `*.svc.cluster.local` host
/// counts as a service listening on any port: `implicit`.
#[derive(Debug, Default)]
pub struct Registry {
    services: Vec<Service>,
    exact: HashMap<String, usize>,
    wildcard: Vec<usize>,
    pub implicit: bool,
    assumed: Service,
}

impl Registry {
    pub fn new(services: Vec<Service>) -> Registry {
        let mut r = Registry {
            implicit: services.is_empty(),
            ..Registry::default()
        };
        for s in services {
            let i = r.services.len();
            if s.host.starts_with('*') {
                r.wildcard.push(i);
            } else if let Some(&j) = r.exact.get(&s.host) {
                // The same host twice (a Service and a ServiceEntry): ports add up.
                for p in s.ports {
                    if !r.services[j].ports.contains(&p) {
                        r.services[j].ports.push(p);
                    }
                }
                continue;
            } else {
                r.exact.insert(s.host.clone(), i);
            }
            r.services.push(s);
        }
        r
    }

    /// The service of a host: exact, else the most specific wildcard
    /// ServiceEntry host covering it; under `implicit`, an assumed service
    /// (no ports known) for cluster service hosts.
    pub fn lookup(&self, host: &str) -> Option<&Service> {
        if let Some(&i) = self.exact.get(host) {
            return Some(&self.services[i]);
        }
        let h = Host::new(host);
        let wild = self
            .wildcard
            .iter()
            .map(|&i| &self.services[i])
            .filter(|s| h.subset_of(&Host::new(s.host.as_str())))
            .max_by_key(|s| s.host.len());
        if wild.is_some() {
            return wild;
        }
        (self.implicit && host.ends_with(".svc.cluster.local")).then_some(&self.assumed)
    }

    /// Whether a service of this (VirtualService) host listens on `port`;
    /// Istio's selectVirtualServices keeps only those off port 80.
    pub fn serves(&self, host: &Host, port: u32) -> bool {
        if self.implicit {
            return host.is_wildcard() || host.as_str().ends_with(".svc.cluster.local");
        }
        if !host.is_wildcard() {
            return self
                .lookup(host.as_str())
                .is_some_and(|s| s.ports.contains(&port));
        }
        self.services
            .iter()
            .any(|s| Host::new(s.host.as_str()).matches(host) && s.ports.contains(&port))
    }

    pub fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.services.iter().map(|s| s.namespace.as_str())
    }
}

/// One server of an Istio Gateway.
#[derive(Clone, Debug)]
pub struct Server {
    pub index: usize,
    pub line: u32,
    pub port: u32,
    /// Upper-cased: HTTP, HTTPS, HTTP2, GRPC, TCP, TLS...
    pub protocol: String,
    pub hosts: Vec<String>,
    pub https_redirect: bool,
}

impl Server {
    /// An HTTP server without TLS termination (httpsRedirect servers are).
    pub fn is_plain_http(&self) -> bool {
        matches!(
            self.protocol.as_str(),
            "HTTP" | "HTTP2" | "GRPC" | "GRPC-WEB"
        )
    }

    pub fn is_https(&self) -> bool {
        self.protocol == "HTTPS"
    }
}

/// An Istio Gateway.
#[derive(Clone, Debug)]
pub struct Gateway {
    pub namespace: String,
    pub name: String,
    pub file: String,
    pub line: u32,
    pub created: Option<String>,
    pub selector: Vec<(String, String)>,
    pub servers: Vec<Server>,
}

impl Gateway {
    pub fn label(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Everything `route` reads, built once for any number of requests.
#[derive(Debug, Default)]
pub struct World {
    pub table: Table,
    pub registry: Registry,
    pub gateways: Vec<Gateway>,
    /// `namespace/name` of the Gateway API Gateways (not routed; named in errors).
    pub k8s_gateways: Vec<String>,
}

impl World {
    /// Namespaces the inputs know (for reading `name.namespace` hosts).
    pub fn knows_namespace(&self, ns: &str) -> bool {
        self.table.entries.iter().any(|e| e.namespace == ns)
            || self.registry.namespaces().any(|n| n == ns)
            || self.gateways.iter().any(|g| g.namespace == ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(host: &str, ports: &[u32]) -> Service {
        Service {
            host: host.into(),
            namespace: "default".into(),
            ports: ports.to_vec(),
        }
    }

    #[test]
    fn registry_lookup_and_ports() {
        let r = Registry::new(vec![
            svc("known.default.svc.cluster.local", &[80, 8080]),
            svc("*.example.com", &[443]),
            svc("*.a.example.com", &[8443]),
        ]);
        assert_eq!(
            r.lookup("known.default.svc.cluster.local").unwrap().ports,
            vec![80, 8080]
        );
        assert_eq!(r.lookup("x.a.example.com").unwrap().host, "*.a.example.com");
        assert_eq!(r.lookup("b.example.com").unwrap().host, "*.example.com");
        assert!(r.lookup("foo.default.svc.cluster.local").is_none());
        assert!(r.serves(&Host::new("known.default.svc.cluster.local"), 8080));
        assert!(!r.serves(&Host::new("known.default.svc.cluster.local"), 9090));
        assert!(r.serves(&Host::new("*.default.svc.cluster.local"), 80));
        let implicit = Registry::new(Vec::new());
        assert!(implicit.lookup("foo.default.svc.cluster.local").is_some());
        assert!(implicit.lookup("example.com").is_none());
    }
}
