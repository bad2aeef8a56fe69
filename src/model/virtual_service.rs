//! VirtualService (networking.istio.io), typed and located.

use crate::model::loc::Json;
use crate::model::loc::{locs, Cursor, Loc, Located, Locs};
use crate::model::meta::Meta;

#[derive(Clone, Debug)]
pub struct VirtualService {
    pub meta: Meta,
    pub hosts: Vec<Located<String>>,
    pub gateways: Vec<Located<String>>,
    pub export_to: Vec<Located<String>>,
    pub http: Vec<HttpRoute>,
    pub tcp: Vec<TcpRoute>,
    pub tls: Vec<TlsRoute>,
}

#[derive(Clone, Debug)]
pub struct HttpRoute {
    pub at: Loc,
    pub index: usize,
    pub name: Option<Located<String>>,
    pub matches: Vec<HttpMatch>,
    pub route: Vec<RouteDestination>,
    pub redirect: Option<Json>,
    pub direct_response: Option<Json>,
    pub delegate: Option<Delegate>,
    pub rewrite: Option<Json>,
    pub timeout: Option<Located<String>>,
    pub retries: Option<Json>,
    pub fault: Option<Json>,
    pub cors_policy: Option<Json>,
    pub headers: Option<Json>,
    pub mirror: Option<Destination>,
    pub mirrors: Vec<Mirror>,
    /// `mirrorPercentage` (a Percent message), as written.
    pub mirror_percentage: Option<Json>,
    /// The deprecated `mirrorPercent` (an integer), as written.
    pub mirror_percent: Option<Json>,
}

/// Istio's StringMatch. One with none of exact/prefix/regex set is absent
/// (`None`) for uri, scheme, method and authority, where Istio then matches
/// anything; for headers and query parameters Istio reads it as "present",
/// so there it is `Present` (a deliberate addition to the planned API).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StringMatch {
    Exact(String),
    Prefix(String),
    Regex(String),
    Present,
}

#[derive(Clone, Debug)]
pub struct HttpMatch {
    pub at: Loc,
    pub index: usize,
    pub name: Option<String>,
    pub uri: Option<Located<StringMatch>>,
    pub scheme: Option<Located<StringMatch>>,
    pub method: Option<Located<StringMatch>>,
    pub authority: Option<Located<StringMatch>>,
    pub headers: Vec<(String, Located<StringMatch>)>,
    pub without_headers: Vec<(String, Located<StringMatch>)>,
    pub query_params: Vec<(String, Located<StringMatch>)>,
    pub port: Option<Located<u32>>,
    pub source_labels: Vec<(String, String)>,
    pub gateways: Vec<Located<String>>,
    pub source_namespace: Option<Located<String>>,
    pub ignore_uri_case: bool,
    pub stat_prefix: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Destination {
    pub at: Loc,
    pub host: Located<String>,
    pub subset: Option<Located<String>>,
    /// `port.number`.
    pub port: Option<Located<u32>>,
}

#[derive(Clone, Debug)]
pub struct RouteDestination {
    pub at: Loc,
    pub destination: Destination,
    pub weight: Option<Located<i64>>,
    pub headers: Option<Json>,
}

/// One `mirrors` entry.
#[derive(Clone, Debug)]
pub struct Mirror {
    pub at: Loc,
    pub destination: Destination,
    pub percentage: Option<Json>,
}

#[derive(Clone, Debug)]
pub struct Delegate {
    pub at: Loc,
    pub name: Located<String>,
    pub namespace: Option<Located<String>>,
}

#[derive(Clone, Debug)]
pub struct TcpRoute {
    pub at: Loc,
    pub index: usize,
    pub matches: Vec<L4Match>,
    pub route: Vec<RouteDestination>,
}

#[derive(Clone, Debug)]
pub struct TlsRoute {
    pub at: Loc,
    pub index: usize,
    pub matches: Vec<TlsMatch>,
    pub route: Vec<RouteDestination>,
}

/// A TCP match (L4MatchAttributes); also the common part of a TLS match.
#[derive(Clone, Debug)]
pub struct L4Match {
    pub at: Loc,
    pub destination_subnets: Vec<Located<String>>,
    pub port: Option<Located<u32>>,
    pub source_labels: Vec<(String, String)>,
    pub gateways: Vec<Located<String>>,
    pub source_namespace: Option<Located<String>>,
    pub source_subnet: Option<Located<String>>,
}

#[derive(Clone, Debug)]
pub struct TlsMatch {
    pub l4: L4Match,
    pub sni_hosts: Vec<Located<String>>,
}

impl VirtualService {
    pub fn build(spec: Option<Cursor>, meta: Meta) -> VirtualService {
        let Some(spec) = spec else {
            return empty(meta);
        };
        let routes = |key: &str| spec.get(key).map(|c| c.items()).unwrap_or_default();
        VirtualService {
            meta,
            hosts: spec.strings("hosts"),
            gateways: spec.strings("gateways"),
            export_to: spec.strings("exportTo"),
            http: routes("http")
                .into_iter()
                .filter_map(|(i, c)| http_route(i, &c))
                .collect(),
            tcp: routes("tcp")
                .into_iter()
                .filter(|(_, c)| c.node.as_map().is_some())
                .map(|(index, c)| TcpRoute {
                    at: c.loc(),
                    index,
                    matches: items(&c, "match", l4_match),
                    route: items(&c, "route", route_destination),
                })
                .collect(),
            tls: routes("tls")
                .into_iter()
                .filter(|(_, c)| c.node.as_map().is_some())
                .map(|(index, c)| TlsRoute {
                    at: c.loc(),
                    index,
                    matches: items(&c, "match", |c| {
                        Some(TlsMatch {
                            l4: l4_match(c)?,
                            sni_hosts: c.strings("sniHosts"),
                        })
                    }),
                    route: items(&c, "route", route_destination),
                })
                .collect(),
        }
    }

    /// Every destination of the HTTP, TCP and TLS routes, mirrors included,
    /// in document order.
    pub fn destinations(&self) -> impl Iterator<Item = &Destination> {
        let http = self.http.iter().flat_map(|r| {
            r.route
                .iter()
                .map(|d| &d.destination)
                .chain(&r.mirror)
                .chain(r.mirrors.iter().map(|m| &m.destination))
        });
        let l4 = self
            .tcp
            .iter()
            .flat_map(|r| &r.route)
            .chain(self.tls.iter().flat_map(|r| &r.route))
            .map(|d| &d.destination);
        http.chain(l4)
    }
}

fn empty(meta: Meta) -> VirtualService {
    VirtualService {
        meta,
        hosts: Vec::new(),
        gateways: Vec::new(),
        export_to: Vec::new(),
        http: Vec::new(),
        tcp: Vec::new(),
        tls: Vec::new(),
    }
}

/// The mapping items of the sequence at `key`, built by `f`.
pub(crate) fn items<T>(c: &Cursor, key: &str, f: impl Fn(&Cursor) -> Option<T>) -> Vec<T> {
    c.get(key)
        .map(|s| s.items())
        .unwrap_or_default()
        .iter()
        .filter(|(_, c)| c.node.as_map().is_some())
        .filter_map(|(_, c)| f(c))
        .collect()
}

fn http_route(index: usize, c: &Cursor) -> Option<HttpRoute> {
    c.node.as_map()?;
    Some(HttpRoute {
        at: c.loc(),
        index,
        name: c.string("name"),
        matches: c
            .get("match")
            .map(|m| m.items())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(i, m)| http_match(i, &m))
            .collect(),
        route: items(c, "route", route_destination),
        redirect: c.json("redirect"),
        direct_response: c.json("directResponse"),
        delegate: c.map("delegate").and_then(|d| {
            Some(Delegate {
                at: d.loc(),
                name: d.string("name")?,
                namespace: d.string("namespace"),
            })
        }),
        rewrite: c.json("rewrite"),
        timeout: c.string("timeout"),
        retries: c.json("retries"),
        fault: c.json("fault"),
        cors_policy: c.json("corsPolicy"),
        headers: c.json("headers"),
        mirror: c.map("mirror").and_then(|m| destination(&m)),
        mirrors: items(c, "mirrors", |m| {
            Some(Mirror {
                at: m.loc(),
                destination: destination(&m.map("destination")?)?,
                percentage: m.json("percentage"),
            })
        }),
        mirror_percentage: c.json("mirrorPercentage"),
        mirror_percent: c.json("mirrorPercent"),
    })
}

fn http_match(index: usize, c: &Cursor) -> Option<HttpMatch> {
    c.node.as_map()?;
    let matches = |key: &str| -> Vec<(String, Located<StringMatch>)> {
        c.get(key)
            .map(|m| m.entries())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| Some((k.value, string_match(&v, true)?)))
            .collect()
    };
    let single = |key: &str| c.get(key).and_then(|v| string_match(&v, false));
    Some(HttpMatch {
        at: c.loc(),
        index,
        name: c.string("name").map(|n| n.value),
        uri: single("uri"),
        scheme: single("scheme"),
        method: single("method"),
        authority: single("authority"),
        headers: matches("headers"),
        without_headers: matches("withoutHeaders"),
        query_params: matches("queryParams"),
        port: c.u32("port"),
        source_labels: c.pairs("sourceLabels"),
        gateways: c.strings("gateways"),
        source_namespace: c.string("sourceNamespace"),
        ignore_uri_case: c.bool("ignoreUriCase").is_some_and(|b| b.value),
        stat_prefix: c.string("statPrefix").map(|s| s.value),
    })
}

/// A StringMatch mapping (or null, for presence). `presence`: an empty
/// match means "present" (headers, query parameters) instead of nothing.
fn string_match(c: &Cursor, presence: bool) -> Option<Located<StringMatch>> {
    let at = c.loc();
    let null = matches!(
        c.node.value,
        crate::yaml::Value::Scalar(crate::yaml::Scalar::Null)
    );
    if c.node.as_map().is_none() && !null {
        return None;
    }
    let found = [
        ("exact", StringMatch::Exact as fn(String) -> StringMatch),
        ("prefix", StringMatch::Prefix),
        ("regex", StringMatch::Regex),
    ]
    .into_iter()
    .find_map(|(key, make)| c.string(key).map(|s| make(s.value)));
    match found {
        Some(m) => Some(Located::new(m, at)),
        None if presence && c.node.as_map().is_none_or(|m| m.is_empty()) => {
            Some(Located::new(StringMatch::Present, at))
        }
        None => None,
    }
}

pub(crate) fn destination(c: &Cursor) -> Option<Destination> {
    Some(Destination {
        at: c.loc(),
        host: c.string("host")?,
        subset: c.string("subset"),
        port: c.map("port").and_then(|p| p.u32("number")),
    })
}

fn route_destination(c: &Cursor) -> Option<RouteDestination> {
    Some(RouteDestination {
        at: c.loc(),
        destination: destination(&c.map("destination")?)?,
        weight: c.int("weight"),
        headers: c.json("headers"),
    })
}

fn l4_match(c: &Cursor) -> Option<L4Match> {
    Some(L4Match {
        at: c.loc(),
        destination_subnets: c.strings("destinationSubnets"),
        port: c.u32("port"),
        source_labels: c.pairs("sourceLabels"),
        gateways: c.strings("gateways"),
        source_namespace: c.string("sourceNamespace"),
        source_subnet: c.string("sourceSubnet"),
    })
}

impl Locs for VirtualService {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta, self.hosts, self.gateways, self.export_to, self.http, self.tcp, self.tls);
    }
}

impl Locs for HttpRoute {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.name, self.matches, self.route, self.redirect,
            self.direct_response, self.delegate, self.rewrite, self.timeout, self.retries,
            self.fault, self.cors_policy, self.headers, self.mirror, self.mirrors,
            self.mirror_percentage, self.mirror_percent);
    }
}

impl Locs for HttpMatch {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.uri, self.scheme, self.method, self.authority, self.headers,
            self.without_headers, self.query_params, self.port, self.gateways,
            self.source_namespace);
    }
}

impl Locs for Destination {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.host, self.subset, self.port);
    }
}

impl Locs for RouteDestination {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.destination, self.weight, self.headers);
    }
}

impl Locs for Mirror {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.destination, self.percentage);
    }
}

impl Locs for Delegate {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.name, self.namespace);
    }
}

impl Locs for TcpRoute {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.matches, self.route);
    }
}

impl Locs for TlsRoute {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.matches, self.route);
    }
}

impl Locs for L4Match {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.destination_subnets, self.port, self.gateways,
            self.source_namespace, self.source_subnet);
    }
}

impl Locs for TlsMatch {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.l4, self.sni_hosts);
    }
}
