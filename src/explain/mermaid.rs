//! `--format mermaid`: a flowchart in a ```mermaid fence, ready to paste
//! into a GitHub issue or pull request (or `gh pr comment --body-file`).
//! Sources (mesh, gateways) -> VirtualService rules -> clusters, edges with
//! percentages, clusters with their per-client-proxy limits.

use std::fmt::Write;

use super::cluster::ISTIO_DEFAULT_THRESHOLD;
use super::human::percent;
use super::view::{ClusterView, Explanation, HostView};
use super::words::cluster_name;

/// A label safe inside `["..."]`: Mermaid's entity codes for the characters
/// that would end the label or be read as markup, control characters
/// dropped. `<br/>` line breaks are added by the caller, after escaping.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '[' => out.push_str("#91;"),
            ']' => out.push_str("#93;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn render(e: &Explanation) -> String {
    let mut out = String::from("```mermaid\nflowchart LR\n");
    for (i, h) in e.hosts.iter().enumerate() {
        host(&mut out, i, h);
    }
    out.push_str("```\n");
    out
}

fn cluster_label(c: &ClusterView) -> String {
    let st = &c.settings;
    let mut lines = vec![escape(&cluster_name(c))];
    if !c.labels.is_empty() {
        lines.push(escape(&super::routing::labels(&c.labels)));
    }
    let t = ISTIO_DEFAULT_THRESHOLD;
    lines.push(if st.limit.active >= t {
        "no circuit-breaker limit".to_string()
    } else if st.limit.pending >= t {
        format!(
            "{} active per client proxy, unlimited queue",
            st.limit.active
        )
    } else {
        format!("{} concurrent per client proxy", st.limit.total())
    });
    if let Some(o) = &st.outlier_detection {
        lines.push(if o.consecutive_5xx.value == 0 {
            format!("no 5xx ejection, up to {}%", o.max_ejection_percent.value)
        } else {
            format!(
                "eject after {} consecutive 5xx, up to {}%",
                o.consecutive_5xx.value, o.max_ejection_percent.value
            )
        });
    }
    if let Some(l) = &c.load {
        lines.push(format!(
            "{} admitted, {} get 503 UO",
            (l.active + l.pending).round(),
            l.overflow.round()
        ));
    }
    lines.join("<br/>")
}

fn host(out: &mut String, i: usize, h: &HostView) {
    let _ = writeln!(out, "  subgraph h{i}[\"{}\"]", escape(&h.host));
    for (k, c) in h.subsets.iter().enumerate() {
        let _ = writeln!(out, "    h{i}c{k}[\"{}\"]", cluster_label(c));
    }
    out.push_str("  end\n");
    let mut sources: Vec<&str> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for (j, r) in h.routes.iter().enumerate() {
        let s = match sources.iter().position(|x| *x == r.source) {
            Some(s) => s,
            None => {
                sources.push(&r.source);
                let _ = writeln!(
                    out,
                    "  h{i}s{}([\"{}\"])",
                    sources.len() - 1,
                    escape(&r.source)
                );
                sources.len() - 1
            }
        };
        let mut label = format!(
            "{} {}#91;{}#93;<br/>{}",
            escape(&r.virtual_service),
            r.protocol,
            r.index,
            escape(&r.matched)
        );
        if let Some(a) = &r.action {
            label += &format!("<br/>{}", escape(a));
        }
        let _ = writeln!(out, "  h{i}r{j}[\"{label}\"]");
        let _ = writeln!(out, "  h{i}s{s} --> h{i}r{j}");
        for d in &r.destinations {
            let target = if d.host == h.host && d.port.is_none() {
                h.subsets
                    .iter()
                    .position(|c| c.port.is_none() && c.name == d.subset)
                    .map(|k| format!("h{i}c{k}"))
            } else {
                None
            };
            let target = target.unwrap_or_else(|| {
                let name = format!(
                    "{}{}{}",
                    d.host,
                    d.subset.as_ref().map_or(String::new(), |s| format!(" {s}")),
                    d.port.map_or(String::new(), |p| format!(" port {p}"))
                );
                let k = others.iter().position(|o| *o == name).unwrap_or_else(|| {
                    others.push(name.clone());
                    let _ = writeln!(out, "  h{i}x{}[\"{}\"]", others.len() - 1, escape(&name));
                    others.len() - 1
                });
                format!("h{i}x{k}")
            });
            let _ = writeln!(
                out,
                "  h{i}r{j} -->|\"{}\"| {target}",
                escape(&percent(d.percent))
            );
        }
    }
    if h.routes.is_empty() {
        let _ = writeln!(out, "  h{i}s0([\"mesh\"])");
        let _ = writeln!(out, "  h{i}s0 -->|\"100% (default route)\"| h{i}c0");
    }
}
