//! The routes of a virtual host tried in order (first match wins, as Envoy
//! does), and the answer built from the winner: destinations with their
//! share, Envoy cluster names, and the rest of the rule as written.

use serde_json::{json, Value};

use super::eval::{mismatch, Built};
use super::outcome::{cluster_name, status_of, Destination, Outcome, RouteRef, Step, VsRef};
use super::request::Request;
use super::rule::{Dest, Rule};
use super::select::{Table, VsEntry};
use super::world::Registry;

/// What the answer depends on besides the routes.
pub struct Ctx<'a> {
    pub table: &'a Table,
    pub registry: &'a Registry,
    /// The listener port: a destination without port gets this one (or, on a
    /// gateway, its service's only port).
    pub listen_port: u32,
    pub on_gateway: bool,
}

pub fn rule_at(rule: &Rule, line: u32) -> String {
    format!("{}:{line}", rule.file)
}

/// Tries `routes` in order; the first that matches answers.
pub fn answer(
    ctx: &Ctx,
    routes: &[Built],
    req: &Request,
    mut trace: Vec<Step>,
    vhost: &str,
) -> Outcome {
    for b in routes {
        let e = &ctx.table.entries[b.vs];
        let Some(cond) = b.cond else {
            return found(ctx, e, b, trace);
        };
        match mismatch(cond, req) {
            None => return found(ctx, e, b, trace),
            Some(why) => trace.push(Step {
                text: format!("{} {}: {why}", e.label(), describe(b)),
                at: Some(rule_at(b.rule, cond.line)),
            }),
        }
    }
    Outcome::not_routed(
        format!("no route of virtual host {vhost} matches: Envoy answers 404 (NR)"),
        trace,
    )
}

/// `http[1] "reviews-v2" match[0]` (with the delegate after a merge).
pub fn describe(b: &Built) -> String {
    let r = b.rule;
    let mut s = match &r.delegate_of {
        Some(d) => format!(
            "http[{}] via delegate {}/{} http[{}]",
            d.root_index, d.namespace, d.name, r.index
        ),
        None => format!("http[{}]", r.index),
    };
    if let Some(n) = &r.name {
        s.push_str(&format!(" {n:?}"));
    }
    if let Some(c) = b.cond {
        s.push_str(&format!(" match[{}]", c.index));
    }
    s
}

fn found(ctx: &Ctx, e: &VsEntry, b: &Built, mut trace: Vec<Step>) -> Outcome {
    let r = b.rule;
    let a = &r.action;
    let line = b.cond.map_or(r.line, |c| c.line);
    trace.push(Step {
        text: format!("{} {}: matches", e.label(), describe(b)),
        at: Some(rule_at(r, line)),
    });
    let forwards = a.redirect.is_none() && a.direct_response.is_none();
    let mut destinations = Vec::new();
    let mut clusters = Vec::new();
    if forwards {
        for (d, percent) in r.dests.iter().zip(shares(&r.dests)) {
            let Some(percent) = percent else { continue };
            let port = d.port.unwrap_or_else(|| ctx.default_port(&d.host));
            clusters.push(cluster_name(port, d.subset.as_deref(), &d.host));
            destinations.push(Destination {
                host: d.host.clone(),
                subset: d.subset.clone(),
                port: d.port,
                weight: d.weight,
                percent,
            });
        }
    }
    let status = status_of(
        a.redirect.as_ref(),
        a.direct_response.as_ref(),
        a.fault.as_ref(),
    );
    let decision = if !forwards {
        format!("{} {} answers itself with {status}", e.label(), describe(b))
    } else {
        format!("{} {} routes it", e.label(), describe(b))
    };
    Outcome {
        matched: true,
        virtual_service: Some(VsRef {
            namespace: e.namespace.clone(),
            name: e.name.clone(),
            file: e.file.clone(),
            line: e.line,
        }),
        route: Some(RouteRef {
            index: r.delegate_of.as_ref().map_or(r.index, |d| d.root_index),
            name: r.name.clone(),
            match_index: b.cond.map(|c| c.index),
            file: r.file.clone(),
            line,
        }),
        destinations,
        clusters,
        redirect: a.redirect.clone(),
        direct_response: a.direct_response.clone(),
        rewrite: a.rewrite.clone(),
        fault: a.fault.clone(),
        timeout: a.timeout.clone(),
        retries: a.retries.clone(),
        mirrors: mirrors(r),
        headers: a.headers.clone(),
        status,
        written_route: a.route.clone(),
        delegate: r.delegate_of.as_ref().map(|d| d.delegate.clone()),
        decision,
        trace,
    }
}

/// Each destination's share of the requests, in percent rounded to 0.01,
/// as Envoy's weighted clusters split them: a single destination takes
/// everything whatever its weight; with several, a destination without a
/// positive weight gets no cluster (`None`; Istio drops weight 0, and the
/// API rejects negative ones) and the others share by weight over their
/// total. `diff` and `explain` read shares from here too.
pub fn shares(dests: &[Dest]) -> Vec<Option<f64>> {
    if dests.len() == 1 {
        return vec![Some(100.0)];
    }
    let weight = |d: &Dest| d.weight.filter(|w| *w > 0);
    let kept = dests.iter().filter(|d| weight(d).is_some()).count();
    let total: i64 = dests.iter().filter_map(weight).sum();
    dests
        .iter()
        .map(|d| {
            let w = weight(d)?;
            Some(if kept == 1 {
                100.0
            } else {
                (w as f64 * 10000.0 / total as f64).round() / 100.0
            })
        })
        .collect()
}

/// `mirror` (with `mirrorPercentage` or the old `mirrorPercent`) and
/// `mirrors`, each as `{destination, percentage}`.
fn mirrors(r: &Rule) -> Vec<Value> {
    let a = &r.action;
    let mut out = Vec::new();
    if let Some(m) = &a.mirror {
        let mut o = json!({ "destination": m });
        if let Some(p) = &a.mirror_percentage {
            o["percentage"] = p.clone();
        } else if let Some(p) = &a.mirror_percent {
            o["percentage"] = json!({ "value": p });
        }
        out.push(o);
    }
    if let Some(Value::Array(list)) = &a.mirrors {
        out.extend(list.iter().cloned());
    }
    out
}

impl Ctx<'_> {
    /// GetDestinationCluster without a destination port. A sidecar's
    /// registry view holds only the listener's port of each service, so the
    /// listener port it is; a gateway sees whole services and takes a
    /// service's only port.
    fn default_port(&self, host: &str) -> u32 {
        if self.on_gateway {
            if let Some(s) = self.registry.lookup(host) {
                if s.ports.len() == 1 {
                    return s.ports[0];
                }
            }
        }
        self.listen_port
    }
}

/// Trace lines for rules Istio dropped in these VirtualServices whose root
/// match the request meets (why a validator's delegate test differs).
pub fn dropped_notes(table: &Table, vss: &[usize], req: &Request, trace: &mut Vec<Step>) {
    for &i in vss {
        let e = &table.entries[i];
        for d in &e.dropped {
            let meets =
                d.matches.is_empty() || d.matches.iter().any(|c| mismatch(c, req).is_none());
            if meets {
                trace.push(Step {
                    text: format!(
                        "{} http[{}] matches, but Istio ignores it: {}",
                        e.label(),
                        d.root_index,
                        d.reason
                    ),
                    at: Some(format!("{}:{}", e.file, d.line)),
                });
            }
        }
    }
}
