//! The security.istio.io kinds traffic rules read: PeerAuthentication (mTLS
//! mode) and RequestAuthentication (its selector), plus the mesh config
//! ConfigMap's root namespace.

use crate::model::loc::{locs, Cursor, Loc, Located, Locs};
use crate::model::meta::Meta;

#[derive(Clone, Debug)]
pub struct PeerAuthentication {
    pub meta: Meta,
    /// `selector.matchLabels`; `None` without a selector (namespace- or mesh-wide).
    pub selector: Option<Vec<(String, String)>>,
    pub mtls_mode: Option<Located<String>>,
    /// `portLevelMtls`: port number and mode.
    pub port_level: Vec<(u32, String)>,
}

impl PeerAuthentication {
    pub fn build(spec: Option<Cursor>, meta: Meta) -> PeerAuthentication {
        let port_level = spec
            .as_ref()
            .and_then(|s| s.get("portLevelMtls"))
            .map(|p| p.entries())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(port, mode)| Some((port.parse().ok()?, mode.string("mode")?.value)))
            .collect();
        PeerAuthentication {
            selector: spec.as_ref().and_then(selector),
            mtls_mode: spec
                .as_ref()
                .and_then(|s| s.map("mtls"))
                .and_then(|m| m.string("mode")),
            port_level,
            meta,
        }
    }
}

#[derive(Clone, Debug)]
pub struct RequestAuthentication {
    pub meta: Meta,
    /// `selector.matchLabels`; `None` without one.
    pub selector: Option<Vec<(String, String)>>,
}

impl RequestAuthentication {
    pub fn build(spec: Option<Cursor>, meta: Meta) -> RequestAuthentication {
        RequestAuthentication {
            selector: spec.as_ref().and_then(selector),
            meta,
        }
    }
}

/// `selector.matchLabels`, when it is a mapping.
fn selector(spec: &Cursor) -> Option<Vec<(String, String)>> {
    spec.map("selector")?.selector("matchLabels")
}

/// The mesh config ConfigMap (`istio`, or a revision's `istio-<rev>`).
#[derive(Clone, Debug)]
pub struct MeshConfig {
    pub meta: Meta,
    /// `rootNamespace` of the `mesh` data key, when set.
    pub root_namespace: Option<String>,
}

impl MeshConfig {
    /// `None` for ConfigMaps that are not a mesh config.
    pub fn build(root: &Cursor, meta: Meta) -> Option<MeshConfig> {
        if !meta.name.as_deref().is_some_and(is_mesh_config_name) {
            return None;
        }
        let mesh = root.path(&["data", "mesh"])?.as_string()?;
        Some(MeshConfig {
            root_namespace: root_namespace(&mesh.value),
            meta,
        })
    }

    /// The configured root namespace, else the ConfigMap's own namespace
    /// (where istiod, and so the root, usually lives).
    pub fn effective_root_namespace(&self) -> Option<&str> {
        self.root_namespace
            .as_deref()
            .or(self.meta.namespace.as_deref())
    }
}

/// `istio` or a revision's `istio-<rev>` ConfigMap (not the sidecar injector's).
pub fn is_mesh_config_name(name: &str) -> bool {
    name == "istio" || name.starts_with("istio-") && !name.contains("sidecar")
}

/// `rootNamespace` of a mesh config text.
pub fn root_namespace(mesh: &str) -> Option<String> {
    let parsed = crate::yaml::parse_stream(mesh, crate::yaml::Limits::default());
    let root = parsed.documents.into_iter().next()?.root?;
    Some(root.get("rootNamespace")?.as_str()?.to_string())
}

impl Locs for PeerAuthentication {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta, self.mtls_mode);
    }
}

impl Locs for RequestAuthentication {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta);
    }
}

impl Locs for MeshConfig {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        locs!(out; self.meta);
    }
}
