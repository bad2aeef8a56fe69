//! `istiolint generate`: manifests from concise flags. Builders return JSON
//! values; the CLI emits them in the canonical style and self-checks them.

use serde_json::{json, Map, Value};

use crate::duration;

/// A subset: name and labels, from `NAME:KEY=VALUE[,KEY=VALUE]` or `vN`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsetSpec {
    pub name: String,
    pub labels: Vec<(String, String)>,
}

impl std::str::FromStr for SubsetSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let Some((name, labels)) = s.split_once(':') else {
            // `v2` is shorthand for the tutorial's `version-v2:version=v2`.
            if s.len() > 1 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit()) {
                return Ok(SubsetSpec {
                    name: format!("version-{s}"),
                    labels: vec![("version".into(), s.into())],
                });
            }
            return Err(format!("subset `{s}`: expected NAME:KEY=VALUE[,KEY=VALUE] (or vN for version-vN:version=vN)"));
        };
        check_subset_name(name)?;
        let labels = labels
            .split(',')
            .map(|kv| {
                let (k, v) = kv
                    .split_once('=')
                    .filter(|(k, _)| !k.is_empty())
                    .ok_or_else(|| format!("subset `{s}`: label `{kv}` is not KEY=VALUE"))?;
                crate::rules::validators::label(k, v).map_err(|e| format!("subset `{s}`: {e}"))?;
                Ok((k.to_string(), v.to_string()))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(SubsetSpec {
            name: name.to_string(),
            labels,
        })
    }
}

fn check_subset_name(name: &str) -> Result<(), String> {
    if crate::rules::validators::is_dns1123_label(name) {
        Ok(())
    } else {
        Err(format!(
            "subset name `{name}` must be a DNS-1123 label (letters, digits, '-')"
        ))
    }
}

/// A split entry: `SUBSET=WEIGHT` or `SUBSET` (weight spread evenly).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitSpec {
    pub subset: String,
    pub weight: Option<i64>,
}

impl std::str::FromStr for SplitSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (subset, weight) = match s.split_once('=') {
            Some((n, w)) => {
                let w: i64 = w
                    .parse()
                    .map_err(|_| format!("`{s}`: weight `{w}` is not a whole number"))?;
                if w < 0 {
                    return Err(format!("`{s}`: weight must not be negative"));
                }
                (n, Some(w))
            }
            None => (s, None),
        };
        check_subset_name(subset)?;
        Ok(SplitSpec {
            subset: subset.to_string(),
            weight,
        })
    }
}

/// Common metadata.
#[derive(Clone, Debug)]
pub struct Meta {
    pub api_version: String,
    pub name: String,
    pub namespace: Option<String>,
}

impl Meta {
    /// `v1alpha3` or `networking.istio.io/v1alpha3` → the full apiVersion.
    pub fn api_version(flag: &str) -> Result<String, String> {
        let version = flag.strip_prefix("networking.istio.io/").unwrap_or(flag);
        match version {
            "v1" | "v1beta1" | "v1alpha3" => Ok(format!("networking.istio.io/{version}")),
            _ => Err(format!(
                "--api-version: `{flag}` is not one of v1, v1beta1, v1alpha3"
            )),
        }
    }

    fn object(&self, kind: &str, spec: Value) -> Value {
        let mut metadata = Map::new();
        metadata.insert("name".into(), json!(self.name));
        if let Some(ns) = &self.namespace {
            metadata.insert("namespace".into(), json!(ns));
        }
        json!({"apiVersion": self.api_version, "kind": kind, "metadata": metadata, "spec": spec})
    }
}

/// The default object name: the host's short name.
pub fn short_name(host: &str) -> String {
    host.split('.').next().unwrap_or(host).to_string()
}

/// Weights that sum to exactly 100: explicit ones kept, the rest spread over
/// the omitted ones, the remainder going to the first.
pub fn resolve_weights(split: &[SplitSpec], relative: bool) -> Result<Vec<i64>, String> {
    if split.is_empty() {
        return Err("give at least one subset to route to".into());
    }
    let explicit: i64 = split.iter().filter_map(|s| s.weight).sum();
    let omitted = split.iter().filter(|s| s.weight.is_none()).count() as i64;
    if omitted == 0 {
        if explicit != 100 && !relative {
            return Err(format!(
                "weights add up to {explicit}, not 100; fix them or pass --relative-weights (Istio >= 1.15)"
            ));
        }
        if explicit == 0 {
            return Err("all weights are 0: no subset would get traffic".into());
        }
        return Ok(split.iter().map(|s| s.weight.unwrap_or(0)).collect());
    }
    let rest = 100 - explicit;
    if rest < omitted {
        return Err(format!(
            "explicit weights add up to {explicit}, leaving {rest} for {omitted} subset(s) without a weight"
        ));
    }
    let (each, mut extra) = (rest / omitted, rest % omitted);
    Ok(split
        .iter()
        .map(|s| {
            s.weight.unwrap_or_else(|| {
                let bonus = i64::from(extra > 0);
                extra -= bonus;
                each + bonus
            })
        })
        .collect())
}

/// The VirtualService for a traffic split.
pub fn split(
    meta: &Meta,
    host: &str,
    split: &[SplitSpec],
    relative: bool,
) -> Result<Value, String> {
    let mut seen = Vec::new();
    for s in split {
        if seen.contains(&&s.subset) {
            return Err(format!("subset `{}` is listed twice", s.subset));
        }
        seen.push(&s.subset);
    }
    let weights = resolve_weights(split, relative)?;
    let route: Vec<Value> = split
        .iter()
        .zip(weights)
        .map(|(s, w)| {
            let dest = json!({"host": host, "subset": s.subset});
            if split.len() == 1 && w == 100 {
                json!({"destination": dest})
            } else {
                json!({"destination": dest, "weight": w})
            }
        })
        .collect();
    Ok(meta.object(
        "VirtualService",
        json!({"hosts": [host], "http": [{"route": route}]}),
    ))
}

/// Connection pool and outlier detection settings; also the flags of
/// `generate circuit-breaker`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Breaker {
    /// connectionPool.tcp.maxConnections: connections per client proxy to each host.
    #[arg(long)]
    pub max_connections: Option<i64>,
    /// connectionPool.tcp.connectTimeout, e.g. 10s.
    #[arg(long, value_name = "DURATION")]
    pub connect_timeout: Option<String>,
    /// connectionPool.http.http1MaxPendingRequests: requests waiting for a connection.
    #[arg(long = "http1-max-pending-requests")]
    pub http1_max_pending_requests: Option<i64>,
    /// connectionPool.http.http2MaxRequests: active requests to the service.
    #[arg(long = "http2-max-requests")]
    pub http2_max_requests: Option<i64>,
    /// connectionPool.http.maxRequestsPerConnection (1 disables keep-alive).
    #[arg(long)]
    pub max_requests_per_connection: Option<i64>,
    /// connectionPool.http.maxRetries: concurrent retries to the service.
    #[arg(long)]
    pub max_retries: Option<i64>,
    /// outlierDetection.consecutive5xxErrors: 5xx responses before a host is ejected.
    #[arg(long = "consecutive-5xx-errors")]
    pub consecutive_5xx_errors: Option<i64>,
    /// outlierDetection.consecutiveGatewayErrors: 502/503/504 responses before a host is ejected.
    #[arg(long)]
    pub consecutive_gateway_errors: Option<i64>,
    /// outlierDetection.interval between ejection sweeps, e.g. 1s.
    #[arg(long, value_name = "DURATION")]
    pub interval: Option<String>,
    /// outlierDetection.baseEjectionTime: how long a host stays ejected (times the ejections), e.g. 3m.
    #[arg(long, value_name = "DURATION")]
    pub base_ejection_time: Option<String>,
    /// outlierDetection.maxEjectionPercent: at most this share of hosts ejected (0-100).
    #[arg(long)]
    pub max_ejection_percent: Option<i64>,
    /// outlierDetection.minHealthPercent: outlier detection stops below this share of healthy hosts (0-100).
    #[arg(long)]
    pub min_health_percent: Option<i64>,
}

impl Breaker {
    /// The trafficPolicy, or a message naming the offending flag.
    pub fn traffic_policy(&self) -> Result<Value, String> {
        let positive = |flag: &str, v: Option<i64>| -> Result<Option<Value>, String> {
            match v {
                Some(n) if n < 1 => Err(format!("--{flag} must be at least 1, got {n}")),
                Some(n) if n > i64::from(i32::MAX) => Err(format!("--{flag} is too large ({n})")),
                other => Ok(other.map(Value::from)),
            }
        };
        let percent = |flag: &str, v: Option<i64>| -> Result<Option<Value>, String> {
            match v {
                Some(n) if !(0..=100).contains(&n) => {
                    Err(format!("--{flag} must be between 0 and 100, got {n}"))
                }
                other => Ok(other.map(Value::from)),
            }
        };
        let dur = |flag: &str, v: &Option<String>| -> Result<Option<Value>, String> {
            let Some(s) = v else { return Ok(None) };
            let n = duration::parse(s).map_err(|e| format!("--{flag}: {e}"))?;
            if n < 1_000_000 {
                return Err(format!("--{flag} must be at least 1ms, got {s}"));
            }
            if n % 1_000_000 != 0 {
                return Err(format!(
                    "--{flag}: Istio supports millisecond precision only, got {s}"
                ));
            }
            Ok(Some(json!(s)))
        };
        let mut tcp = Map::new();
        let mut http = Map::new();
        let mut od = Map::new();
        let put = |m: &mut Map<String, Value>, k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        };
        put(
            &mut tcp,
            "maxConnections",
            positive("max-connections", self.max_connections)?,
        );
        put(
            &mut tcp,
            "connectTimeout",
            dur("connect-timeout", &self.connect_timeout)?,
        );
        put(
            &mut http,
            "http1MaxPendingRequests",
            positive(
                "http1-max-pending-requests",
                self.http1_max_pending_requests,
            )?,
        );
        put(
            &mut http,
            "http2MaxRequests",
            positive("http2-max-requests", self.http2_max_requests)?,
        );
        put(
            &mut http,
            "maxRequestsPerConnection",
            positive(
                "max-requests-per-connection",
                self.max_requests_per_connection,
            )?,
        );
        put(
            &mut http,
            "maxRetries",
            positive("max-retries", self.max_retries)?,
        );
        put(
            &mut od,
            "consecutive5xxErrors",
            positive("consecutive-5xx-errors", self.consecutive_5xx_errors)?,
        );
        put(
            &mut od,
            "consecutiveGatewayErrors",
            positive(
                "consecutive-gateway-errors",
                self.consecutive_gateway_errors,
            )?,
        );
        put(&mut od, "interval", dur("interval", &self.interval)?);
        put(
            &mut od,
            "baseEjectionTime",
            dur("base-ejection-time", &self.base_ejection_time)?,
        );
        put(
            &mut od,
            "maxEjectionPercent",
            percent("max-ejection-percent", self.max_ejection_percent)?,
        );
        put(
            &mut od,
            "minHealthPercent",
            percent("min-health-percent", self.min_health_percent)?,
        );
        let mut tp = Map::new();
        let mut pool = Map::new();
        if !tcp.is_empty() {
            pool.insert("tcp".into(), Value::Object(tcp));
        }
        if !http.is_empty() {
            pool.insert("http".into(), Value::Object(http));
        }
        if !pool.is_empty() {
            tp.insert("connectionPool".into(), Value::Object(pool));
        }
        if !od.is_empty() {
            tp.insert("outlierDetection".into(), Value::Object(od));
        }
        if tp.is_empty() {
            return Err(
                "give at least one limit, e.g. --max-connections 1 or --consecutive-5xx-errors 1"
                    .into(),
            );
        }
        Ok(Value::Object(tp))
    }
}

/// The DestinationRule defining subsets, optionally with a breaker on all
/// of them or on one subset.
pub fn destination_rule(
    meta: &Meta,
    host: &str,
    subsets: &[SubsetSpec],
    breaker: Option<(&Breaker, Option<&str>)>,
) -> Result<Value, String> {
    let mut names = Vec::new();
    for s in subsets {
        if names.contains(&&s.name) {
            return Err(format!("subset `{}` is defined twice", s.name));
        }
        names.push(&s.name);
    }
    let mut subset_values: Vec<Value> = subsets
        .iter()
        .map(|s| {
            let labels: Map<String, Value> = s
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            json!({"name": s.name, "labels": labels})
        })
        .collect();
    let mut spec = json!({"host": host});
    if let Some((b, for_subset)) = breaker {
        let tp = b.traffic_policy()?;
        match for_subset {
            Some(target) => {
                // `v2` names `version-v2`, as in the positional shorthand.
                let shorthand = format!("version-{target}");
                let i = subsets
                    .iter()
                    .position(|s| s.name == target)
                    .or_else(|| subsets.iter().position(|s| s.name == shorthand))
                    .ok_or_else(|| {
                        format!(
                            "--for-subset: `{target}` is not one of the subsets ({})",
                            names
                                .iter()
                                .map(|n| n.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })?;
                subset_values[i]["trafficPolicy"] = tp;
            }
            None => spec["trafficPolicy"] = tp,
        }
    }
    if !subset_values.is_empty() {
        spec["subsets"] = Value::Array(subset_values);
    }
    Ok(meta.object("DestinationRule", spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(items: &[&str]) -> Vec<SplitSpec> {
        items.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn weights_are_spread_to_sum_100() {
        assert_eq!(
            resolve_weights(&specs(&["a", "b"]), false),
            Ok(vec![50, 50])
        );
        assert_eq!(
            resolve_weights(&specs(&["a", "b", "c"]), false),
            Ok(vec![34, 33, 33])
        );
        assert_eq!(
            resolve_weights(&specs(&["a=10", "b", "c"]), false),
            Ok(vec![10, 45, 45])
        );
        assert_eq!(
            resolve_weights(&specs(&["a=75", "b=25"]), false),
            Ok(vec![75, 25])
        );
        assert!(resolve_weights(&specs(&["a=75", "b=50"]), false)
            .unwrap_err()
            .contains("add up to 125"));
        assert_eq!(
            resolve_weights(&specs(&["a=1", "b=3"]), true),
            Ok(vec![1, 3])
        );
        assert!(resolve_weights(&specs(&["a=100", "b"]), false).is_err());
    }

    #[test]
    fn subset_specs() {
        assert_eq!(
            "version-v1:version=v1".parse::<SubsetSpec>(),
            Ok(SubsetSpec {
                name: "version-v1".into(),
                labels: vec![("version".into(), "v1".into())]
            })
        );
        assert_eq!("v2".parse::<SubsetSpec>().unwrap().name, "version-v2");
        assert!("Bad_Name:a=b".parse::<SubsetSpec>().is_err());
        assert!("x:novalue".parse::<SubsetSpec>().is_err());
    }
}
