//! Unit tests of the kinds besides VirtualService and DestinationRule.

use super::tests::models;
use super::*;

fn lc(at: &Loc) -> (u32, u32) {
    (at.span.line, at.span.col)
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn gateway_servers() {
    let text = "\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [\"shop/*.example.com\", ./www.example.com]
    tls: {mode: SIMPLE, credentialName: cert}
  - port: {number: 80, name: http, protocol: HTTP, targetPort: 8080}
    hosts: ['*']
    tls: {httpsRedirect: true}
    bind: 0.0.0.0
  - 7
";
    let [Model::Gateway(gw)] = &models(text)[..] else {
        panic!("one Gateway expected")
    };
    assert_eq!(gw.selector, pairs(&[("istio", "ingressgateway")]));
    assert_eq!(gw.servers.len(), 2);
    let s = &gw.servers[0];
    let port = s.port.as_ref().unwrap();
    assert_eq!(port.number.as_ref().map(|n| n.value), Some(443));
    assert_eq!(port.protocol.as_ref().unwrap().value, "HTTPS");
    assert_eq!(s.hosts[1].value, "./www.example.com");
    assert_eq!(s.hosts[1].at.pointer, "/spec/servers/0/hosts/1");
    assert_eq!(lc(&s.hosts[1].at), (8, 35));
    let tls = s.tls.as_ref().unwrap();
    assert!(!tls.https_redirect);
    assert_eq!(tls.credential_name.as_ref().unwrap().value, "cert");
    let http = &gw.servers[1];
    assert_eq!(http.index, 1);
    assert!(http.tls.as_ref().unwrap().https_redirect);
    assert_eq!(
        http.port
            .as_ref()
            .unwrap()
            .target_port
            .as_ref()
            .unwrap()
            .value,
        8080
    );
    assert_eq!(http.bind.as_ref().unwrap().value, "0.0.0.0");
}

#[test]
fn kubernetes_gateway_listeners() {
    let text = "\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop}
spec:
  gatewayClassName: istio-waypoint
  listeners:
  - name: mesh
    port: 15008
    protocol: HBONE
  - name: web
    hostname: \"*.example.com\"
    port: 80
    protocol: HTTP
";
    let [Model::K8sGateway(gw)] = &models(text)[..] else {
        panic!("one Kubernetes Gateway expected")
    };
    assert_eq!(gw.class_name.as_deref(), Some("istio-waypoint"));
    let l = &gw.listeners[0];
    assert_eq!(
        (l.port, l.protocol.as_deref(), l.hostname.is_none()),
        (Some(15008), Some("HBONE"), true)
    );
    let web = &gw.listeners[1];
    let host = web.hostname.as_ref().unwrap();
    assert_eq!(
        (host.value.as_str(), host.at.pointer.as_str(), lc(&host.at)),
        ("*.example.com", "/spec/listeners/1/hostname", (11, 15))
    );
}

#[test]
fn service_entry_fields() {
    let text = "\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: shop}
spec:
  hosts: [api.example.com]
  addresses: [10.1.2.3/32]
  ports:
  - {number: 443, name: tls, protocol: TLS, targetPort: 8443}
  location: MESH_EXTERNAL
  resolution: DNS
  endpoints: [{address: 1.1.1.1}]
  exportTo: [\".\"]
  workloadSelector: {labels: {app: vm}}
";
    let [Model::ServiceEntry(se)] = &models(text)[..] else {
        panic!("one ServiceEntry expected")
    };
    assert_eq!(se.hosts[0].value, "api.example.com");
    assert_eq!(se.addresses[0].value, "10.1.2.3/32");
    let p = &se.ports[0];
    assert_eq!(
        (p.number, p.name.as_deref(), p.protocol.as_deref()),
        (Some(443), Some("tls"), Some("TLS"))
    );
    assert_eq!(p.target_port, Some(serde_json::json!(8443)));
    assert_eq!(
        (p.at.pointer.as_str(), lc(&p.at)),
        ("/spec/ports/0", (8, 5))
    );
    assert_eq!(se.location.as_ref().unwrap().value, "MESH_EXTERNAL");
    let resolution = se.resolution.as_ref().unwrap();
    assert_eq!(
        (resolution.value.as_str(), lc(&resolution.at)),
        ("DNS", (10, 15))
    );
    assert_eq!(se.endpoints[0].value["address"], "1.1.1.1");
    assert_eq!(se.export_to[0].value, ".");
    assert_eq!(se.workload_selector, Some(pairs(&[("app", "vm")])));
}

#[test]
fn services_workloads_namespaces_and_nodes() {
    let text = "\
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
  labels: {istio.io/use-waypoint: wp}
  annotations: {networking.istio.io/exportTo: \"., istio-system\"}
spec:
  selector: {app: reviews}
  ports:
  - {port: 9080, name: http, appProtocol: http, targetPort: web}
---
apiVersion: v1
kind: Service
metadata: {name: external}
spec: {type: ExternalName}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: reviews, version: v1}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: batch}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: pod}}
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: wp}
---
apiVersion: v1
kind: Node
metadata:
  name: n1
  labels: {topology.kubernetes.io/zone: z1}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other}
";
    let all = models(text);
    assert_eq!(all.len(), 7, "the unrelated ConfigMap is not modelled");
    let Model::Service(svc) = &all[0] else {
        panic!()
    };
    assert_eq!(svc.selector, Some(pairs(&[("app", "reviews")])));
    assert_eq!(svc.export_to, [".", "istio-system"]);
    assert_eq!(svc.meta.label(workloads::USE_WAYPOINT), Some("wp"));
    assert_eq!(
        svc.host().unwrap().as_str(),
        "reviews.shop.svc.cluster.local"
    );
    let port = &svc.ports[0];
    assert_eq!(
        (port.number, port.app_protocol.as_deref()),
        (Some(9080), Some("http"))
    );
    assert_eq!(port.target_port, Some(serde_json::json!("web")));
    let Model::Service(ext) = &all[1] else {
        panic!()
    };
    assert_eq!(
        (ext.selector.clone(), ext.service_type.as_deref()),
        (None, Some("ExternalName"))
    );
    assert_eq!(
        ext.host().unwrap().as_str(),
        "external.default.svc.cluster.local"
    );
    let Model::Workload(dep) = &all[2] else {
        panic!()
    };
    assert_eq!(
        dep.pod_labels,
        pairs(&[("app", "reviews"), ("version", "v1")])
    );
    let Model::Workload(cron) = &all[3] else {
        panic!()
    };
    assert_eq!(cron.pod_labels, pairs(&[("app", "batch")]));
    let Model::Workload(pod) = &all[4] else {
        panic!()
    };
    assert_eq!(pod.pod_labels, pairs(&[("app", "pod")]));
    let Model::Namespace(ns) = &all[5] else {
        panic!()
    };
    assert!(ns.is_ambient());
    assert_eq!(ns.waypoint(), Some("wp"));
    let Model::Node(node) = &all[6] else { panic!() };
    assert_eq!(node.meta.label("topology.kubernetes.io/zone"), Some("z1"));
    assert_eq!(node.meta.name_at.as_ref().map(lc), Some((48, 9)));
}

#[test]
fn security_kinds_and_mesh_config() {
    let text = "\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  mtls: {mode: STRICT}
  portLevelMtls:
    5432: {mode: PERMISSIVE}
    bad: {mode: DISABLE}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt}
spec: {selector: {matchLabels: {istio: ingressgateway}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    rootNamespace: mesh-root
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: istio-system}
data: {mesh: 'rootNamespace: no'}
";
    let all = models(text);
    assert_eq!(all.len(), 4, "the injector ConfigMap is no mesh config");
    let Model::PeerAuthentication(pa) = &all[0] else {
        panic!()
    };
    assert_eq!(pa.selector, Some(pairs(&[("app", "db")])));
    let mode = pa.mtls_mode.as_ref().unwrap();
    assert_eq!(
        (mode.value.as_str(), mode.at.pointer.as_str(), lc(&mode.at)),
        ("STRICT", "/spec/mtls/mode", (6, 16))
    );
    assert_eq!(pa.port_level, [(5432, "PERMISSIVE".to_string())]);
    let Model::PeerAuthentication(mesh_wide) = &all[1] else {
        panic!()
    };
    assert_eq!(mesh_wide.selector, None);
    let Model::RequestAuthentication(ra) = &all[2] else {
        panic!()
    };
    assert_eq!(ra.selector, Some(pairs(&[("istio", "ingressgateway")])));
    let Model::MeshConfig(mesh) = &all[3] else {
        panic!()
    };
    assert_eq!(mesh.root_namespace.as_deref(), Some("mesh-root"));
    assert_eq!(mesh.effective_root_namespace(), Some("mesh-root"));
}

#[test]
fn specless_objects_build_empty() {
    let text = "\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: g}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: s}
spec: [1]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: k}
spec: {listeners: 5}
";
    let all = models(text);
    let [Model::Gateway(g), Model::ServiceEntry(s), Model::K8sGateway(k)] = &all[..] else {
        panic!("three objects expected")
    };
    assert!(g.servers.is_empty() && s.hosts.is_empty() && k.listeners.is_empty());
}
