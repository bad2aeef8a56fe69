//! A VirtualService's HTTP rules in the form the engine evaluates: match
//! conditions compiled once, actions kept as written (camelCase JSON), and
//! Istio's one-level delegate merge (pilot/pkg/model/virtualservice.go
//! MergeHTTPRoutes, mergeHTTPMatchRequest, hasConflict).

use serde_json::Value;

use super::pattern::{Kind, Pattern};

/// One HTTPMatchRequest.
#[derive(Clone, Debug, Default)]
pub struct Cond {
    /// Its position in the answering VirtualService (`match[i]`); after a
    /// delegate merge, the delegate's match index.
    pub index: usize,
    pub name: Option<String>,
    pub line: u32,
    pub uri: Option<Pattern>,
    pub scheme: Option<Pattern>,
    pub method: Option<Pattern>,
    pub authority: Option<Pattern>,
    /// Sorted by name, as Istio sorts Envoy's header matchers.
    pub headers: Vec<(String, Pattern)>,
    pub without_headers: Vec<(String, Pattern)>,
    pub query_params: Vec<(String, Pattern)>,
    pub port: Option<u32>,
    pub source_labels: Vec<(String, String)>,
    pub source_namespace: Option<String>,
    /// Resolved `namespace/name` (or `mesh`).
    pub gateways: Vec<String>,
    pub ignore_uri_case: bool,
}

impl Cond {
    /// Istio's IsCatchAllRoute on the Envoy match this becomes: prefix `/`
    /// (or no uri) or regex `.*`, and no header or query condition. Port and
    /// source conditions are applied when routes are built, so they do not count.
    pub fn is_catch_all(&self) -> bool {
        let uri_all = match self.uri.as_ref().map(|p| &p.kind) {
            None | Some(Kind::Present) => true,
            Some(Kind::Prefix(p)) => p == "/",
            Some(Kind::Regex(r, _)) => r == ".*",
            Some(Kind::Exact(_)) => false,
        };
        uri_all
            && self.headers.is_empty()
            && self.without_headers.is_empty()
            && self.query_params.is_empty()
            && self.method.is_none()
            && self.authority.is_none()
            && self.scheme.is_none()
    }
}

/// What a rule does, as written, after the delegate merge.
#[derive(Clone, Debug, Default)]
pub struct Action {
    /// `route` as written (for istio-config-validator's comparison).
    pub route: Option<Value>,
    pub redirect: Option<Value>,
    pub direct_response: Option<Value>,
    pub rewrite: Option<Value>,
    pub timeout: Option<Value>,
    pub retries: Option<Value>,
    pub fault: Option<Value>,
    pub mirror: Option<Value>,
    pub mirrors: Option<Value>,
    pub mirror_percentage: Option<Value>,
    pub mirror_percent: Option<Value>,
    pub cors_policy: Option<Value>,
    pub headers: Option<Value>,
}

/// A destination of `route`, host resolved in the namespace of the
/// VirtualService that wrote it.
#[derive(Clone, Debug)]
pub struct Dest {
    pub host: String,
    pub subset: Option<String>,
    pub port: Option<u32>,
    pub weight: Option<i64>,
}

/// Where a merged rule came from.
#[derive(Clone, Debug)]
pub struct DelegateOf {
    /// The root rule's index and its `delegate` as written.
    pub root_index: usize,
    pub delegate: Value,
    /// The delegate VirtualService.
    pub namespace: String,
    pub name: String,
}

/// One HTTP rule.
#[derive(Clone, Debug, Default)]
pub struct Rule {
    /// `http[index]` of the VirtualService that wrote it (the delegate's
    /// index after a merge).
    pub index: usize,
    pub name: Option<String>,
    pub file: String,
    pub line: u32,
    /// Empty: the rule has no match and takes everything.
    pub matches: Vec<Cond>,
    pub dests: Vec<Dest>,
    pub action: Action,
    pub delegate_of: Option<DelegateOf>,
}

/// A rule with a delegate that Istio ignored, and why; kept for the trace.
#[derive(Clone, Debug)]
pub struct Dropped {
    pub root_index: usize,
    pub line: u32,
    pub matches: Vec<Cond>,
    pub reason: String,
}

/// Merges the delegate's rules under a root rule; a delegate rule whose
/// matches conflict with the root's is dropped (returned in the second list).
pub fn merge_delegate(root: &Rule, delegate: &[Rule]) -> (Vec<Rule>, Vec<(usize, String)>) {
    let mut out = Vec::new();
    let mut dropped = Vec::new();
    for sub in delegate {
        match merge_matches(&root.matches, &sub.matches) {
            Err(why) => dropped.push((sub.index, why)),
            Ok(matches) => {
                let mut r = sub.clone();
                r.matches = matches;
                r.name = match (&root.name, &sub.name) {
                    (root_name, None) => root_name.clone(),
                    (Some(a), Some(b)) => Some(format!("{a}-{b}")),
                    (None, Some(b)) => Some(b.clone()),
                };
                let (a, b) = (&mut r.action, &root.action);
                inherit(&mut a.rewrite, &b.rewrite);
                inherit(&mut a.direct_response, &b.direct_response);
                inherit(&mut a.timeout, &b.timeout);
                inherit(&mut a.retries, &b.retries);
                inherit(&mut a.fault, &b.fault);
                inherit(&mut a.mirror, &b.mirror);
                inherit(&mut a.mirror_percent, &b.mirror_percent);
                inherit(&mut a.mirror_percentage, &b.mirror_percentage);
                inherit(&mut a.cors_policy, &b.cors_policy);
                inherit(&mut a.mirrors, &b.mirrors);
                inherit(&mut a.headers, &b.headers);
                out.push(r);
            }
        }
    }
    (out, dropped)
}

fn inherit(child: &mut Option<Value>, root: &Option<Value>) {
    if child.is_none() {
        child.clone_from(root);
    }
}

/// mergeHTTPMatchRequests: every delegate match needs a root match it does
/// not conflict with; it is merged with each such root match.
fn merge_matches(root: &[Cond], delegate: &[Cond]) -> Result<Vec<Cond>, String> {
    if root.is_empty() {
        return Ok(delegate.to_vec());
    }
    if delegate.is_empty() {
        return Ok(root.to_vec());
    }
    let mut out = Vec::new();
    for sub in delegate {
        let mut found = false;
        let mut first_conflict = None;
        for r in root {
            match conflict(r, sub) {
                Some(why) => {
                    first_conflict.get_or_insert(why);
                }
                None => {
                    out.push(merge_match(r, sub));
                    found = true;
                }
            }
        }
        if !found {
            return Err(format!(
                "its match {} conflicts with the root's: {}",
                sub.index,
                first_conflict.unwrap_or_default()
            ));
        }
    }
    Ok(out)
}

fn merge_match(root: &Cond, sub: &Cond) -> Cond {
    let mut out = sub.clone();
    out.name = match (&root.name, &sub.name) {
        (root_name, None) => root_name.clone(),
        (Some(a), Some(b)) => Some(format!("{a}-{b}")),
        (None, Some(b)) => Some(b.clone()),
    };
    for (o, r) in [
        (&mut out.uri, &root.uri),
        (&mut out.scheme, &root.scheme),
        (&mut out.method, &root.method),
        (&mut out.authority, &root.authority),
    ] {
        if o.is_none() {
            o.clone_from(r);
        }
    }
    merge_map(&mut out.headers, &root.headers);
    merge_map(&mut out.without_headers, &root.without_headers);
    merge_map(&mut out.query_params, &root.query_params);
    merge_map(&mut out.source_labels, &root.source_labels);
    if out.port.is_none() {
        out.port = root.port;
    }
    if out.source_namespace.is_none() {
        out.source_namespace.clone_from(&root.source_namespace);
    }
    if out.gateways.is_empty() {
        out.gateways.clone_from(&root.gateways);
    }
    out
}

/// maps.MergeCopy(root, delegate): the delegate's entries win.
fn merge_map<T: Clone>(out: &mut Vec<(String, T)>, root: &[(String, T)]) {
    for (k, v) in root {
        if !out.iter().any(|(n, _)| n == k) {
            out.push((k.clone(), v.clone()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
}

/// hasConflict, with the reason for the trace.
fn conflict(root: &Cond, leaf: &Cond) -> Option<String> {
    let pairs = [
        ("uri", &root.uri, &leaf.uri),
        ("scheme", &root.scheme, &leaf.scheme),
        ("method", &root.method, &leaf.method),
        ("authority", &root.authority, &leaf.authority),
    ];
    for (what, r, l) in pairs {
        if string_conflict(r.as_ref(), l.as_ref()) {
            return Some(format!("{what} {} vs {}", show(r), show(l)));
        }
    }
    for (what, rs, ls) in [
        ("headers", &root.headers, &leaf.headers),
        (
            "withoutHeaders",
            &root.without_headers,
            &leaf.without_headers,
        ),
        ("queryParams", &root.query_params, &leaf.query_params),
    ] {
        for (k, l) in ls {
            let r = rs.iter().find(|(n, _)| n == k).map(|(_, p)| p);
            if string_conflict(r, Some(l)) {
                return Some(format!(
                    "{what}.{k} {} vs {}",
                    show(&r.cloned()),
                    l.describe()
                ));
            }
        }
    }
    if root.ignore_uri_case != leaf.ignore_uri_case {
        return Some("ignoreUriCase differs".into());
    }
    if let (Some(a), Some(b)) = (root.port, leaf.port) {
        if a != b {
            return Some(format!("port {a} vs {b}"));
        }
    }
    if let Some(ns) = &root.source_namespace {
        if leaf.source_namespace.as_ref() != Some(ns) {
            return Some(format!(
                "sourceNamespace {ns:?} vs {:?}",
                leaf.source_namespace
            ));
        }
    }
    for (k, v) in &leaf.source_labels {
        if root.source_labels.iter().any(|(n, rv)| n == k && rv != v) {
            return Some(format!("sourceLabels.{k} differs"));
        }
    }
    if !root.gateways.is_empty() && !leaf.gateways.is_empty() {
        let missing = root.gateways.len() < leaf.gateways.len()
            || leaf.gateways.iter().any(|g| !root.gateways.contains(g));
        if missing {
            return Some("gateways are not a subset of the root's".into());
        }
    }
    None
}

fn show(p: &Option<Pattern>) -> String {
    p.as_ref().map_or("none".into(), Pattern::describe)
}

/// stringMatchConflict: a regex on either side conflicts with any other
/// condition on the other; exact needs the same exact; prefix needs a longer
/// prefix or an exact under it.
fn string_conflict(root: Option<&Pattern>, leaf: Option<&Pattern>) -> bool {
    let (Some(root), Some(leaf)) = (root, leaf) else {
        return false;
    };
    // Istio reads GetExact()/GetPrefix()/GetRegex() != "": an empty string
    // (or a presence test) counts as not set.
    match (set_part(root), set_part(leaf)) {
        (Some(('r', _)), Some(_)) | (Some(_), Some(('r', _))) => true,
        (Some(('e', e)), l) => !matches!(l, Some(('e', x)) if x == e),
        (Some(('p', p)), Some(('p' | 'e', x))) => !x.starts_with(p),
        _ => true,
    }
}

fn set_part(p: &Pattern) -> Option<(char, &str)> {
    match &p.kind {
        Kind::Exact(s) if !s.is_empty() => Some(('e', s.as_str())),
        Kind::Prefix(s) if !s.is_empty() => Some(('p', s.as_str())),
        Kind::Regex(s, _) if !s.is_empty() => Some(('r', s.as_str())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(p: Pattern) -> Cond {
        Cond {
            uri: Some(p),
            ..Cond::default()
        }
    }

    #[test]
    fn string_conflicts_as_istio() {
        // Restated from pilot/pkg/model/virtualservice_test.go TestHasConflict.
        let c = |r: Pattern, l: Pattern| string_conflict(Some(&r), Some(&l));
        assert!(c(
            Pattern::regex("^/productpage"),
            Pattern::exact("/productpage")
        ));
        assert!(c(
            Pattern::regex("/merchants(/.*)?"),
            Pattern::regex("/merchants(/.*)?")
        ));
        assert!(c(Pattern::regex("/product(/.*)?"), Pattern::prefix("/")));
        assert!(c(
            Pattern::exact("/productpage"),
            Pattern::prefix("/productpage")
        ));
        assert!(c(Pattern::exact("/a"), Pattern::exact("/b")));
        assert!(!c(Pattern::exact("/a"), Pattern::exact("/a")));
        assert!(!c(
            Pattern::prefix("/productpage"),
            Pattern::prefix("/productpage/v1")
        ));
        assert!(c(
            Pattern::prefix("/productpage/v1"),
            Pattern::prefix("/productpage")
        ));
        assert!(!c(
            Pattern::prefix("/productpage"),
            Pattern::exact("/productpage/v1")
        ));
        assert!(!string_conflict(None, Some(&Pattern::exact("/x"))));
        assert!(!string_conflict(Some(&Pattern::exact("/x")), None));
    }

    #[test]
    fn merge_keeps_child_fields_and_inherits_the_rest() {
        let root = Rule {
            index: 0,
            name: Some("root".into()),
            matches: vec![uri(Pattern::prefix("/productpage"))],
            action: Action {
                timeout: Some(Value::from("5s")),
                retries: Some(serde_json::json!({"attempts": 3})),
                ..Action::default()
            },
            ..Rule::default()
        };
        let child = Rule {
            index: 0,
            name: Some("v1".into()),
            matches: vec![Cond {
                headers: vec![("version".into(), Pattern::exact("v1"))],
                ..Cond::default()
            }],
            action: Action {
                timeout: Some(Value::from("1s")),
                ..Action::default()
            },
            ..Rule::default()
        };
        let conflicting = Rule {
            index: 1,
            matches: vec![uri(Pattern::prefix("/other"))],
            ..Rule::default()
        };
        let (merged, dropped) = merge_delegate(&root, &[child, conflicting]);
        assert_eq!(merged.len(), 1);
        let m = &merged[0];
        assert_eq!(m.name.as_deref(), Some("root-v1"));
        assert_eq!(m.action.timeout, Some(Value::from("1s")));
        assert_eq!(m.action.retries, Some(serde_json::json!({"attempts": 3})));
        assert_eq!(m.matches[0].uri.as_ref().unwrap().text(), "/productpage");
        assert_eq!(m.matches[0].headers.len(), 1);
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].0, 1);
        assert!(
            dropped[0]
                .1
                .contains("uri prefix \"/productpage\" vs prefix \"/other\""),
            "{}",
            dropped[0].1
        );
    }

    #[test]
    fn catch_all_as_envoy_sees_it() {
        assert!(Cond::default().is_catch_all());
        assert!(uri(Pattern::prefix("/")).is_catch_all());
        assert!(uri(Pattern::regex(".*")).is_catch_all());
        assert!(!uri(Pattern::prefix("/a")).is_catch_all());
        let with_port = Cond {
            port: Some(8080),
            ..Cond::default()
        };
        assert!(with_port.is_catch_all());
        let with_method = Cond {
            method: Some(Pattern::exact("GET")),
            ..Cond::default()
        };
        assert!(!with_method.is_catch_all());
    }
}
