use proptest::prelude::*;

use super::super::eval::{mismatch, not_built, Proxy};
use super::super::request::{Origin, Request};
use super::*;

fn mesh() -> Vec<String> {
    vec!["mesh".to_string()]
}

fn uri(p: Pattern) -> Cond {
    Cond {
        uri: Some(p),
        ..Cond::default()
    }
}

#[test]
fn prefixes_exacts_and_regexes_on_the_uri() {
    let m = mesh();
    let c = |a: &Cond, b: &Cond| covers(a, b, &m);
    assert!(c(
        &uri(Pattern::prefix("/api")),
        &uri(Pattern::prefix("/api/v2"))
    ));
    assert!(!c(
        &uri(Pattern::prefix("/api/v2")),
        &uri(Pattern::prefix("/api"))
    ));
    // Istio's analyzer compares only prefixes; an exact path under a prefix is covered too.
    assert!(c(
        &uri(Pattern::prefix("/api")),
        &uri(Pattern::exact("/api/v1"))
    ));
    assert!(!c(
        &uri(Pattern::exact("/api")),
        &uri(Pattern::prefix("/api"))
    ));
    assert!(c(
        &uri(Pattern::regex("/api(/.*)?")),
        &uri(Pattern::exact("/api/v1"))
    ));
    assert!(!c(
        &uri(Pattern::regex("/api(/.*)?")),
        &uri(Pattern::prefix("/api"))
    ));
    assert!(c(
        &uri(Pattern::regex("/x|/y")),
        &uri(Pattern::regex("/x|/y"))
    ));
    assert!(c(&uri(Pattern::prefix("/")), &Cond::default()));
    assert!(c(&uri(Pattern::regex(".*")), &uri(Pattern::prefix("/z"))));
    assert!(!c(&uri(Pattern::prefix("/a")), &Cond::default()));
    // an expression that does not compile matches nothing and covers nothing
    assert!(!c(&uri(Pattern::regex("(")), &uri(Pattern::regex("("))));
}

#[test]
fn ignore_uri_case_on_either_side() {
    let m = mesh();
    let ci = |p: Pattern| Cond {
        ignore_uri_case: true,
        ..uri(p)
    };
    assert!(covers(
        &ci(Pattern::prefix("/API")),
        &uri(Pattern::prefix("/api/v1")),
        &m
    ));
    // `b` also takes /API/v1, which a case-sensitive `a` does not.
    assert!(!covers(
        &uri(Pattern::prefix("/api")),
        &ci(Pattern::prefix("/api/v1")),
        &m
    ));
    assert!(covers(
        &uri(Pattern::prefix("/1")),
        &ci(Pattern::prefix("/1/2")),
        &m
    ));
    assert!(!covers(
        &uri(Pattern::regex("/a.*")),
        &ci(Pattern::exact("/ab")),
        &m
    ));
}

#[test]
fn more_conditions_are_covered_by_fewer() {
    let m = mesh();
    let jason = ("end-user".to_string(), Pattern::exact("jason"));
    let a = uri(Pattern::prefix("/api"));
    let b = Cond {
        headers: vec![jason.clone()],
        method: Some(Pattern::exact("POST")),
        query_params: vec![("v".into(), Pattern::exact("2"))],
        port: Some(8080),
        ..uri(Pattern::prefix("/api/v2"))
    };
    assert!(covers(&a, &b, &m));
    assert!(!covers(&b, &a, &m));
    let header_present = Cond {
        headers: vec![("end-user".into(), Pattern::present())],
        ..Cond::default()
    };
    assert!(covers(&header_present, &b, &m));
    let other_user = Cond {
        headers: vec![("end-user".into(), Pattern::exact("mike"))],
        ..Cond::default()
    };
    assert!(!covers(&other_user, &b, &m));
    let port = Cond {
        port: Some(9080),
        ..Cond::default()
    };
    assert!(!covers(&port, &b, &m));
}

#[test]
fn without_headers_need_the_same_exclusion_or_a_value_outside_it() {
    let m = mesh();
    let not_jason = Cond {
        without_headers: vec![("end-user".into(), Pattern::exact("jason"))],
        ..Cond::default()
    };
    let mike = Cond {
        headers: vec![("end-user".into(), Pattern::exact("mike"))],
        ..Cond::default()
    };
    assert!(covers(&not_jason, &not_jason.clone(), &m));
    assert!(covers(&not_jason, &mike, &m));
    assert!(!covers(&not_jason, &Cond::default(), &m));
    let not_j_prefix = Cond {
        without_headers: vec![("end-user".into(), Pattern::prefix("j"))],
        ..Cond::default()
    };
    // excluding every j... excludes jason too
    assert!(covers(&not_jason, &not_j_prefix, &m));
    assert!(!covers(&not_j_prefix, &not_jason, &m));
}

#[test]
fn gateways_and_sources_decide_where_routes_are_built() {
    let vs = vec!["istio-system/gw".to_string(), "mesh".to_string()];
    let only_gw = Cond {
        gateways: vec!["istio-system/gw".into()],
        ..Cond::default()
    };
    assert!(!covers(&only_gw, &Cond::default(), &vs));
    assert!(covers(&Cond::default(), &only_gw, &vs));
    let labelled = Cond {
        source_labels: vec![("app".into(), "web".into())],
        ..Cond::default()
    };
    assert!(!covers(&labelled, &Cond::default(), &vs));
    assert!(covers(&Cond::default(), &labelled, &vs));
    // a match naming gateways ignores its source labels (sourceMatchHTTP)
    assert!(!covers(&labelled, &only_gw, &vs));
    let ns = Cond {
        source_namespace: Some("prod".into()),
        ..labelled.clone()
    };
    assert!(covers(&labelled, &ns, &vs));
    assert!(!covers(&ns, &labelled, &vs));
}

fn pattern() -> impl Strategy<Value = Pattern> {
    let text = prop::sample::select(vec!["", "/", "/a", "/ab", "/A", "/a/b", "a", "b", "A"]);
    let re = prop::sample::select(vec![".*", "/a.*", "/a|/b", "[ab]", "/A", "(", "a+"]);
    prop_oneof![
        text.clone().prop_map(Pattern::exact),
        text.prop_map(Pattern::prefix),
        re.prop_map(Pattern::regex),
        Just(Pattern::present()),
    ]
}

/// What a uri condition can be (no presence test there).
fn uri_pattern() -> impl Strategy<Value = Pattern> {
    let text = prop::sample::select(vec!["", "/", "/a", "/ab", "/A", "/a/b", "/a?q"]);
    let re = prop::sample::select(vec![".*", "/a.*", "/a|/b", "/A", "(", "/a+"]);
    prop_oneof![
        text.clone().prop_map(Pattern::exact),
        text.prop_map(Pattern::prefix),
        re.prop_map(Pattern::regex),
    ]
}

fn pairs<T: std::fmt::Debug + Clone + 'static>(
    names: Vec<&'static str>,
    values: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Vec<(String, T)>> {
    prop::collection::vec((prop::sample::select(names), values), 0..2).prop_map(|mut v| {
        v.sort_by(|a, b| a.0.cmp(b.0));
        v.dedup_by(|a, b| a.0 == b.0);
        v.into_iter().map(|(k, p)| (k.to_string(), p)).collect()
    })
}

prop_compose! {
    fn cond()(
        uri in prop::option::weighted(0.6, uri_pattern()),
        ignore_uri_case in any::<bool>(),
        method in prop::option::weighted(0.2, prop::sample::select(vec!["GET", "POST", "G"]).prop_flat_map(|m| prop_oneof![Just(Pattern::exact(m)), Just(Pattern::prefix(m))])),
        headers in pairs(vec!["x", "y"], pattern()),
        without in pairs(vec!["x", "y"], pattern()),
        query in pairs(vec!["q"], pattern()),
        port in prop::option::weighted(0.2, prop::sample::select(vec![80u32, 8080])),
        gateways in prop::sample::select(vec![vec![], vec!["mesh"], vec!["ns/gw"], vec!["mesh", "ns/gw"]]),
        labels in prop::sample::select(vec![vec![], vec![("app", "a")], vec![("app", "a"), ("v", "1")]]),
        namespace in prop::option::weighted(0.2, prop::sample::select(vec!["default", "other"])),
    ) -> Cond {
        Cond {
            uri,
            ignore_uri_case,
            method,
            headers,
            without_headers: without,
            query_params: query,
            port,
            gateways: gateways.into_iter().map(String::from).collect(),
            source_labels: labels.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            source_namespace: namespace.map(String::from),
            ..Cond::default()
        }
    }
}

prop_compose! {
    fn request()(
        path in prop::sample::select(vec!["/", "/a", "/ab", "/A", "/AB", "/a?q=a", "/ab?q=", "/b", "/a/b?q=b"]),
        method in prop::sample::select(vec!["GET", "POST"]),
        headers in pairs(vec!["x", "y"], prop::sample::select(vec!["", "a", "b", "/a", "A"]).prop_map(String::from)),
    ) -> Request {
        Request {
            host: "h".into(),
            port: 80,
            path: path.into(),
            method: method.into(),
            scheme: "http".into(),
            headers,
            origin: Origin::Sidecar { namespace: "default".into(), labels: vec![] },
        }
    }
}

fn mix(a: &Cond, o: &Cond, mask: &[bool]) -> Cond {
    let pick = |i: usize| mask[i];
    Cond {
        uri: if pick(0) {
            a.uri.clone()
        } else {
            o.uri.clone()
        },
        ignore_uri_case: if pick(1) {
            a.ignore_uri_case
        } else {
            o.ignore_uri_case
        },
        method: if pick(2) {
            a.method.clone()
        } else {
            o.method.clone()
        },
        headers: if pick(3) {
            a.headers.clone()
        } else {
            o.headers.clone()
        },
        without_headers: if pick(4) {
            a.without_headers.clone()
        } else {
            o.without_headers.clone()
        },
        query_params: if pick(5) {
            a.query_params.clone()
        } else {
            o.query_params.clone()
        },
        port: if pick(6) { a.port } else { o.port },
        gateways: if pick(7) {
            a.gateways.clone()
        } else {
            o.gateways.clone()
        },
        source_labels: if pick(8) {
            a.source_labels.clone()
        } else {
            o.source_labels.clone()
        },
        source_namespace: if pick(9) {
            a.source_namespace.clone()
        } else {
            o.source_namespace.clone()
        },
        ..Cond::default()
    }
}

/// One case of the soundness property: a pair of matches, a proxy the
/// VirtualService is bound to, a request.
#[derive(Debug)]
struct Case {
    a: Cond,
    b: Cond,
    req: Request,
    vs: Vec<String>,
    at: usize,
    port: u32,
    labels: Vec<(String, String)>,
    namespace: &'static str,
}

fn case() -> impl Strategy<Value = Case> {
    let gateways = prop::sample::select(vec![vec!["mesh"], vec!["ns/gw"], vec!["mesh", "ns/gw"]]);
    let labels = prop::sample::select(vec![
        vec![],
        vec![("app", "a")],
        vec![("app", "a"), ("v", "1")],
    ]);
    (
        (cond(), cond(), prop::collection::vec(any::<bool>(), 10)),
        request(),
        (gateways, 0..2usize, prop::sample::select(vec![80u32, 8080])),
        (labels, prop::sample::select(vec!["default", "other"])),
    )
        .prop_map(
            |((a, other, mask), req, (vs, at, port), (labels, namespace))| Case {
                // `b` shares some of `a`'s conditions, so that covering is common.
                b: mix(&a, &other, &mask),
                a,
                req,
                vs: vs.into_iter().map(String::from).collect(),
                at,
                port,
                labels: labels
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
                namespace,
            },
        )
}

/// The relation is sound against the evaluator: when `a` covers `b`, every
/// proxy and request that reach `b` reach `a`. The run must meet enough
/// such cases to mean something.
#[test]
fn covered_matches_are_never_reached() {
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config {
        cases: 6000,
        ..Config::default()
    });
    let reached = std::cell::Cell::new(0);
    let result = runner.run(&case(), |c| {
        let proxy = Proxy {
            listen_port: c.port,
            gateway_name: &c.vs[c.at % c.vs.len()],
            labels: &c.labels,
            namespace: c.namespace,
        };
        let reaches = |m: &Cond| not_built(m, &proxy).is_none() && mismatch(m, &c.req).is_none();
        if covers(&c.a, &c.b, &c.vs) && reaches(&c.b) {
            reached.set(reached.get() + 1);
            prop_assert!(reaches(&c.a), "{c:?}");
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        reached.get() >= 30,
        "only {} covered cases reached",
        reached.get()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every match covers itself unless it can match nothing at all.
    #[test]
    fn a_match_covers_itself(a in cond()) {
        let broken = |p: &Pattern| matches!(p.kind, Kind::Regex(_, None));
        let any_broken = a.uri.iter().chain(a.method.iter()).any(broken)
            || a.headers.iter().chain(&a.without_headers).chain(&a.query_params).any(|(_, p)| broken(p));
        prop_assume!(!any_broken);
        prop_assert!(covers(&a, &a, &mesh()), "{a:?}");
    }
}
