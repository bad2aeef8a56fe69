//! The route matcher on arbitrary manifests and requests. The first line is
//! the request (`HOST PORT PATH [METHOD] [gw=NS/NAME] [NAME:VALUE]...`),
//! the rest the manifests. Properties: no panic; the same request gives the
//! same answer; the JSON parses and has exactly the documented keys; a
//! match names its VirtualService and rule, no match names neither; every
//! destination has its cluster and the shares add up to 100%; every trace
//! location is a line of the text.
#![no_main]

use std::sync::Arc;

use istiolint::model::Inventory;
use istiolint::route::request::{add_header, Origin, Request};
use istiolint::route::{self, load};
use libfuzzer_sys::fuzz_target;

const KEYS: [&str; 14] = [
    "matched",
    "virtual_service",
    "route",
    "destinations",
    "clusters",
    "redirect",
    "direct_response",
    "rewrite",
    "fault",
    "timeout",
    "retries",
    "mirrors",
    "headers",
    "status",
];

fn request(line: &str) -> Option<Request> {
    let mut words = line.split(' ');
    let host = words.next().filter(|h| !h.is_empty())?.to_string();
    let port = words.next()?.parse::<u32>().ok().filter(|p| *p > 0)?;
    let path = words.next().filter(|p| p.starts_with('/'))?.to_string();
    let mut req = Request {
        host,
        port,
        path,
        method: "GET".into(),
        scheme: if port == 443 { "https" } else { "http" }.into(),
        headers: Vec::new(),
        origin: Origin::Sidecar {
            namespace: "default".into(),
            labels: vec![("app".into(), "client".into())],
        },
    };
    for w in words {
        if let Some(gw) = w.strip_prefix("gw=") {
            let (ns, name) = gw.split_once('/')?;
            req.origin = Origin::Gateway {
                namespace: ns.into(),
                name: name.into(),
            };
        } else if let Some((k, v)) = w.split_once(':').filter(|(k, _)| !k.is_empty()) {
            add_header(&mut req.headers, k, v);
        } else if !w.is_empty() {
            req.method = w.to_string();
        }
    }
    Some(req)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some((first, manifests)) = text.split_once('\n') else {
        return;
    };
    let Some(req) = request(first) else {
        return;
    };
    let name: Arc<str> = Arc::from("fuzz.yaml");
    let Ok(src) = istiolint::source::decode(name, manifests.as_bytes().to_vec()) else {
        return;
    };
    let (inventory, _) = Inventory::from_source(&src, istiolint::yaml::Limits::default());
    let world = load::world(&inventory, "default");
    let Ok(outcome) = route::route(&world, &req) else {
        return;
    };
    let again = route::route(&world, &req).expect("the same request answered once");
    let json = outcome.to_json();
    assert_eq!(json, again.to_json(), "the same request, another answer");
    let parsed: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&json).unwrap()).unwrap();
    let keys: Vec<&str> = parsed.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, KEYS);
    assert_eq!(
        outcome.matched,
        outcome.virtual_service.is_some() && outcome.route.is_some(),
        "{json}"
    );
    if outcome.destinations.is_empty() {
        assert!(
            outcome.clusters.is_empty() || outcome.clusters == ["PassthroughCluster"],
            "{json}"
        );
    } else {
        assert_eq!(outcome.clusters.len(), outcome.destinations.len(), "{json}");
        let total: f64 = outcome.destinations.iter().map(|d| d.percent).sum();
        assert!((total - 100.0).abs() < 0.1, "shares add up to {total}: {json}");
        for c in &outcome.clusters {
            assert_eq!(c.split('|').count(), 4, "{c}");
            assert!(c.starts_with("outbound|"), "{c}");
        }
    }
    assert!((100..600).contains(&outcome.status), "{json}");
    let lines = manifests.replace("\r\n", "\n").matches(['\n', '\r']).count() + 1;
    for step in &outcome.trace {
        if let Some(at) = &step.at {
            let line: usize = at
                .rsplit(':')
                .next()
                .and_then(|l| l.parse().ok())
                .unwrap_or_else(|| panic!("{at}"));
            assert!(line >= 1 && line <= lines, "{at} in {lines} lines");
        }
    }
});
