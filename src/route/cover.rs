//! Whether one match takes every request of another: the relation behind
//! IL4017 (unreachable-route), in the terms `eval` evaluates, so that the
//! rule and `istiolint route` read an HTTPMatchRequest the same way.
//!
//! `covers(a, b)`: wherever Istio builds a route for `b` (port, gateways,
//! source labels and namespace, as `eval::not_built` decides), it builds one
//! for `a`, and every request `b` matches (`eval::mismatch`) `a` matches
//! too. Then `b`, after `a` in the same VirtualService, is never reached:
//! within one VirtualService routes keep their order (a gateway only moves
//! catch-alls later). The relation is sound, not complete: when in doubt
//! (regular expressions other than a literal one or `.*`) it says no.

use super::pattern::{Kind, Pattern};
use super::rule::Cond;

/// `vs_gateways`: the VirtualService's resolved gateways (`mesh` when it
/// names none), where a match without `gateways` is built.
pub fn covers(a: &Cond, b: &Cond, vs_gateways: &[String]) -> bool {
    built_wherever(a, b, vs_gateways)
        && a.port.is_none_or(|p| b.port == Some(p))
        && uri_covers(a, b)
        && [
            (&a.method, &b.method),
            (&a.authority, &b.authority),
            (&a.scheme, &b.scheme),
        ]
        .into_iter()
        .all(|(x, y)| optional_covers(x.as_ref(), y.as_ref()))
        && all_required(&a.headers, &b.headers)
        && all_required(&a.query_params, &b.query_params)
        && a.without_headers
            .iter()
            .all(|(name, p)| excluded_by(p, name, b))
}

/// Istio builds `a` for every proxy it builds `b` for (sourceMatchHTTP: a
/// match naming gateways is decided by them alone).
fn built_wherever(a: &Cond, b: &Cond, vs_gateways: &[String]) -> bool {
    let b_gateways: &[String] = if b.gateways.is_empty() {
        vs_gateways
    } else {
        &b.gateways
    };
    if !a.gateways.is_empty() {
        return b_gateways.iter().all(|g| a.gateways.contains(g));
    }
    let a_source = !a.source_labels.is_empty() || a.source_namespace.is_some();
    if !b.gateways.is_empty() {
        // `b` ignores the source; `a` is built only where the VirtualService is.
        return !a_source && b.gateways.iter().all(|g| vs_gateways.contains(g));
    }
    a.source_labels.iter().all(|l| b.source_labels.contains(l))
        && a.source_namespace
            .as_ref()
            .is_none_or(|ns| b.source_namespace.as_ref() == Some(ns))
}

/// `a`'s uri condition holds for every path `b` matches. Prefix matches
/// see the whole `:path`, exact and regex the path without its query.
fn uri_covers(a: &Cond, b: &Cond) -> bool {
    let Some(pa) = &a.uri else { return true };
    // Every path starts with `/` (Istio's catch-all prefix).
    if matches_anything(pa) || matches!(&pa.kind, Kind::Prefix(p) if p == "/") {
        return true;
    }
    let Some(pb) = &b.uri else { return false };
    value_covers(pa, a.ignore_uri_case, pb, b.ignore_uri_case)
}

/// Method, authority and scheme are always there: a missing condition on
/// `b` leaves any value, which only a condition matching everything covers.
fn optional_covers(a: Option<&Pattern>, b: Option<&Pattern>) -> bool {
    match (a, b) {
        (None, _) => true,
        (Some(a), None) => matches_anything(a),
        (Some(a), Some(b)) => value_covers(a, false, b, false),
    }
}

fn matches_anything(p: &Pattern) -> bool {
    match &p.kind {
        Kind::Present => true,
        Kind::Prefix(s) => s.is_empty(),
        Kind::Regex(r, Some(_)) => r == ".*",
        _ => false,
    }
}

/// Every header (or query parameter) `a` requires, `b` requires with a
/// condition that implies `a`'s.
fn all_required(a: &[(String, Pattern)], b: &[(String, Pattern)]) -> bool {
    a.iter().all(|(name, pa)| {
        b.iter()
            .any(|(n, pb)| n == name && value_covers(pa, false, pb, false))
    })
}

/// `a`'s `withoutHeaders` entry `name: pa` holds for every request `b`
/// matches: `b` excludes at least what `pa` matches (a missing header read
/// as "" on both sides), or `b` requires a value `pa` does not match.
fn excluded_by(pa: &Pattern, name: &str, b: &Cond) -> bool {
    let by_exclusion = b.without_headers.iter().any(|(n, pb)| {
        n == name
            && match pb.kind {
                // `b` accepts only a missing header.
                Kind::Present => matches!(pa.kind, Kind::Present) || !pa.matches("", false),
                _ => value_covers(pb, false, pa, false),
            }
    });
    let by_value = b.headers.iter().any(|(n, pb)| {
        n == name
            && !matches!(pa.kind, Kind::Present)
            && matches!(&pb.kind, Kind::Exact(v) if !pa.matches(v, false))
    });
    by_exclusion || by_value
}

/// Every value `b` matches, `a` matches (`*_ci`: compared ignoring ASCII
/// case, which only exact and prefix conditions do).
fn value_covers(a: &Pattern, a_ci: bool, b: &Pattern, b_ci: bool) -> bool {
    // A condition on a value that may differ in case: `a` must not care.
    let case_ok = |s: &str| a_ci || !b_ci || !s.bytes().any(|c| c.is_ascii_alphabetic());
    let starts = |s: &str, p: &str| match a_ci {
        true => s.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)),
        false => s.starts_with(p),
    };
    match (&a.kind, &b.kind) {
        (_, Kind::Regex(_, None)) | (Kind::Regex(_, None), _) => false,
        _ if matches_anything(a) => true,
        (Kind::Exact(x), Kind::Exact(y)) => {
            case_ok(y)
                && if a_ci {
                    x.eq_ignore_ascii_case(y)
                } else {
                    x == y
                }
        }
        (Kind::Prefix(p), Kind::Exact(y) | Kind::Prefix(y)) => case_ok(y) && starts(y, p),
        // Envoy ignores the case flag on regular expressions.
        (Kind::Regex(..), Kind::Exact(y)) => {
            (!b_ci || !y.bytes().any(|c| c.is_ascii_alphabetic())) && a.matches(y, false)
        }
        (Kind::Regex(x, _), Kind::Regex(y, _)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests;
