//! IST0130/IST0131: rules after a catch-all, duplicate matches, and HTTP
//! prefix matches covered by an earlier one (Istio's
//! analyzeUnreachableHTTPRules, with two false alarms removed).

use std::collections::BTreeMap;

use serde_json::Value;

use super::webhook::{push, UNREACHABLE};
use crate::diagnostic::Finding;

pub fn check(spec: &Value, out: &mut Vec<Finding>) {
    for section in ["http", "tcp", "tls"] {
        let Some(rules) = spec[section].as_array() else {
            continue;
        };
        let label = |i: usize| match (section, rules[i]["name"].as_str()) {
            ("http", Some(n)) => format!("\"{n}\""),
            _ => format!("#{i}"),
        };
        let mut catch_all = false;
        let mut seen: Vec<(String, usize)> = Vec::new();
        let mut prefixes: Vec<PrefixMatch> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let Some(ms) = r["match"].as_array().filter(|m| !m.is_empty()) else {
                if catch_all {
                    let why = "only the last rule can have no matches";
                    let msg = format!("virtualService rule {} not used ({why})", label(i));
                    push(out, &UNREACHABLE, format!("/spec/{section}/{i}"), msg);
                }
                catch_all = true;
                continue;
            };
            if catch_all {
                let msg = format!(
                    "virtualService rule {} not used (route without matches defined before)",
                    label(i)
                );
                push(out, &UNREACHABLE, format!("/spec/{section}/{i}"), msg);
                continue;
            }
            let mut duplicates = 0;
            for (j, m) in ms.iter().enumerate() {
                let key = canonical(&without(m, &["name"]));
                if let Some((_, prior)) = seen.iter().find(|(k, _)| *k == key) {
                    duplicates += 1;
                    let msg = format!(
                        "virtualService rule {} match {} is not used (duplicate/overlapping match in rule {})",
                        label(i),
                        match_label(m, j),
                        label(*prior)
                    );
                    push(
                        out,
                        &UNREACHABLE,
                        format!("/spec/{section}/{i}/match/{j}"),
                        msg,
                    );
                    continue;
                }
                seen.push((key, i));
                if section == "http" {
                    prefixes.extend(PrefixMatch::new(m, i, j));
                }
            }
            if duplicates == ms.len() {
                let msg = format!(
                    "virtualService rule {} not used (all matches used by prior rules)",
                    label(i)
                );
                push(out, &UNREACHABLE, format!("/spec/{section}/{i}"), msg);
            }
        }
        for (n, b) in prefixes.iter().enumerate() {
            let Some(a) = prefixes[..n].iter().find(|a| a.covers(b)) else {
                continue;
            };
            let msg = format!(
                "virtualService rule {} match {} of prefix {} is not used (duplicate/overlapping match in rule {} of prefix {} on {})",
                label(b.rule),
                b.label,
                b.prefix,
                a.label,
                a.prefix,
                label(a.rule)
            );
            let pointer = format!("/spec/http/{}/match/{}/uri/prefix", b.rule, b.index);
            push(out, &UNREACHABLE, pointer, msg);
        }
    }
}

/// An HTTP match with a `uri.prefix`, in the terms Istio compares.
struct PrefixMatch {
    rule: usize,
    index: usize,
    label: String,
    prefix: String,
    port: Option<u64>,
    /// `exact:GET` when absent, as in Istio.
    method: String,
    method_given: bool,
    authority: String,
    headers: BTreeMap<String, String>,
    query: BTreeMap<String, String>,
    without_headers: BTreeMap<String, String>,
    /// Every other condition, which Istio ignores and istiolint requires equal.
    rest: String,
}

const COMPARED: &[&str] = &[
    "name",
    "uri",
    "port",
    "method",
    "authority",
    "headers",
    "queryParams",
    "withoutHeaders",
];

impl PrefixMatch {
    fn new(m: &Value, rule: usize, index: usize) -> Option<PrefixMatch> {
        let prefix = m["uri"]["prefix"].as_str().filter(|p| !p.is_empty())?;
        let map = |v: &Value| -> BTreeMap<String, String> {
            v.as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), exact_or_prefix(v)))
                .collect()
        };
        let method = exact_or_prefix(&m["method"]);
        Some(PrefixMatch {
            rule,
            index,
            label: match_label(m, index),
            prefix: prefix.to_string(),
            port: m["port"].as_u64(),
            method_given: !method.is_empty(),
            method: if method.is_empty() {
                "exact:GET".into()
            } else {
                method
            },
            authority: exact_or_prefix(&m["authority"]),
            headers: map(&m["headers"]),
            query: map(&m["queryParams"]),
            without_headers: map(&m["withoutHeaders"]),
            rest: canonical(&without(m, COMPARED)),
        })
    }

    /// Istio's coveredValidation: every request `b` matches, `self` matched first.
    fn covers(&self, b: &PrefixMatch) -> bool {
        // Equal, or `a` a prefix match that `b`'s value starts with. (Istio
        // tests `a.starts_with(b)` on the strings, which flags `prefix:acme-eu`
        // before `prefix:acme` and misses `prefix:acme` before `exact:acme-eu`.)
        let within = |a: &str, b: &str| {
            let value = |s: &str| s.split_once(':').map_or("", |(_, v)| v).to_string();
            a == b || a.starts_with("prefix:") && value(b).starts_with(&value(a))
        };
        let maps = |a: &BTreeMap<String, String>, b: &BTreeMap<String, String>| {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| within(v, w)))
        };
        self.prefix != b.prefix
            && b.prefix.starts_with(&self.prefix)
            && self.port == b.port
            && within(&self.method, &b.method)
            && (b.method_given || !self.method_given)
            && within(&self.authority, &b.authority)
            && maps(&self.headers, &b.headers)
            && maps(&self.query, &b.query)
            && maps(&self.without_headers, &b.without_headers)
            && self.rest == b.rest
    }
}

fn exact_or_prefix(m: &Value) -> String {
    match (m["exact"].as_str(), m["prefix"].as_str()) {
        (Some(e), _) if !e.is_empty() => format!("exact:{e}"),
        (_, Some(p)) if !p.is_empty() => format!("prefix:{p}"),
        _ => String::new(),
    }
}

fn match_label(m: &Value, j: usize) -> String {
    match m["name"].as_str() {
        Some(n) if !n.is_empty() => format!("\"{n}\""),
        _ => format!("#{j}"),
    }
}

fn without(m: &Value, keys: &[&str]) -> Value {
    let mut m = m.clone();
    if let Some(o) = m.as_object_mut() {
        o.retain(|k, _| !keys.contains(&k.as_str()));
    }
    m
}

/// Key order does not matter in a match.
fn canonical(v: &Value) -> String {
    serde_json::to_string(&crate::emit::sorted(v)).unwrap_or_default()
}
