//! Unit tests of the model on small manifests: values and exact locations.

use std::sync::Arc;

use super::virtual_service::StringMatch;
use super::*;

/// The models of every object in `text`.
pub(crate) fn models(text: &str) -> Vec<Model> {
    let file: Arc<str> = Arc::from("test.yaml");
    crate::yaml::parse_stream(text, crate::yaml::Limits::default())
        .documents
        .into_iter()
        .filter_map(|d| d.root)
        .flat_map(crate::objects::extract)
        .filter_map(|o| build(&o, &file))
        .collect()
}

fn one(text: &str) -> Model {
    let mut all = models(text);
    assert_eq!(all.len(), 1, "one modelled object expected");
    all.remove(0)
}

/// (line, column) of a location.
fn lc(at: &Loc) -> (u32, u32) {
    (at.span.line, at.span.col)
}

const VS: &str = "\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: prod
  labels: {app: reviews}
spec:
  hosts: [reviews, \"*.example.com\"]
  gateways: [mesh, istio-system/ingress]
  exportTo: [\".\"]
  http:
  - name: canary
    match:
    - uri: {prefix: /api}
      headers:
        end-user: {exact: jason}
        x-any: {}
      queryParams:
        v: {regex: \"^2\"}
      port: 8080
      sourceLabels: {app: web}
      ignoreUriCase: true
    route:
    - destination: {host: reviews, subset: v2, port: {number: 9080}}
      weight: 80
    - destination: {host: reviews, subset: v1}
      weight: 20
    timeout: 5s
    retries: {attempts: 3}
    mirror: {host: shadow}
    mirrorPercentage: {value: 10}
  - delegate: {name: child, namespace: team}
  tcp:
  - match: [{port: 3306, sourceSubnet: 10.0.0.0/8}]
    route: [{destination: {host: db}}]
  tls:
  - match: [{sniHosts: [a.example.com], port: 443}]
    route: [{destination: {host: a.example.com}}]
";

#[test]
fn virtual_service_values_and_locations() {
    let Model::VirtualService(vs) = one(VS) else {
        panic!("not a VirtualService")
    };
    assert_eq!(vs.meta.name.as_deref(), Some("reviews"));
    assert_eq!(vs.meta.namespace_or("default"), "prod");
    assert_eq!(vs.meta.label("app"), Some("reviews"));
    let hosts: Vec<&str> = vs.hosts.iter().map(|h| h.as_str()).collect();
    assert_eq!(hosts, ["reviews", "*.example.com"]);
    assert_eq!(vs.hosts[1].at.pointer, "/spec/hosts/1");
    assert_eq!(lc(&vs.hosts[1].at), (8, 20));
    assert_eq!(vs.gateways[1].value, "istio-system/ingress");
    assert_eq!(vs.export_to[0].value, ".");
    assert_eq!(vs.http.len(), 2);

    let r = &vs.http[0];
    assert_eq!(
        (r.index, r.name.as_deref().map(String::as_str)),
        (0, Some("canary"))
    );
    assert_eq!(lc(&r.at), (12, 5));
    let m = &r.matches[0];
    let uri = m.uri.as_ref().unwrap();
    assert_eq!(uri.value, StringMatch::Prefix("/api".into()));
    assert_eq!(
        (uri.at.pointer.as_str(), lc(&uri.at)),
        ("/spec/http/0/match/0/uri", (14, 12))
    );
    assert_eq!(uri.at.key.map(|k| (k.line, k.col)), Some((14, 7)));
    assert_eq!(m.headers[0].0, "end-user");
    assert_eq!(m.headers[0].1.value, StringMatch::Exact("jason".into()));
    assert_eq!(m.headers[1].1.value, StringMatch::Present);
    assert_eq!(
        m.headers[1].1.at.pointer,
        "/spec/http/0/match/0/headers/x-any"
    );
    assert_eq!(m.query_params[0].1.value, StringMatch::Regex("^2".into()));
    assert_eq!(m.port.as_ref().map(|p| p.value), Some(8080));
    assert_eq!(m.source_labels, [("app".to_string(), "web".to_string())]);
    assert!(m.ignore_uri_case);
    assert_eq!(m.method, None);

    let d = &r.route[0];
    assert_eq!(d.destination.host.value, "reviews");
    assert_eq!(d.destination.subset.as_ref().unwrap().value, "v2");
    assert_eq!(d.destination.port.as_ref().unwrap().value, 9080);
    let w = d.weight.as_ref().unwrap();
    assert_eq!(
        (w.value, w.at.pointer.as_str(), lc(&w.at)),
        (80, "/spec/http/0/route/0/weight", (25, 15))
    );
    assert_eq!(r.route[1].weight.as_ref().unwrap().value, 20);
    assert_eq!(r.timeout.as_ref().unwrap().value, "5s");
    assert_eq!(r.retries.as_ref().unwrap().value["attempts"], 3);
    assert_eq!(r.mirror.as_ref().unwrap().host.value, "shadow");
    assert_eq!(r.mirror_percentage.as_ref().unwrap().value["value"], 10);

    let delegate = vs.http[1].delegate.as_ref().unwrap();
    assert_eq!(
        (
            delegate.name.value.as_str(),
            delegate.namespace.as_deref().map(String::as_str)
        ),
        ("child", Some("team"))
    );
    assert_eq!(delegate.at.pointer, "/spec/http/1/delegate");

    let tcp = &vs.tcp[0];
    assert_eq!(tcp.matches[0].port.as_ref().unwrap().value, 3306);
    assert_eq!(
        tcp.matches[0].source_subnet.as_ref().unwrap().value,
        "10.0.0.0/8"
    );
    assert_eq!(tcp.route[0].destination.host.value, "db");
    let tls = &vs.tls[0];
    assert_eq!(tls.matches[0].sni_hosts[0].value, "a.example.com");
    assert_eq!(
        tls.matches[0].sni_hosts[0].at.pointer,
        "/spec/tls/0/match/0/sniHosts/0"
    );
    assert_eq!(tls.matches[0].l4.port.as_ref().unwrap().value, 443);

    let all: Vec<&str> = vs.destinations().map(|d| d.host.as_str()).collect();
    assert_eq!(all, ["reviews", "reviews", "shadow", "db", "a.example.com"]);
}

const DR: &str = "\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  exportTo: ['*']
  workloadSelector:
    matchLabels: {app: gw}
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 100, connectTimeout: 30ms}
      http: {http1MaxPendingRequests: 10, useClientProtocol: true, h2UpgradePolicy: UPGRADE}
    loadBalancer:
      consistentHash: {httpHeaderName: x-user}
    outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m}
    tls:
      mode: ISTIO_MUTUAL
      subjectAltNames: [spiffe://a]
    portLevelSettings:
    - port: {number: 9080}
      loadBalancer: {simple: LEAST_REQUEST}
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer: {simple: ROUND_ROBIN}
";

#[test]
fn destination_rule_values_and_locations() {
    let Model::DestinationRule(dr) = one(DR) else {
        panic!("not a DestinationRule")
    };
    assert_eq!(dr.meta.namespace, None);
    let host = dr.host.as_ref().unwrap();
    assert_eq!((host.value.as_str(), lc(&host.at)), ("reviews", (5, 9)));
    assert_eq!(host.at.key.map(|k| (k.line, k.col)), Some((5, 3)));
    assert_eq!(dr.export_to[0].value, "*");
    let sel = dr.workload_selector.as_ref().unwrap();
    assert_eq!(
        (sel.value.clone(), sel.at.pointer.as_str()),
        (
            vec![("app".to_string(), "gw".to_string())],
            "/spec/workloadSelector"
        )
    );

    let tp = dr.traffic_policy.as_ref().unwrap();
    let pool = tp.connection_pool.as_ref().unwrap();
    let tcp = pool.tcp.as_ref().unwrap();
    assert_eq!(tcp.max_connections.as_ref().unwrap().value, 100);
    assert_eq!(tcp.connect_timeout.as_ref().unwrap().value, "30ms");
    let http = pool.http.as_ref().unwrap();
    assert_eq!(http.http1_max_pending_requests.as_ref().unwrap().value, 10);
    assert!(http.use_client_protocol.as_ref().unwrap().value);
    assert_eq!(http.h2_upgrade_policy.as_ref().unwrap().value, "UPGRADE");
    let lb = tp.load_balancer.as_ref().unwrap();
    assert_eq!(lb.simple, None);
    assert_eq!(
        lb.consistent_hash.as_ref().unwrap().value["httpHeaderName"],
        "x-user"
    );
    let od = tp.outlier_detection.as_ref().unwrap();
    assert_eq!(od.consecutive_5xx_errors.as_ref().unwrap().value, 7);
    assert_eq!(od.base_ejection_time.as_ref().unwrap().value, "15m");
    let tls = tp.tls.as_ref().unwrap();
    let mode = tls.mode.as_ref().unwrap();
    assert_eq!(
        (mode.value.as_str(), mode.at.pointer.as_str(), lc(&mode.at)),
        ("ISTIO_MUTUAL", "/spec/trafficPolicy/tls/mode", (17, 13))
    );
    assert_eq!(tls.subject_alt_names[0].value, "spiffe://a");
    let port = &tp.port_level_settings[0];
    assert_eq!(port.port.as_ref().unwrap().value, 9080);
    assert_eq!(
        port.load_balancer
            .as_ref()
            .unwrap()
            .simple
            .as_ref()
            .unwrap()
            .value,
        "LEAST_REQUEST"
    );
    assert_eq!(port.at.pointer, "/spec/trafficPolicy/portLevelSettings/0");

    assert_eq!(dr.subsets.len(), 2);
    let v1 = dr.subset("v1").unwrap();
    let (k, v) = &v1.labels[0];
    assert_eq!((k.value.as_str(), v.value.as_str()), ("version", "v1"));
    assert_eq!((lc(&k.at), lc(&v.at)), ((25, 7), (25, 16)));
    assert_eq!(v.at.pointer, "/spec/subsets/0/labels/version");
    let v2 = dr.subset("v2").unwrap();
    let simple = v2
        .traffic_policy
        .as_ref()
        .unwrap()
        .load_balancer
        .as_ref()
        .unwrap()
        .simple
        .as_ref()
        .unwrap();
    assert_eq!(simple.value, "ROUND_ROBIN");
    assert_eq!(
        simple.at.pointer,
        "/spec/subsets/1/trafficPolicy/loadBalancer/simple"
    );
    assert!(dr.subset("v3").is_none());
}

#[test]
fn wrong_types_build_without_those_values() {
    let text = "\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: x}
spec:
  hosts: 3
  http:
  - route:
    - destination: {host: a}
      weight: \"fifty\"
    - destination: {host: 7}
    - 12
  - oops
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: y}
spec:
  host: [a]
  subsets: {}
  trafficPolicy: {connectionPool: 5, tls: {mode: 3}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: z}
spec: nope
";
    let all = models(text);
    assert_eq!(all.len(), 3);
    let Model::VirtualService(vs) = &all[0] else {
        panic!()
    };
    assert!(vs.hosts.is_empty());
    assert_eq!(vs.http.len(), 1, "the scalar route is skipped");
    assert_eq!(
        vs.http[0].route.len(),
        1,
        "host 7 and the scalar item are skipped"
    );
    assert_eq!(vs.http[0].route[0].weight, None);
    let Model::DestinationRule(dr) = &all[1] else {
        panic!()
    };
    assert_eq!(dr.host, None);
    assert!(dr.subsets.is_empty());
    let tp = dr.traffic_policy.as_ref().unwrap();
    assert!(tp.connection_pool.is_none());
    assert_eq!(tp.tls.as_ref().unwrap().mode, None);
    let Model::DestinationRule(empty) = &all[2] else {
        panic!()
    };
    assert_eq!(empty.meta.name.as_deref(), Some("z"));
    assert!(empty.traffic_policy.is_none());
}
