//! The Envoy cluster settings Istio writes for one effective policy, with
//! the defaults of Istio and Envoy filled in. Each number names its source.

use crate::model::traffic_policy::{ConnectionPool, LoadBalancer, OutlierDetection};
use crate::model::traffic_policy_merge::{EffectivePolicy, Origin};

/// Istio's circuit-breaker default for all four thresholds: `math.MaxUint32`
/// (pilot/pkg/networking/core/cluster_traffic_policy.go
/// getDefaultCircuitBreakerThresholds), not Envoy's 1024 / 3.
pub const ISTIO_DEFAULT_THRESHOLD: u64 = u32::MAX as u64;

/// Envoy's OutlierDetection defaults for fields Istio leaves unset
/// (envoy/config/cluster/v3/outlier_detection.proto).
pub const ENVOY_CONSECUTIVE_5XX: u64 = 5;
pub const ENVOY_INTERVAL_NS: i128 = 10 * SECOND;
pub const ENVOY_BASE_EJECTION_NS: i128 = 30 * SECOND;
pub const ENVOY_MAX_EJECTION_PERCENT: u64 = 10;
/// consecutive_local_origin_failure's default.
pub const ENVOY_LOCAL_ORIGIN_FAILURES: u64 = 5;
/// Cluster.CommonLbConfig.healthy_panic_threshold when unset.
pub const ENVOY_PANIC_THRESHOLD: u64 = 50;
/// Http2ProtocolOptions.max_concurrent_streams default.
pub const ENVOY_H2_MAX_CONCURRENT_STREAMS: u64 = 2_147_483_647;
const SECOND: i128 = 1_000_000_000;

/// A value and whether the manifests set it (else it is a default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub set: bool,
}

impl<T> Setting<T> {
    fn set(value: T) -> Self {
        Setting { value, set: true }
    }
    fn default(value: T) -> Self {
        Setting { value, set: false }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircuitBreakers {
    pub max_connections: Setting<u64>,
    pub max_pending_requests: Setting<u64>,
    pub max_requests: Setting<u64>,
    pub max_retries: Setting<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outlier {
    /// 0: disabled (Istio sets enforcing_consecutive_5xx to 0).
    pub consecutive_5xx: Setting<u64>,
    /// `None`: not enforced (Envoy's enforcing_consecutive_gateway_failure
    /// defaults to 0); `Some(0)`: set to 0, also disabled.
    pub consecutive_gateway_errors: Option<u64>,
    /// With splitExternalLocalOriginErrors: consecutive local-origin failures.
    pub local_origin_failures: Option<u64>,
    pub interval: Setting<i128>,
    pub base_ejection_time: Setting<i128>,
    pub max_ejection_percent: Setting<u64>,
    /// The deprecated `consecutiveErrors`, which Istio no longer reads.
    pub ignored_consecutive_errors: Option<i64>,
    /// Where the block came from.
    pub origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    Http2,
}

/// How many requests one client proxy gets through before 503 UO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub active: u64,
    pub pending: u64,
}

impl Limit {
    pub fn total(&self) -> u64 {
        self.active.saturating_add(self.pending)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterSettings {
    pub circuit_breakers: CircuitBreakers,
    /// `None`: unlimited (Istio sets it only when > 0; Envoy has no limit).
    pub max_requests_per_connection: Option<u64>,
    /// `None`: no outlier detection at all (Istio writes none).
    pub outlier_detection: Option<Outlier>,
    /// Envoy's healthy_panic_threshold in percent.
    pub panic_threshold: u64,
    pub load_balancer: Setting<String>,
    /// The DestinationRule's TLS mode, `None` for auto mTLS.
    pub tls_mode: Option<String>,
    pub protocol: Protocol,
    pub limit: Limit,
    pub pool_origin: Origin,
    pub lb_origin: Origin,
    pub tls_origin: Origin,
}

/// A positive int32 field as Istio reads it (`if x > 0 { uint32(x) }`).
fn positive(v: Option<i64>) -> Option<u64> {
    v.filter(|&x| x > 0)
        .map(|x| x.min(ISTIO_DEFAULT_THRESHOLD as i64) as u64)
}

fn threshold(v: Option<i64>) -> Setting<u64> {
    positive(v).map_or(Setting::default(ISTIO_DEFAULT_THRESHOLD), Setting::set)
}

/// A duration as written, if it parses; else the default.
fn duration(v: Option<&str>, default: i128) -> Setting<i128> {
    match v.map(crate::duration::parse) {
        Some(Ok(ns)) if ns > 0 => Setting::set(ns),
        _ => Setting::default(default),
    }
}

/// The cluster settings; `h2_port`: the Service port is HTTP/2 (grpc,
/// grpc-web, http2), which makes the cluster HTTP/2 whatever the policy
/// (ClusterBuilder.setUpstreamProtocol).
pub fn compute(policy: &EffectivePolicy) -> ClusterSettings {
    compute_for(policy, false)
}

pub fn compute_for(policy: &EffectivePolicy, h2_port: bool) -> ClusterSettings {
    let pool = policy.connection_pool.value;
    let http = pool.and_then(|p| p.http.as_ref());
    let tcp = pool.and_then(|p| p.tcp.as_ref());
    let int = |v: Option<&crate::model::Located<i64>>| v.map(|l| l.value);
    // applyConnectionPool: each threshold replaces the default only when > 0.
    let circuit_breakers = CircuitBreakers {
        max_connections: threshold(int(tcp.and_then(|t| t.max_connections.as_ref()))),
        max_pending_requests: threshold(int(
            http.and_then(|h| h.http1_max_pending_requests.as_ref())
        )),
        max_requests: threshold(int(http.and_then(|h| h.http2_max_requests.as_ref()))),
        max_retries: threshold(int(http.and_then(|h| h.max_retries.as_ref()))),
    };
    let max_requests_per_connection = positive(int(
        http.and_then(|h| h.max_requests_per_connection.as_ref())
    ));
    let protocol = if h2_port {
        Protocol::Http2
    } else {
        protocol(pool)
    };
    let streams = positive(int(http.and_then(|h| h.max_concurrent_streams.as_ref())))
        .unwrap_or(ENVOY_H2_MAX_CONCURRENT_STREAMS);
    let limit = limit(&circuit_breakers, protocol, streams);
    let outlier_detection = policy
        .outlier_detection
        .value
        .map(|o| outlier(o, policy.outlier_detection.origin.clone()));
    ClusterSettings {
        panic_threshold: policy
            .outlier_detection
            .value
            .map_or(ENVOY_PANIC_THRESHOLD, panic_threshold),
        circuit_breakers,
        max_requests_per_connection,
        outlier_detection,
        load_balancer: load_balancer(policy.load_balancer.value),
        tls_mode: policy
            .tls
            .value
            .and_then(|t| t.mode.as_ref())
            .map(|m| m.value.clone()),
        protocol,
        limit,
        pool_origin: policy.connection_pool.origin.clone(),
        lb_origin: policy.load_balancer.origin.clone(),
        tls_origin: policy.tls.origin.clone(),
    }
}

/// Istio's protocol of a Service port is HTTP/2 (pkg/config/kube
/// conversion.go ConvertProtocol: appProtocol, else the name; `grpc-web`
/// prefix first, then the part before `-`; protocol.IsHTTP2).
pub fn is_h2_port(name: Option<&str>, app_protocol: Option<&str>) -> bool {
    let name = match app_protocol {
        Some("kubernetes.io/h2c") => return true,
        Some(a) => a,
        None => name.unwrap_or(""),
    }
    .to_ascii_lowercase();
    if name.starts_with("grpc-web") {
        return true;
    }
    let prefix = name.split('-').next().unwrap_or("");
    matches!(prefix, "grpc" | "http2")
}

/// shouldH2Upgrade: `h2UpgradePolicy: UPGRADE` makes the cluster HTTP/2
/// unless `useClientProtocol` is set. The mesh default (h2UpgradePolicy
/// DO_NOT_UPGRADE) keeps HTTP/1.1 for ports declared `http`.
fn protocol(pool: Option<&ConnectionPool>) -> Protocol {
    let http = pool.and_then(|p| p.http.as_ref());
    let client = http
        .and_then(|h| h.use_client_protocol.as_ref())
        .is_some_and(|b| b.value);
    let upgrade = http
        .and_then(|h| h.h2_upgrade_policy.as_ref())
        .is_some_and(|p| p.value == "UPGRADE");
    if upgrade && !client {
        Protocol::Http2
    } else {
        Protocol::Http1
    }
}

/// Requests in flight before Envoy answers 503 UO. HTTP/1.1 carries one
/// request per connection, so max_connections bounds the active ones (and
/// max_requests too: Envoy's pool checks it for every HTTP stream,
/// ConnPoolImplBase::attachStreamToClient); the next max_pending_requests
/// wait for a connection. HTTP/2 multiplexes: max_requests bounds them.
fn limit(cb: &CircuitBreakers, protocol: Protocol, streams: u64) -> Limit {
    let active = match protocol {
        Protocol::Http1 => cb.max_connections.value.min(cb.max_requests.value),
        Protocol::Http2 => cb
            .max_requests
            .value
            .min(cb.max_connections.value.saturating_mul(streams)),
    };
    Limit {
        active,
        pending: cb.max_pending_requests.value,
    }
}

/// applyOutlierDetection.
fn outlier(o: &OutlierDetection, origin: Origin) -> Outlier {
    let int = |v: &Option<crate::model::Located<i64>>| v.as_ref().map(|l| l.value);
    // Consecutive_5XxErrors is a UInt32Value: set (even to 0) it replaces
    // Envoy's 5; 0 turns enforcement off.
    let consecutive_5xx = match int(&o.consecutive_5xx_errors) {
        Some(v) if v >= 0 => Setting::set(v as u64),
        _ => Setting::default(ENVOY_CONSECUTIVE_5XX),
    };
    let consecutive_gateway_errors = int(&o.consecutive_gateway_errors)
        .filter(|&v| v >= 0)
        .map(|v| v as u64);
    let split = o
        .split_external_local_origin_errors
        .as_ref()
        .is_some_and(|b| b.value);
    let local_origin_failures = split.then(|| {
        positive(int(&o.consecutive_local_origin_failures)).unwrap_or(ENVOY_LOCAL_ORIGIN_FAILURES)
    });
    Outlier {
        consecutive_5xx,
        consecutive_gateway_errors,
        local_origin_failures,
        interval: duration(
            o.interval.as_ref().map(|d| d.value.as_str()),
            ENVOY_INTERVAL_NS,
        ),
        base_ejection_time: duration(
            o.base_ejection_time.as_ref().map(|d| d.value.as_str()),
            ENVOY_BASE_EJECTION_NS,
        ),
        max_ejection_percent: positive(int(&o.max_ejection_percent))
            .map_or(Setting::default(ENVOY_MAX_EJECTION_PERCENT), Setting::set),
        ignored_consecutive_errors: int(&o.consecutive_errors),
        origin,
    }
}

/// Istio sets healthy_panic_threshold to minHealthPercent whenever an
/// outlierDetection block exists and the value is >= 0, so an unset
/// minHealthPercent disables panic mode (threshold 0).
fn panic_threshold(o: &OutlierDetection) -> u64 {
    match o.min_health_percent.as_ref().map(|m| m.value) {
        Some(v) if v < 0 => ENVOY_PANIC_THRESHOLD,
        Some(v) => v.min(100) as u64,
        None => 0,
    }
}

/// applyLoadBalancer: unset, UNSPECIFIED and LEAST_CONN give LEAST_REQUEST
/// (defaultLBAlgorithm); consistentHash gives RING_HASH or MAGLEV
/// (ApplyRingHashLoadBalancer); PASSTHROUGH gives an ORIGINAL_DST cluster.
fn load_balancer(lb: Option<&LoadBalancer>) -> Setting<String> {
    let Some(lb) = lb else {
        return Setting::default("LEAST_REQUEST".into());
    };
    if let Some(hash) = &lb.consistent_hash {
        let algo = if hash.value.get("maglev").is_some() {
            "MAGLEV"
        } else {
            "RING_HASH"
        };
        return Setting::set(algo.into());
    }
    match lb.simple.as_ref().map(|s| s.value.as_str()) {
        Some("ROUND_ROBIN") => Setting::set("ROUND_ROBIN".into()),
        Some("RANDOM") => Setting::set("RANDOM".into()),
        Some("PASSTHROUGH") => Setting::set("CLUSTER_PROVIDED (ORIGINAL_DST)".into()),
        Some("LEAST_CONN") | Some("LEAST_REQUEST") => Setting::set("LEAST_REQUEST".into()),
        _ => Setting::default("LEAST_REQUEST".into()),
    }
}
