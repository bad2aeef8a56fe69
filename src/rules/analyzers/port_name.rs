//! IL8007: Service ports whose protocol Istio cannot tell from their name
//! or appProtocol (Istio IST0118, service.PortNameAnalyzer).

use crate::diagnostic::Diagnostic;
use crate::model::protocol::Protocol;
use crate::model::ServicePort;
use crate::rules::analyzers::diagnostic;
use crate::rules::cross::Facts;
use crate::rules::rule;

rule!(
    PORT_NAME,
    "IL8007",
    "port-name-not-conventional",
    Info,
    Analyzer,
    &["Service"],
    "A port of an HTTP-routed Service whose name and appProtocol do not tell Istio its protocol",
    "## What it checks
Each port of the Services that HTTP routes of VirtualServices among the inputs send to, the
way Istio reads its protocol
(pkg/config/kube `ConvertProtocol`): `appProtocol` when set (`kubernetes.io/h2c` is HTTP2,
`kubernetes.io/ws` HTTP), else the port name's prefix before the first `-` (`http-web`,
`grpc`, `tcp-db`; `grpc-web` as a whole), any case. Ports 25, 53, 3306 and 27017 default to TCP,
UDP ports are UDP. Istio's control plane (labels `istio`, or `release: istio`) and gateway
Services managed by Istio are skipped. Istio IST0118 (`PortNameIsNotUnderNamingConvention`).

`istioctl analyze` reports every Service; this rule only those whose traffic a VirtualService
routes as HTTP, where the sniffing below changes what the routes do (a deliberate difference:
an unnamed port of a Service no route names is not a traffic problem).

## Why it matters
Istio then sniffs the protocol of each connection: HTTP routes of VirtualServices only apply
when the first bytes look like HTTP, server-first protocols (MySQL, SMTP) stall until the
detection timeout, and the traffic is reported as TCP in telemetry.

## Example
```yaml
ports:
- name: web          # IL8007: use http-web, or appProtocol: http
  port: 8080
```
",
    help: "name the port `<protocol>[-suffix]` (http, http2, grpc, tcp, tls, ...) or set appProtocol",
    check: crate::rules::Check::Cross(check)
);

/// Labels of gateway Services Istio's controllers create.
const MANAGED: &[&str] = &[
    "istio.io-gateway-controller",
    "istio.io-mesh-controller",
    "istio.io-eastwest-controller",
];

/// `ConvertProtocol`.
pub fn port_protocol(port: &ServicePort) -> Protocol {
    if port.protocol.as_deref() == Some("UDP") {
        return Protocol::Udp;
    }
    let name = match port.app_protocol.as_deref() {
        Some("kubernetes.io/h2c") => return Protocol::Http2,
        Some("kubernetes.io/ws") => return Protocol::Http,
        Some("kubernetes.io/wss") => return Protocol::Https,
        Some(app) => app,
        None => port.name.as_deref().unwrap_or(""),
    };
    if name.len() >= 8 && name[..8].eq_ignore_ascii_case("grpc-web") {
        return Protocol::GrpcWeb;
    }
    let p = Protocol::parse(name.split('-').next().unwrap_or(""));
    let well_known = matches!(port.number, Some(25 | 53 | 3306 | 27017));
    if p == Protocol::Unsupported && well_known {
        return Protocol::Tcp;
    }
    p
}

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let routed = &facts.analyzers.http_destinations;
    for svc in facts.analyzers.services.iter().filter(|s| !s.context) {
        let meta = &svc.item.meta;
        if !svc.item.host().is_some_and(|h| routed.contains(h.as_str())) {
            continue;
        }
        let control_plane = meta.label("istio").is_some() || meta.label("release") == Some("istio");
        let managed = meta
            .label("gateway.istio.io/managed")
            .is_some_and(|v| MANAGED.contains(&v));
        if control_plane || managed || svc.item.service_type.as_deref() == Some("ExternalName") {
            continue;
        }
        for port in &svc.item.ports {
            if port_protocol(port) != Protocol::Unsupported {
                continue;
            }
            let target = match &port.target_port {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => port.number.map_or(String::new(), |n| n.to_string()),
            };
            out.push(diagnostic(
                &PORT_NAME,
                meta,
                &port.at,
                format!(
                    "Port name {} (port: {}, targetPort: {target}) doesn't follow the naming convention of Istio port.",
                    port.name.as_deref().unwrap_or(""),
                    port.number.unwrap_or(0)
                ),
            ));
        }
    }
    out
}
