//! From the model's inventory to what routing reads.

use super::select::Table;
use super::world::{Gateway, Registry, Server, Service, World};
use crate::model::{Host, Inventory};

/// `default_namespace`: the namespace of objects that name none (`-n`).
pub fn world(inv: &Inventory, default_namespace: &str) -> World {
    let mut services = Vec::new();
    for s in &inv.services {
        let Some(name) = &s.meta.name else { continue };
        let ns = s.meta.namespace_or(default_namespace);
        services.push(Service {
            host: Host::resolve(name, ns).as_str().to_string(),
            namespace: ns.to_string(),
            ports: s.ports.iter().filter_map(|p| p.number).collect(),
        });
    }
    for se in &inv.service_entries {
        let ns = se.meta.namespace_or(default_namespace);
        for h in &se.hosts {
            services.push(Service {
                host: Host::resolve(&h.value, ns).as_str().to_ascii_lowercase(),
                namespace: ns.to_string(),
                ports: se.ports.iter().filter_map(|p| p.number).collect(),
            });
        }
    }
    let gateways = inv
        .gateways
        .iter()
        .map(|g| Gateway {
            namespace: g.meta.namespace_or(default_namespace).to_string(),
            name: g.meta.name.clone().unwrap_or_default(),
            file: g.meta.file.to_string(),
            line: g.meta.name_at.as_ref().map_or(1, |l| l.span.line),
            created: g.meta.creation_timestamp.clone(),
            selector: g.selector.clone(),
            servers: g
                .servers
                .iter()
                .filter_map(|s| {
                    let port = s.port.as_ref()?;
                    Some(Server {
                        index: s.index,
                        line: s.at.span.line,
                        port: port.number.as_ref()?.value,
                        protocol: port
                            .protocol
                            .as_ref()
                            .map_or(String::new(), |p| p.value.to_ascii_uppercase()),
                        hosts: s.hosts.iter().map(|h| h.value.clone()).collect(),
                        https_redirect: s.tls.as_ref().is_some_and(|t| t.https_redirect),
                    })
                })
                .collect(),
        })
        .collect();
    World {
        table: Table::build(&inv.virtual_services, default_namespace),
        registry: Registry::new(services),
        gateways,
        k8s_gateways: inv
            .k8s_gateways
            .iter()
            .map(|g| {
                let ns = g.meta.namespace_or(default_namespace);
                format!("{ns}/{}", g.meta.name.as_deref().unwrap_or(""))
            })
            .collect(),
    }
}
