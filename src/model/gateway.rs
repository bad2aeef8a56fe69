//! Istio Gateway (networking.istio.io) and Kubernetes Gateway API Gateway
//! (gateway.networking.k8s.io), typed and located.

use crate::model::loc::{locs, Cursor, Loc, Located, Locs};
use crate::model::meta::Meta;
use crate::model::virtual_service::items;

#[derive(Clone, Debug)]
pub struct Gateway {
    pub meta: Meta,
    /// The workload labels the gateway applies to.
    pub selector: Vec<(String, String)>,
    /// Where `selector` is, when written.
    pub selector_at: Option<Loc>,
    pub servers: Vec<Server>,
    /// Where `servers` is, when written (an empty list is a finding).
    pub servers_at: Option<Loc>,
}

#[derive(Clone, Debug)]
pub struct Server {
    pub at: Loc,
    pub index: usize,
    pub port: Option<ServerPort>,
    /// As written: `host`, `namespace/host`, `./host`, `*/host`.
    pub hosts: Vec<Located<String>>,
    /// Where `hosts` is, when written.
    pub hosts_at: Option<Loc>,
    pub tls: Option<ServerTls>,
    pub name: Option<Located<String>>,
    pub bind: Option<Located<String>>,
}

#[derive(Clone, Debug)]
pub struct ServerPort {
    pub at: Loc,
    pub number: Option<Located<u32>>,
    pub name: Option<Located<String>>,
    pub protocol: Option<Located<String>>,
    pub target_port: Option<Located<u32>>,
}

/// ServerTLSSettings.
#[derive(Clone, Debug)]
pub struct ServerTls {
    pub at: Loc,
    pub https_redirect: bool,
    /// Where `httpsRedirect` is, when written.
    pub https_redirect_at: Option<Loc>,
    pub mode: Option<Located<String>>,
    pub credential_name: Option<Located<String>>,
    pub credential_names: Vec<Located<String>>,
    pub server_certificate: Option<Located<String>>,
    pub private_key: Option<Located<String>>,
    pub ca_certificates: Option<Located<String>>,
    pub subject_alt_names: Vec<Located<String>>,
    pub min_protocol_version: Option<Located<String>>,
    pub max_protocol_version: Option<Located<String>>,
    pub cipher_suites: Vec<Located<String>>,
    pub ca_crl: Option<Located<String>>,
    pub tls_certificates: Vec<TlsCertificate>,
}

/// One `tlsCertificates` entry of a server.
#[derive(Clone, Debug)]
pub struct TlsCertificate {
    pub at: Loc,
    pub server_certificate: Option<Located<String>>,
    pub private_key: Option<Located<String>>,
}

impl Gateway {
    pub fn build(spec: Option<Cursor>, meta: Meta) -> Gateway {
        let Some(spec) = spec else {
            return Gateway {
                meta,
                selector: Vec::new(),
                selector_at: None,
                servers: Vec::new(),
                servers_at: None,
            };
        };
        let servers = spec.get("servers").map(|s| s.items()).unwrap_or_default();
        Gateway {
            meta,
            selector: spec.pairs("selector"),
            selector_at: spec.get("selector").map(|s| s.loc()),
            servers: servers
                .into_iter()
                .filter(|(_, c)| c.node.as_map().is_some())
                .map(|(index, c)| server(index, &c))
                .collect(),
            servers_at: spec.get("servers").map(|s| s.loc()),
        }
    }
}

fn server(index: usize, c: &Cursor) -> Server {
    Server {
        at: c.loc(),
        index,
        port: c.map("port").map(|p| ServerPort {
            at: p.loc(),
            number: p.u32("number"),
            name: p.string("name"),
            protocol: p.string("protocol"),
            target_port: p.u32("targetPort"),
        }),
        hosts: c.strings("hosts"),
        hosts_at: c.get("hosts").map(|h| h.loc()),
        tls: c.map("tls").map(|t| ServerTls {
            at: t.loc(),
            https_redirect: t.bool("httpsRedirect").is_some_and(|b| b.value),
            https_redirect_at: t.bool("httpsRedirect").map(|b| b.at),
            mode: t.string("mode"),
            credential_name: t.string("credentialName"),
            credential_names: t.strings("credentialNames"),
            server_certificate: t.string("serverCertificate"),
            private_key: t.string("privateKey"),
            ca_certificates: t.string("caCertificates"),
            subject_alt_names: t.strings("subjectAltNames"),
            min_protocol_version: t.string("minProtocolVersion"),
            max_protocol_version: t.string("maxProtocolVersion"),
            cipher_suites: t.strings("cipherSuites"),
            ca_crl: t.string("caCrl"),
            tls_certificates: items(&t, "tlsCertificates", |c| {
                Some(TlsCertificate {
                    at: c.loc(),
                    server_certificate: c.string("serverCertificate"),
                    private_key: c.string("privateKey"),
                })
            }),
        }),
        name: c.string("name"),
        bind: c.string("bind"),
    }
}

/// A Kubernetes Gateway API Gateway.
#[derive(Clone, Debug)]
pub struct K8sGateway {
    pub meta: Meta,
    pub class_name: Option<String>,
    pub listeners: Vec<Listener>,
}

#[derive(Clone, Debug)]
pub struct Listener {
    pub at: Loc,
    pub name: Option<Located<String>>,
    pub hostname: Option<Located<String>>,
    pub port: Option<u32>,
    pub protocol: Option<String>,
}

impl K8sGateway {
    pub fn build(spec: Option<Cursor>, meta: Meta) -> K8sGateway {
        let Some(spec) = spec else {
            return K8sGateway {
                meta,
                class_name: None,
                listeners: Vec::new(),
            };
        };
        K8sGateway {
            meta,
            class_name: spec.string("gatewayClassName").map(|c| c.value),
            listeners: items(&spec, "listeners", |l| {
                Some(Listener {
                    at: l.loc(),
                    name: l.string("name"),
                    hostname: l.string("hostname"),
                    port: l.u32("port").map(|p| p.value),
                    protocol: l.string("protocol").map(|p| p.value),
                })
            }),
        }
    }
}

impl Locs for Gateway {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta, self.selector_at, self.servers, self.servers_at);
    }
}

impl Locs for Server {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.port, self.hosts, self.hosts_at, self.tls, self.name, self.bind);
    }
}

impl Locs for ServerPort {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.number, self.name, self.protocol, self.target_port);
    }
}

impl Locs for ServerTls {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.https_redirect_at, self.mode, self.credential_name, self.credential_names,
            self.server_certificate, self.private_key, self.ca_certificates,
            self.subject_alt_names, self.min_protocol_version, self.max_protocol_version,
            self.cipher_suites, self.ca_crl, self.tls_certificates);
    }
}

impl Locs for TlsCertificate {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.server_certificate, self.private_key);
    }
}

impl Locs for K8sGateway {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta, self.listeners);
    }
}

impl Locs for Listener {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.name, self.hostname);
    }
}
