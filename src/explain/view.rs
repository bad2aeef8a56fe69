//! What `explain` found, independent of the output format. The JSON form is
//! serialised from these types (key names as issue #16 specifies them).

use serde::ser::{Serialize, SerializeMap, Serializer};

#[derive(Clone, Debug, Default)]
pub struct Explanation {
    pub hosts: Vec<HostView>,
    /// What the estimates assume, printed with them.
    pub assumptions: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct HostView {
    /// The FQDN.
    pub host: String,
    pub routes: Vec<RouteView>,
    /// The default cluster (`name: None`) first, then the subsets.
    pub subsets: Vec<ClusterView>,
    /// The consequences in words.
    pub notes: Vec<String>,
}

/// One rule of a VirtualService as one source (mesh or a gateway) sees it.
#[derive(Clone, Debug)]
pub struct RouteView {
    /// `mesh` or `gateway NS/NAME`.
    pub source: String,
    /// `NS/NAME`.
    pub virtual_service: String,
    /// `http`, `tcp` or `tls`.
    pub protocol: &'static str,
    /// Position in its section, as in `spec.http[index]`.
    pub index: usize,
    /// The match in words ("header end-user = jason"), `any request` when none.
    pub matched: String,
    pub destinations: Vec<DestinationView>,
    /// A rule that answers itself or hands over: redirect, direct response, delegate.
    pub action: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DestinationView {
    /// The destination host, as an FQDN.
    pub host: String,
    pub subset: Option<String>,
    pub port: Option<u32>,
    pub percent: f64,
}

/// One Envoy cluster of the host: its default cluster or a subset's.
#[derive(Clone, Debug)]
pub struct ClusterView {
    pub name: Option<String>,
    /// Set when port-level settings give this port a cluster of its own.
    pub port: Option<u32>,
    pub labels: Vec<(String, String)>,
    /// `NS/NAME` of the DestinationRule(s) the policy came from.
    pub destination_rule: Option<String>,
    pub settings: super::cluster::ClusterSettings,
    pub load: Option<super::load::Load>,
}

/// A number in JSON without a trailing `.0` when it is whole, so that
/// scripts comparing with integers see `10`, not `10.0`.
pub fn number(x: f64) -> serde_json::Value {
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 && r.abs() < 9.0e15 {
        serde_json::Value::from(r as i64)
    } else {
        serde_json::Value::from(r)
    }
}

impl Serialize for Explanation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("hosts", &self.hosts)?;
        m.serialize_entry("assumptions", &self.assumptions)?;
        m.end()
    }
}

impl Serialize for HostView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("host", &self.host)?;
        m.serialize_entry("routes", &self.routes)?;
        m.serialize_entry("subsets", &self.subsets)?;
        m.serialize_entry("notes", &self.notes)?;
        m.end()
    }
}

impl Serialize for RouteView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("source", &self.source)?;
        m.serialize_entry("virtual_service", &self.virtual_service)?;
        m.serialize_entry("protocol", self.protocol)?;
        m.serialize_entry("index", &self.index)?;
        m.serialize_entry("match", &self.matched)?;
        let dests: Vec<serde_json::Value> = self
            .destinations
            .iter()
            .map(|d| {
                serde_json::json!({
                    "host": d.host,
                    "subset": d.subset,
                    "port": d.port,
                    "percent": number(d.percent),
                })
            })
            .collect();
        m.serialize_entry("destinations", &dests)?;
        if let Some(a) = &self.action {
            m.serialize_entry("action", a)?;
        }
        m.end()
    }
}

impl Serialize for ClusterView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let st = &self.settings;
        let cb = &st.circuit_breakers;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &self.name)?;
        m.serialize_entry("port", &self.port)?;
        let labels: serde_json::Map<String, serde_json::Value> = self
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
            .collect();
        m.serialize_entry("labels", &labels)?;
        m.serialize_entry(
            "circuit_breakers",
            &serde_json::json!({
                "max_connections": cb.max_connections.value,
                "max_pending_requests": cb.max_pending_requests.value,
                "max_requests": cb.max_requests.value,
                "max_retries": cb.max_retries.value,
                "max_requests_per_connection": st.max_requests_per_connection,
            }),
        )?;
        let outlier = st.outlier_detection.as_ref().map(|o| {
            serde_json::json!({
                "consecutive_5xx": o.consecutive_5xx.value,
                "consecutive_gateway_errors": o.consecutive_gateway_errors,
                "interval": crate::duration::format(o.interval.value),
                "base_ejection_time": crate::duration::format(o.base_ejection_time.value),
                "max_ejection_percent": o.max_ejection_percent.value,
                "min_health_percent": st.panic_threshold,
            })
        });
        m.serialize_entry("outlier_detection", &outlier)?;
        m.serialize_entry("per_client_concurrency_limit", &st.limit.total())?;
        let load = self.load.as_ref().map(|l| {
            serde_json::json!({
                "concurrent": number(l.concurrent),
                "admitted": number(l.active + l.pending),
                "overflow": number(l.overflow),
            })
        });
        m.serialize_entry("load", &load)?;
        m.end()
    }
}
