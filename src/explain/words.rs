//! The consequences in words, and the traffic shares the load estimate
//! uses. Response flags are Envoy's: UO upstream overflow (circuit breaker),
//! UH no healthy upstream, NR no route, NC no cluster.

use crate::model::{DestinationRule, Host};

use super::cluster::{ClusterSettings, ISTIO_DEFAULT_THRESHOLD};
use super::routing::{ANY, MESH};
use super::view::{ClusterView, RouteView};

/// Each subset's share (0..=1) of the host's requests from the mesh: the
/// shares of the first rule that matches any request, else of the first
/// rule; without a rule, everything goes to the default cluster.
pub fn shares(host: &Host, routes: &[RouteView]) -> Vec<(Option<String>, f64)> {
    let mesh: Vec<&RouteView> = routes
        .iter()
        .filter(|r| r.source == MESH && r.action.is_none())
        .collect();
    let Some(rule) = mesh
        .iter()
        .find(|r| r.matched == ANY)
        .or_else(|| mesh.first())
    else {
        return vec![(None, 1.0)];
    };
    let mut out: Vec<(Option<String>, f64)> = Vec::new();
    for d in rule.destinations.iter().filter(|d| d.host == host.as_str()) {
        match out.iter_mut().find(|(s, _)| *s == d.subset) {
            Some((_, share)) => *share += d.percent / 100.0,
            None => out.push((d.subset.clone(), d.percent / 100.0)),
        }
    }
    out
}

pub fn share_of(shares: &[(Option<String>, f64)], name: Option<&str>) -> f64 {
    shares
        .iter()
        .find(|(s, _)| s.as_deref() == name)
        .map_or(0.0, |(_, x)| *x)
}

pub fn cluster_name(c: &ClusterView) -> String {
    let name = c.name.as_deref().unwrap_or("default cluster");
    match c.port {
        Some(p) => format!("{name} (port {p})"),
        None => name.to_string(),
    }
}

/// "unlimited" for Istio's 2^32-1 defaults.
pub fn count(v: u64) -> String {
    if v >= ISTIO_DEFAULT_THRESHOLD {
        "unlimited".into()
    } else {
        v.to_string()
    }
}

pub fn notes(
    host: &Host,
    routes: &[RouteView],
    clusters: &[ClusterView],
    rule: Option<&DestinationRule>,
    clients: Option<u64>,
    gateway: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mesh_shown = gateway.is_none_or(|g| g == MESH);
    if mesh_shown && !routes.iter().any(|r| r.source == MESH) {
        out.push("No VirtualService routes this host from the mesh: Istio's default route sends every request to the default cluster, across all subsets' endpoints.".into());
    }
    if rule.is_none() {
        out.push("No DestinationRule for this host: its cluster has Istio's and Envoy's defaults (no circuit-breaker limit, no outlier detection).".into());
    }
    let mut sources: Vec<&str> = routes.iter().map(|r| r.source.as_str()).collect();
    sources.dedup();
    for src in sources {
        let http: Vec<&RouteView> = routes
            .iter()
            .filter(|r| r.source == src && r.protocol == "http")
            .collect();
        if !http.is_empty() && !http.iter().any(|r| r.matched == ANY) {
            out.push(format!("From {src}: a request that matches none of the rules gets 404 with flag NR (no route)."));
        }
    }
    let mut missing: Vec<&str> = routes
        .iter()
        .flat_map(|r| &r.destinations)
        .filter(|d| d.host == host.as_str())
        .filter_map(|d| d.subset.as_deref())
        .filter(|s| rule.is_none_or(|r| r.subset(s).is_none()))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    for s in missing {
        out.push(format!("Subset {s} is not defined by a DestinationRule of this host: Envoy has no cluster for it, requests routed there get 503 with flag NC (no cluster)."));
    }
    // Clusters with the same consequence share one line.
    let mut grouped: Vec<(Vec<String>, String)> = Vec::new();
    for c in clusters {
        let mut texts = Vec::new();
        cluster_notes(c, clients, &mut texts);
        for t in texts {
            match grouped.iter_mut().find(|(_, x)| *x == t) {
                Some((names, _)) => names.push(cluster_name(c)),
                None => grouped.push((vec![cluster_name(c)], t)),
            }
        }
    }
    for (names, text) in grouped {
        let who = if names.len() == clusters.len() && names.len() > 1 {
            "every cluster".to_string()
        } else {
            names.join(", ")
        };
        out.push(format!("{who}: {text}"));
    }
    let routed_subsets = routes
        .iter()
        .flat_map(|r| &r.destinations)
        .any(|d| d.host == host.as_str() && d.subset.is_some());
    if routed_subsets {
        out.push("A subset never falls back to another: when a subset's hosts are all ejected or its limits are reached, its share of requests still fails; Envoy does not send it to another subset.".into());
    }
    out
}

fn cluster_notes(c: &ClusterView, clients: Option<u64>, out: &mut Vec<String>) {
    let st: &ClusterSettings = &c.settings;
    let limit = st.limit;
    let t = ISTIO_DEFAULT_THRESHOLD;
    if limit.active < t && limit.pending >= t {
        out.push(format!(
            "one client proxy has {} request(s) at a time active; the others wait in an unlimited pending queue (no 503 UO, but timeouts apply).",
            limit.active
        ));
    } else if limit.active < t {
        let mut s = format!(
            "the limits count per client proxy (each calling sidecar or gateway has its own): one proxy gets {} requests at a time through ({} active, {} pending), the next get 503 with flag UO (upstream overflow).",
            limit.total(),
            limit.active,
            limit.pending
        );
        if let Some(n) = clients {
            s += &format!(
                " With {n} client proxies the fleet ceiling is {}.",
                limit.total().saturating_mul(n)
            );
        } else {
            s += " The fleet ceiling is clients x this (--clients N).";
        }
        out.push(s);
    }
    if st.max_requests_per_connection == Some(1) {
        out.push("maxRequestsPerConnection 1 turns keep-alive off: every request opens a new connection.".into());
    }
    let Some(o) = &st.outlier_detection else {
        return;
    };
    if let Some(v) = o.ignored_consecutive_errors {
        let applies = if o.consecutive_5xx.set {
            format!("consecutive5xxErrors {} applies", o.consecutive_5xx.value)
        } else {
            "Envoy's default of 5 consecutive 5xx applies".into()
        };
        out.push(format!(
            "consecutiveErrors {v} is ignored (deprecated; Istio does not translate it): {applies}."
        ));
    }
    let gateway = o.consecutive_gateway_errors.filter(|&g| g > 0);
    if o.consecutive_5xx.value == 0 && gateway.is_none() && o.local_origin_failures.is_none() {
        out.push("outlier detection ejects no host: consecutive5xxErrors is 0 and no other error count is enforced.".into());
        return;
    }
    let mut trigger = Vec::new();
    if o.consecutive_5xx.value > 0 {
        trigger.push(format!("{} consecutive 5xx", o.consecutive_5xx.value));
    }
    if let Some(g) = gateway {
        trigger.push(format!("{g} consecutive gateway errors (502, 503, 504)"));
    }
    if let Some(l) = o.local_origin_failures {
        trigger.push(format!("{l} consecutive local-origin failures"));
    }
    let base = crate::duration::format(o.base_ejection_time.value);
    let cap = crate::duration::format(o.base_ejection_time.value.max(300 * 1_000_000_000));
    out.push(format!(
        "a host is ejected after {} (checked every {}) for {base}, longer each time it is ejected again (up to {cap}); at most {}% of the hosts at a time.",
        trigger.join(" or "),
        crate::duration::format(o.interval.value),
        o.max_ejection_percent.value
    ));
    if o.max_ejection_percent.value < 100 {
        return;
    }
    // Istio writes minHealthPercent as healthy_panic_threshold; at 0 Envoy
    // never enters panic mode, so with every host ejected nothing is left.
    if st.panic_threshold == 0 {
        out.push("every host can be ejected; then its requests get 503 with flag UH (no healthy upstream): the panic threshold is 0% (minHealthPercent unset or 0), so Envoy does not fall back to ejected hosts.".into());
    } else {
        out.push(format!(
            "every host can be ejected, but below {}% healthy hosts (minHealthPercent) Envoy ignores the ejections (panic mode) and sends to all hosts.",
            st.panic_threshold
        ));
    }
}
