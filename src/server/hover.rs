//! Hover: the documentation of the findings under the cursor; on a route
//! destination, the subset's labels and the DestinationRule it comes from;
//! on a DestinationRule traffic-policy field, what it becomes in Envoy;
//! on any other field of a bundled kind, its type from the schema.

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use crate::objects::{extract, Object};
use crate::server::completion::schema_node;
use crate::server::navigate::{contains, Models};
use crate::server::position::LineIndex;
use crate::server::worker::Snapshot;
use crate::yaml::{parse_stream, Limits, Node, Value};

pub fn hover(s: &Snapshot, p: HoverParams) -> Option<Hover> {
    let at = p.text_document_position_params.position;
    let index = LineIndex::new(&s.doc.text);
    let offset = index.offset(at);
    let mut parts: Vec<String> = s
        .published
        .iter()
        .filter(|f| f.lsp.range.start <= at && at <= f.lsp.range.end)
        .map(|f| {
            let help = f.lsp.data.as_ref().and_then(|d| d["help"].as_str());
            let help = help.map(|h| format!("\n\n{h}")).unwrap_or_default();
            format!(
                "**{} {}**: {}{help}\n\n{}",
                f.rule.code, f.rule.name, f.lsp.message, f.rule.doc
            )
        })
        .collect();
    let models = Models::new(s);
    if let Some(text) = destination(&models, offset) {
        parts.push(text);
    }
    if let Some(text) = field(&s.doc.text, offset) {
        parts.push(text);
    }
    if parts.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range: None,
    })
}

/// The subset (or, without one, the DestinationRule) a destination uses.
fn destination(models: &Models, offset: usize) -> Option<String> {
    let (vs, d) = models.destination_at(offset)?;
    let rules = models.rules_for(vs, &d.host);
    let Some(subset) = &d.subset else {
        let dr = rules.first()?;
        let names: Vec<String> = dr
            .subsets
            .iter()
            .filter_map(|s| s.name.as_ref().map(|n| format!("`{}`", n.value)))
            .collect();
        return Some(format!(
            "host `{}`: DestinationRule `{}` ({}), subsets {}",
            d.host.value,
            dr.meta.name.as_deref().unwrap_or("?"),
            place(
                dr.meta.file.as_ref(),
                dr.host.as_ref().map(|h| h.at.span.line)
            ),
            if names.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            }
        ));
    };
    let (dr, found) = rules
        .iter()
        .find_map(|dr| dr.subset(subset).map(|s| (dr, s)))?;
    let labels: Vec<String> = found
        .labels
        .iter()
        .map(|(k, v)| format!("`{}: {}`", k.value, v.value))
        .collect();
    let line = found.name.as_ref().map(|n| n.at.span.line);
    Some(format!(
        "subset `{}` of `{}`: labels {}\n\nfrom DestinationRule `{}` ({})",
        subset.value,
        d.host.value,
        if labels.is_empty() {
            "none (every endpoint)".into()
        } else {
            labels.join(", ")
        },
        dr.meta.name.as_deref().unwrap_or("?"),
        place(&dr.meta.file, line),
    ))
}

fn place(file: &str, line: Option<u32>) -> String {
    match line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_string(),
    }
}

/// The field under the cursor: its Envoy meaning in a traffic policy, else
/// its type in the bundled schema.
fn field(text: &str, offset: usize) -> Option<String> {
    let parsed = parse_stream(text, Limits::default());
    let object: Object = parsed
        .documents
        .into_iter()
        .filter_map(|d| d.root)
        .filter(|root| contains(root.span, offset))
        .flat_map(extract)
        .next()?;
    let mut keys = Vec::new();
    let value = key_at(&object.node, offset, &mut keys)?;
    let shown = match &value.value {
        Value::Scalar(_) => format!(": {}", text.get(value.span.start..value.span.end)?),
        _ => String::new(),
    };
    let path = keys.join(".");
    let mut out = format!("`{path}`{shown}");
    if object.kind == "DestinationRule" {
        if let Some(meaning) = policy_field(&keys) {
            let value = text.get(value.span.start..value.span.end).unwrap_or("");
            out.push_str(&format!("\n\nIn Envoy: {}", meaning.replace("{}", value)));
            return Some(out);
        }
    }
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let schema = schema_node(&object.kind, &object.version, &key_refs)?;
    if let Some(values) = schema.get("enum").and_then(|e| e.as_array()) {
        let names: Vec<String> = values
            .iter()
            .map(|v| format!("`{}`", v.as_str().unwrap_or("?")))
            .collect();
        out.push_str(&format!("\n\none of {}", names.join(", ")));
    } else if let Some(t) = schema.get("type") {
        out.push_str(&format!("\n\ntype: {}", t.to_string().replace('"', "")));
    }
    Some(out)
}

/// The mapping entry whose key or scalar value holds the offset; `keys`
/// gets the mapping keys on the way (list indices are skipped).
fn key_at<'a>(node: &'a Node, offset: usize, keys: &mut Vec<String>) -> Option<&'a Node> {
    match &node.value {
        Value::Map(entries) => entries.iter().find_map(|e| {
            if contains(e.key.span, offset)
                || (matches!(e.value.value, Value::Scalar(_)) && contains(e.value.span, offset))
            {
                keys.push(e.key.text.clone());
                return Some(&e.value);
            }
            if contains(e.value.span, offset) {
                keys.push(e.key.text.clone());
                let found = key_at(&e.value, offset, keys);
                if found.is_none() {
                    keys.pop();
                }
                return found;
            }
            None
        }),
        Value::Seq(items) => items.iter().find_map(|i| {
            contains(i.span, offset)
                .then(|| key_at(i, offset, keys))
                .flatten()
        }),
        Value::Scalar(_) => None,
    }
}

/// What a traffic-policy field becomes in the Envoy cluster Istio builds
/// (the plug point for `explain`'s wording once it lands on main)
/// (pilot/pkg/networking/core: cluster_traffic_policy.go, cluster_tls.go).
/// `{}` is the value. Limits apply per client proxy: every sidecar or
/// gateway calling the host keeps its own counters.
fn policy_field(keys: &[String]) -> Option<&'static str> {
    let at = keys.iter().rposition(|k| k == "trafficPolicy")?;
    let rest: Vec<&str> = keys[at + 1..]
        .iter()
        .map(String::as_str)
        .filter(|k| *k != "portLevelSettings")
        .collect();
    Some(match rest.as_slice() {
        ["connectionPool", "tcp", "maxConnections"] => "circuit breaker `max_connections` {} per client proxy (each calling sidecar or gateway counts its own)",
        ["connectionPool", "tcp", "connectTimeout"] => "cluster `connect_timeout` {}",
        ["connectionPool", "tcp", "maxConnectionDuration"] => "`common_http_protocol_options.max_connection_duration` {}",
        ["connectionPool", "tcp", "tcpKeepalive", ..] => "`upstream_connection_options.tcp_keepalive` on the cluster's connections",
        ["connectionPool", "http", "http1MaxPendingRequests"] => "circuit breaker `max_pending_requests` {} per client proxy (requests queued while waiting for a connection)",
        ["connectionPool", "http", "http2MaxRequests"] => "circuit breaker `max_requests` {} per client proxy (concurrent requests to the cluster)",
        ["connectionPool", "http", "maxRequestsPerConnection"] => "`common_http_protocol_options.max_requests_per_connection` {} (1 disables keep-alive)",
        ["connectionPool", "http", "maxRetries"] => "circuit breaker `max_retries` {} per client proxy (concurrent retries to the cluster)",
        ["connectionPool", "http", "idleTimeout"] => "`common_http_protocol_options.idle_timeout` {}",
        ["connectionPool", "http", "h2UpgradePolicy"] => "{}: whether the client proxy upgrades HTTP/1.1 connections to the cluster to HTTP/2",
        ["connectionPool", "http", "maxConcurrentStreams"] => "`http2_protocol_options.max_concurrent_streams` {}",
        ["outlierDetection", "consecutive5xxErrors"] => "`outlier_detection.consecutive_5xx` {} (an endpoint is ejected after that many 5xx in a row)",
        ["outlierDetection", "consecutiveGatewayErrors"] => "`outlier_detection.consecutive_gateway_failure` {} (502, 503, 504 in a row)",
        ["outlierDetection", "interval"] => "`outlier_detection.interval` {} between ejection sweeps",
        ["outlierDetection", "baseEjectionTime"] => "`outlier_detection.base_ejection_time` {} (multiplied by the number of ejections)",
        ["outlierDetection", "maxEjectionPercent"] => "`outlier_detection.max_ejection_percent` {}",
        ["outlierDetection", "minHealthPercent"] => "`common_lb_config.healthy_panic_threshold` {} (below it, ejection is ignored)",
        ["loadBalancer", "simple"] => "cluster `lb_policy` for {} (`PASSTHROUGH` makes an original-destination cluster)",
        ["loadBalancer", "consistentHash", ..] => "cluster `lb_policy` `RING_HASH` (or `MAGLEV`) with a hash policy on the routes to it",
        ["tls", "mode"] => "the cluster's `transport_socket`: {} (`ISTIO_MUTUAL` uses the mesh certificates, `DISABLE` none)",
        _ => return None,
    })
}
