//! The human report of `explain`. Plain text, no colour, deterministic.
//! Values from manifests are printed through `clean`, which replaces
//! control characters so a manifest cannot write terminal escapes.

use std::fmt::Write;

use super::cluster::{Outlier, Protocol, Setting, ISTIO_DEFAULT_THRESHOLD};
use super::load::Load;
use super::view::{ClusterView, Explanation, HostView};
use super::words::{cluster_name, count};

/// A manifest value without control characters (ESC, CR, ...).
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// `text`, marked when the value is a default.
fn dflt<T>(s: &Setting<T>, text: String) -> String {
    if s.set {
        text
    } else {
        format!("{text} (default)")
    }
}

pub fn render(e: &Explanation) -> String {
    let mut out = String::new();
    if e.hosts.is_empty() {
        out.push_str("No host to explain: the inputs have no VirtualService or DestinationRule.\n");
    }
    for (i, h) in e.hosts.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        host(&mut out, h);
    }
    if !e.assumptions.is_empty() {
        out.push_str("\nAssumptions of the load estimate:\n");
        for a in &e.assumptions {
            let _ = writeln!(out, "  - {a}");
        }
    }
    out
}

fn host(out: &mut String, h: &HostView) {
    let _ = writeln!(out, "{}", clean(&h.host));
    out.push_str("  Routes:\n");
    if h.routes.is_empty() {
        out.push_str("    none\n");
    }
    let mut last_source = "";
    for r in &h.routes {
        if r.source != last_source {
            let _ = writeln!(out, "    from {}:", clean(&r.source));
            last_source = &r.source;
        }
        let _ = writeln!(
            out,
            "      VirtualService {} {}[{}]: {}",
            clean(&r.virtual_service),
            r.protocol,
            r.index,
            clean(&r.matched)
        );
        if let Some(a) = &r.action {
            let _ = writeln!(out, "        {}", clean(a));
        }
        for d in &r.destinations {
            let mut target = String::new();
            if d.host != h.host {
                target += &format!("{} ", clean(&d.host));
            }
            target += &match &d.subset {
                Some(s) => clean(s),
                None => "default cluster".into(),
            };
            if let Some(p) = d.port {
                target += &format!(" port {p}");
            }
            let _ = writeln!(out, "        {:>5} -> {target}", percent(d.percent));
        }
    }
    out.push_str("  Clusters (limits count per client proxy):\n");
    for c in &h.subsets {
        cluster(out, c);
    }
    if !h.notes.is_empty() {
        out.push_str("  Consequences:\n");
        for n in &h.notes {
            let _ = writeln!(out, "    - {}", clean(n));
        }
    }
}

pub fn percent(p: f64) -> String {
    let r = (p * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}%")
    } else {
        format!("{r:.1}%")
    }
}

fn cluster(out: &mut String, c: &ClusterView) {
    let mut title = clean(&cluster_name(c));
    if !c.labels.is_empty() {
        title += &format!(" [{}]", clean(&super::routing::labels(&c.labels)));
    }
    let _ = writeln!(out, "    {title}");
    let st = &c.settings;
    let cb = &st.circuit_breakers;
    let th = |name: &str, s: &Setting<u64>| dflt(s, format!("{name} {}", s.value));
    let line = |out: &mut String, what: &str, text: String| {
        let _ = writeln!(out, "      {what:<20}{text}");
    };
    line(
        out,
        "circuit breakers",
        [
            th("max_connections", &cb.max_connections),
            th("max_pending_requests", &cb.max_pending_requests),
            th("max_requests", &cb.max_requests),
            th("max_retries", &cb.max_retries),
        ]
        .join(", "),
    );
    line(
        out,
        "per connection",
        match st.max_requests_per_connection {
            Some(n) => format!("max_requests_per_connection {n}"),
            None => "max_requests_per_connection unlimited (default)".into(),
        },
    );
    line(
        out,
        "outlier detection",
        match &st.outlier_detection {
            Some(o) => outlier(o, st.panic_threshold),
            None => format!(
                "none (no host is ejected; panic threshold {}%)",
                st.panic_threshold
            ),
        },
    );
    line(
        out,
        "load balancer",
        dflt(&st.load_balancer, st.load_balancer.value.clone()),
    );
    line(
        out,
        "tls",
        match &st.tls_mode {
            Some(m) => clean(m),
            None => "auto mTLS: ISTIO_MUTUAL to sidecars, plain text otherwise (default)".into(),
        },
    );
    line(
        out,
        "policy from",
        format!(
            "connection pool: {}; outlier detection: {}; load balancer: {}; tls: {}{}",
            clean(&st.pool_origin.describe()),
            clean(
                &st.outlier_detection
                    .as_ref()
                    .map_or("defaults".into(), |o| o.origin.describe())
            ),
            clean(&st.lb_origin.describe()),
            clean(&st.tls_origin.describe()),
            c.destination_rule
                .as_ref()
                .map_or(String::new(), |d| format!(
                    " (DestinationRule {})",
                    clean(d)
                ))
        ),
    );
    let proto = match st.protocol {
        Protocol::Http1 => "HTTP/1.1",
        Protocol::Http2 => "HTTP/2",
    };
    let limit = if st.limit.active >= ISTIO_DEFAULT_THRESHOLD {
        format!("no circuit-breaker limit ({proto})")
    } else if st.limit.pending >= ISTIO_DEFAULT_THRESHOLD {
        format!(
            "{} active, the rest wait (pending unlimited, {proto}): no 503 UO",
            st.limit.active
        )
    } else {
        format!(
            "{} concurrent requests ({} active + {} pending, {proto}), then 503 UO",
            count(st.limit.total()),
            count(st.limit.active),
            count(st.limit.pending)
        )
    };
    line(out, "per client proxy", limit);
    if let Some(l) = &c.load {
        line(out, "load", load(l));
    }
}

fn outlier(o: &Outlier, panic: u64) -> String {
    let five = if o.consecutive_5xx.value == 0 {
        "consecutive_5xx off".to_string()
    } else {
        dflt(
            &o.consecutive_5xx,
            format!("consecutive_5xx {}", o.consecutive_5xx.value),
        )
    };
    let mut parts = vec![five];
    if let Some(v) = o.ignored_consecutive_errors {
        parts.push(format!("consecutiveErrors {v} ignored"));
    }
    parts.push(match o.consecutive_gateway_errors {
        Some(g) if g > 0 => format!("consecutive_gateway_errors {g}"),
        Some(_) => "consecutive_gateway_errors off".into(),
        None => "consecutive_gateway_errors off (default)".into(),
    });
    if let Some(l) = o.local_origin_failures {
        parts.push(format!("local-origin failures {l}"));
    }
    parts.push(dflt(
        &o.interval,
        format!("interval {}", crate::duration::format(o.interval.value)),
    ));
    parts.push(dflt(
        &o.base_ejection_time,
        format!(
            "base ejection {}",
            crate::duration::format(o.base_ejection_time.value)
        ),
    ));
    parts.push(dflt(
        &o.max_ejection_percent,
        format!("max ejection {}%", o.max_ejection_percent.value),
    ));
    parts.push(format!("panic threshold {panic}%"));
    parts.join(", ")
}

fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

fn load(l: &Load) -> String {
    format!(
        "{} arrive, {} admitted ({} active, {} pending), {} get 503 UO",
        num(l.concurrent),
        num(l.active + l.pending),
        num(l.active),
        num(l.pending),
        num(l.overflow)
    )
}
