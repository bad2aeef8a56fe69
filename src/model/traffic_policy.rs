//! DestinationRule traffic policies, typed and located. Parts the model does
//! not interpret (consistent hashing, locality settings, tunnel, keepalive)
//! are kept as written, in JSON form.

use crate::model::loc::Json;
use crate::model::loc::{locs, Cursor, Loc, Located, Locs};
use crate::model::virtual_service::items;

#[derive(Clone, Debug)]
pub struct TrafficPolicy {
    pub at: Loc,
    pub connection_pool: Option<Box<ConnectionPool>>,
    pub load_balancer: Option<Box<LoadBalancer>>,
    pub outlier_detection: Option<Box<OutlierDetection>>,
    pub tls: Option<Box<ClientTls>>,
    pub port_level_settings: Vec<PortTrafficPolicy>,
    pub tunnel: Option<Json>,
    pub proxy_protocol: Option<Json>,
}

/// One `portLevelSettings` entry.
#[derive(Clone, Debug)]
pub struct PortTrafficPolicy {
    pub at: Loc,
    /// `port.number`.
    pub port: Option<Located<u32>>,
    pub connection_pool: Option<Box<ConnectionPool>>,
    pub load_balancer: Option<Box<LoadBalancer>>,
    pub outlier_detection: Option<Box<OutlierDetection>>,
    pub tls: Option<Box<ClientTls>>,
}

#[derive(Clone, Debug)]
pub struct ConnectionPool {
    pub at: Loc,
    pub tcp: Option<TcpSettings>,
    pub http: Option<HttpSettings>,
}

#[derive(Clone, Debug)]
pub struct TcpSettings {
    pub at: Loc,
    pub max_connections: Option<Located<i64>>,
    pub connect_timeout: Option<Located<String>>,
    pub tcp_keepalive: Option<Json>,
    pub max_connection_duration: Option<Located<String>>,
    pub idle_timeout: Option<Located<String>>,
}

#[derive(Clone, Debug)]
pub struct HttpSettings {
    pub at: Loc,
    pub http1_max_pending_requests: Option<Located<i64>>,
    pub http2_max_requests: Option<Located<i64>>,
    pub max_requests_per_connection: Option<Located<i64>>,
    pub max_retries: Option<Located<i64>>,
    pub max_concurrent_streams: Option<Located<i64>>,
    pub idle_timeout: Option<Located<String>>,
    pub h2_upgrade_policy: Option<Located<String>>,
    pub use_client_protocol: Option<Located<bool>>,
}

#[derive(Clone, Debug)]
pub struct OutlierDetection {
    pub at: Loc,
    /// The deprecated `consecutiveErrors`.
    pub consecutive_errors: Option<Located<i64>>,
    pub consecutive_5xx_errors: Option<Located<i64>>,
    pub consecutive_gateway_errors: Option<Located<i64>>,
    pub consecutive_local_origin_failures: Option<Located<i64>>,
    pub split_external_local_origin_errors: Option<Located<bool>>,
    pub interval: Option<Located<String>>,
    pub base_ejection_time: Option<Located<String>>,
    pub max_ejection_percent: Option<Located<i64>>,
    pub min_health_percent: Option<Located<i64>>,
}

#[derive(Clone, Debug)]
pub struct LoadBalancer {
    pub at: Loc,
    pub simple: Option<Located<String>>,
    pub consistent_hash: Option<Json>,
    pub locality_lb_setting: Option<Json>,
    pub warmup_duration_secs: Option<Located<String>>,
}

/// ClientTLSSettings.
#[derive(Clone, Debug)]
pub struct ClientTls {
    pub at: Loc,
    pub mode: Option<Located<String>>,
    pub credential_name: Option<Located<String>>,
    pub client_certificate: Option<Located<String>>,
    pub private_key: Option<Located<String>>,
    pub ca_certificates: Option<Located<String>>,
    pub sni: Option<Located<String>>,
    pub subject_alt_names: Vec<Located<String>>,
    pub insecure_skip_verify: Option<Located<bool>>,
}

impl TrafficPolicy {
    /// The policy at `c`, if it is a mapping.
    pub fn build(c: &Cursor) -> Option<TrafficPolicy> {
        c.node.as_map()?;
        Some(TrafficPolicy {
            at: c.loc(),
            connection_pool: connection_pool(c),
            load_balancer: load_balancer(c),
            outlier_detection: outlier_detection(c),
            tls: client_tls(c),
            port_level_settings: items(c, "portLevelSettings", |p| {
                Some(PortTrafficPolicy {
                    at: p.loc(),
                    port: p.map("port").and_then(|n| n.u32("number")),
                    connection_pool: connection_pool(p),
                    load_balancer: load_balancer(p),
                    outlier_detection: outlier_detection(p),
                    tls: client_tls(p),
                })
            }),
            tunnel: c.json("tunnel"),
            proxy_protocol: c.json("proxyProtocol"),
        })
    }
}

fn connection_pool(c: &Cursor) -> Option<Box<ConnectionPool>> {
    let c = c.map("connectionPool")?;
    Some(Box::new(ConnectionPool {
        at: c.loc(),
        tcp: c.map("tcp").map(|t| TcpSettings {
            at: t.loc(),
            max_connections: t.int("maxConnections"),
            connect_timeout: t.string("connectTimeout"),
            tcp_keepalive: t.json("tcpKeepalive"),
            max_connection_duration: t.string("maxConnectionDuration"),
            idle_timeout: t.string("idleTimeout"),
        }),
        http: c.map("http").map(|h| HttpSettings {
            at: h.loc(),
            http1_max_pending_requests: h.int("http1MaxPendingRequests"),
            http2_max_requests: h.int("http2MaxRequests"),
            max_requests_per_connection: h.int("maxRequestsPerConnection"),
            max_retries: h.int("maxRetries"),
            max_concurrent_streams: h.int("maxConcurrentStreams"),
            idle_timeout: h.string("idleTimeout"),
            h2_upgrade_policy: h.string("h2UpgradePolicy"),
            use_client_protocol: h.bool("useClientProtocol"),
        }),
    }))
}

fn load_balancer(c: &Cursor) -> Option<Box<LoadBalancer>> {
    let c = c.map("loadBalancer")?;
    Some(Box::new(LoadBalancer {
        at: c.loc(),
        simple: c.string("simple"),
        consistent_hash: c.json("consistentHash"),
        locality_lb_setting: c.json("localityLbSetting"),
        warmup_duration_secs: c.string("warmupDurationSecs"),
    }))
}

fn outlier_detection(c: &Cursor) -> Option<Box<OutlierDetection>> {
    let c = c.map("outlierDetection")?;
    Some(Box::new(OutlierDetection {
        at: c.loc(),
        consecutive_errors: c.int("consecutiveErrors"),
        consecutive_5xx_errors: c.int("consecutive5xxErrors"),
        consecutive_gateway_errors: c.int("consecutiveGatewayErrors"),
        consecutive_local_origin_failures: c.int("consecutiveLocalOriginFailures"),
        split_external_local_origin_errors: c.bool("splitExternalLocalOriginErrors"),
        interval: c.string("interval"),
        base_ejection_time: c.string("baseEjectionTime"),
        max_ejection_percent: c.int("maxEjectionPercent"),
        min_health_percent: c.int("minHealthPercent"),
    }))
}

fn client_tls(c: &Cursor) -> Option<Box<ClientTls>> {
    let c = c.map("tls")?;
    Some(Box::new(ClientTls {
        at: c.loc(),
        mode: c.string("mode"),
        credential_name: c.string("credentialName"),
        client_certificate: c.string("clientCertificate"),
        private_key: c.string("privateKey"),
        ca_certificates: c.string("caCertificates"),
        sni: c.string("sni"),
        subject_alt_names: c.strings("subjectAltNames"),
        insecure_skip_verify: c.bool("insecureSkipVerify"),
    }))
}

impl Locs for TrafficPolicy {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.connection_pool, self.load_balancer, self.outlier_detection,
            self.tls, self.port_level_settings, self.tunnel, self.proxy_protocol);
    }
}

impl Locs for PortTrafficPolicy {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.port, self.connection_pool, self.load_balancer,
            self.outlier_detection, self.tls);
    }
}

impl Locs for ConnectionPool {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.tcp, self.http);
    }
}

impl Locs for TcpSettings {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.max_connections, self.connect_timeout, self.tcp_keepalive,
            self.max_connection_duration, self.idle_timeout);
    }
}

impl Locs for HttpSettings {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.http1_max_pending_requests, self.http2_max_requests,
            self.max_requests_per_connection, self.max_retries, self.max_concurrent_streams,
            self.idle_timeout, self.h2_upgrade_policy, self.use_client_protocol);
    }
}

impl Locs for OutlierDetection {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.consecutive_errors, self.consecutive_5xx_errors,
            self.consecutive_gateway_errors, self.consecutive_local_origin_failures,
            self.split_external_local_origin_errors, self.interval, self.base_ejection_time,
            self.max_ejection_percent, self.min_health_percent);
    }
}

impl Locs for LoadBalancer {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.simple, self.consistent_hash, self.locality_lb_setting,
            self.warmup_duration_secs);
    }
}

impl Locs for ClientTls {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.at, self.mode, self.credential_name, self.client_certificate,
            self.private_key, self.ca_certificates, self.sni, self.subject_alt_names,
            self.insecure_skip_verify);
    }
}
