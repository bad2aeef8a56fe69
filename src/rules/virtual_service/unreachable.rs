//! IST0130/IST0131: rules after a catch-all, duplicate matches, and HTTP
//! matches that an earlier match of the same VirtualService takes every
//! request of. The last is decided by `route::cover`, on the conditions
//! `istiolint route` evaluates, instead of Istio's analyzer
//! (analyzeUnreachableHTTPRules compares prefix matches only, and its
//! string comparisons are the wrong way round for prefixes).

use serde_json::Value;

use super::webhook::{push, UNREACHABLE};
use crate::diagnostic::Finding;
use crate::model::{JsonAt, Model};
use crate::route::pattern::Kind;
use crate::route::rule::Cond;
use crate::rules::context::ObjectContext;

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let spec = ctx.spec();
    // Compiled only when some match could cover another.
    let compiled = spec["http"]
        .as_array()
        .filter(|rules| rules.iter().map(match_count).sum::<usize>() > 1)
        .and_then(|_| compile(ctx));
    for section in ["http", "tcp", "tls"] {
        let http = compiled.as_ref().filter(|_| section == "http");
        section_rules(&spec, section, http, out);
    }
}

fn match_count(r: &Value) -> usize {
    r["match"].as_array().map_or(0, Vec::len)
}

/// The HTTP matches as the route module reads them, by (rule, match)
/// index, and the VirtualService's resolved gateways.
struct Compiled {
    conds: Vec<((usize, usize), Cond)>,
    gateways: Vec<String>,
}

fn compile(ctx: &ObjectContext) -> Option<Compiled> {
    let Some(Model::VirtualService(vs)) = ctx.model() else {
        return None;
    };
    let ns = vs.meta.namespace_or(&ctx.opts.namespace).to_string();
    let conds = crate::route::compile::rules(vs, &ns)
        .into_iter()
        .flat_map(|(r, _)| {
            let i = r.index;
            r.matches.into_iter().map(move |c| ((i, c.index), c))
        })
        .collect();
    let gateways = if vs.gateways.is_empty() {
        vec!["mesh".to_string()]
    } else {
        vs.gateways
            .iter()
            .map(|g| crate::route::compile::resolve_gateway(&g.value, &ns))
            .collect()
    };
    Some(Compiled { conds, gateways })
}

/// An earlier match that takes requests first.
struct Prior<'c> {
    rule: usize,
    label: String,
    cond: &'c Cond,
}

fn section_rules(
    spec: &JsonAt,
    section: &str,
    compiled: Option<&Compiled>,
    out: &mut Vec<Finding>,
) {
    let section_at = spec.get(section);
    let rules = section_at.items();
    let label = |i: usize| match (section, rules[i].value["name"].as_str()) {
        ("http", Some(n)) => format!("\"{n}\""),
        _ => format!("#{i}"),
    };
    let cond_of = |i: usize, j: usize| {
        compiled.and_then(|c| c.conds.iter().find(|(k, _)| *k == (i, j)).map(|(_, c)| c))
    };
    let mut catch_all = false;
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut prior: Vec<Prior> = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        // A root rule's routes are its delegate's, merged under its matches:
        // it takes only what a delegate rule matches, so it is neither a
        // catch-all nor a cover for later rules.
        let delegates = section == "http" && r.value["delegate"].is_object();
        let match_at = r.get("match");
        let ms = match_at.items();
        if ms.is_empty() {
            if delegates {
                continue;
            }
            if catch_all {
                let why = "only the last rule can have no matches";
                let msg = format!("virtualService rule {} not used ({why})", label(i));
                push(out, &UNREACHABLE, r, msg);
            }
            catch_all = true;
            continue;
        }
        if catch_all {
            let msg = format!(
                "virtualService rule {} not used (route without matches defined before)",
                label(i)
            );
            push(out, &UNREACHABLE, r, msg);
            continue;
        }
        let mut duplicates = 0;
        for (j, m) in ms.iter().enumerate() {
            let key = canonical(&without_name(m.value));
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                duplicates += 1;
                let msg = format!(
                    "virtualService rule {} match {} is not used (duplicate/overlapping match in rule {})",
                    label(i),
                    match_label(m.value, j),
                    label(*first)
                );
                push(out, &UNREACHABLE, m, msg);
                continue;
            }
            seen.push((key, i));
            let Some(cond) = cond_of(i, j) else { continue };
            let gateways = compiled.map_or(&[][..], |c| &c.gateways);
            // Within one rule a covered match is redundant but harmless (the
            // rule answers anyway): reported only as Istio reports it, for
            // two prefix matches.
            let covering = prior.iter().find(|a| {
                (a.rule != i || (prefix(a.cond).is_some() && prefix(cond).is_some()))
                    && crate::route::cover::covers(a.cond, cond, gateways)
            });
            if let Some(a) = covering {
                let (pointer, msg) = covered(i, j, m, a, &label);
                push(out, &UNREACHABLE, pointer, msg);
            }
            if !delegates {
                prior.push(Prior {
                    rule: i,
                    label: match_label(m.value, j),
                    cond,
                });
            }
        }
        if duplicates == ms.len() {
            let msg = format!(
                "virtualService rule {} not used (all matches used by prior rules)",
                label(i)
            );
            push(out, &UNREACHABLE, r, msg);
        }
    }
}

/// The finding for match `j` of rule `i`, covered by `a`: in Istio's words
/// when both are prefix matches (IST0131), else naming the covering match.
fn covered(
    i: usize,
    j: usize,
    m: &JsonAt,
    a: &Prior,
    label: &dyn Fn(usize) -> String,
) -> (String, String) {
    let b_prefix = m.value["uri"]["prefix"].as_str().filter(|p| !p.is_empty());
    if let (Some(pa), Some(pb)) = (prefix(a.cond), b_prefix) {
        return (
            m.get("uri").get("prefix").pointer(),
            format!(
                "virtualService rule {} match {} of prefix {pb} is not used (duplicate/overlapping match in rule {} of prefix {pa} on {})",
                label(i),
                match_label(m.value, j),
                a.label,
                label(a.rule)
            ),
        );
    }
    let which = if a.rule == i {
        format!("its match {}", a.label)
    } else {
        format!("match {} of rule {}", a.label, label(a.rule))
    };
    (
        m.pointer(),
        format!(
            "virtualService rule {} match {} is not used ({which} takes every request it matches first)",
            label(i),
            match_label(m.value, j),
        ),
    )
}

/// A match's non-empty `uri.prefix`.
fn prefix(c: &Cond) -> Option<&str> {
    match c.uri.as_ref().map(|p| &p.kind) {
        Some(Kind::Prefix(p)) if !p.is_empty() => Some(p),
        _ => None,
    }
}

fn match_label(m: &Value, j: usize) -> String {
    match m["name"].as_str() {
        Some(n) if !n.is_empty() => format!("\"{n}\""),
        _ => format!("#{j}"),
    }
}

fn without_name(m: &Value) -> Value {
    let mut m = m.clone();
    if let Some(o) = m.as_object_mut() {
        o.remove("name");
    }
    m
}

/// Key order does not matter in a match.
fn canonical(v: &Value) -> String {
    serde_json::to_string(&crate::emit::sorted(v)).unwrap_or_default()
}
