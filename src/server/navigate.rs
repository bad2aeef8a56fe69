//! Where things are defined: the DestinationRule subset a destination
//! names, the Gateway a `gateways:` entry names. Shared by hover and
//! definition. Hosts are resolved as Istio resolves them (`Host::resolve`
//! in each object's namespace); the exact host wins over a wildcard.

use std::path::Path;

use lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location};

use crate::model::{Destination, DestinationRule, Gateway, Host, Inventory, Loc, VirtualService};
use crate::server::position::LineIndex;
use crate::server::uri;
use crate::server::worker::Snapshot;
use crate::source::Source;
use crate::yaml::{Limits, Span};

/// The open document's model (from its editor text) and the workspace's.
pub struct Models<'a> {
    pub doc: Inventory,
    pub snapshot: &'a Snapshot,
}

impl<'a> Models<'a> {
    pub fn new(snapshot: &'a Snapshot) -> Models<'a> {
        let src = Source {
            name: snapshot.doc.name.clone(),
            text: snapshot.doc.text.clone(),
        };
        let (doc, _) = Inventory::from_source(&src, Limits::default());
        Models { doc, snapshot }
    }

    /// Every inventory: the document's first, then the files on disk
    /// (without the document's own, older, disk version).
    pub fn all(&self) -> impl Iterator<Item = &Inventory> {
        let own = self.snapshot.doc.path.as_deref();
        std::iter::once(&self.doc).chain(
            self.snapshot
                .workspace
                .files
                .iter()
                .filter(move |(p, _)| Some(p.as_path()) != own)
                .map(|(_, f)| &f.inventory),
        )
    }

    /// The destination (route, mirror) whose mapping holds the offset.
    pub fn destination_at(&self, offset: usize) -> Option<(&VirtualService, &Destination)> {
        self.doc.virtual_services.iter().find_map(|vs| {
            vs.destinations()
                .find(|d| contains(d.at.span, offset))
                .map(|d| (vs, d))
        })
    }

    /// The DestinationRules for a destination's host, best match first.
    pub fn rules_for(&self, vs: &VirtualService, host: &str) -> Vec<&DestinationRule> {
        let host = Host::resolve(host, vs.meta.namespace_or("default"));
        let mut found: Vec<(bool, &DestinationRule)> = self
            .all()
            .flat_map(|i| &i.destination_rules)
            .filter_map(|dr| {
                let raw = dr.host.as_ref()?;
                let dr_host = Host::resolve(raw, dr.meta.namespace_or("default"));
                dr_host
                    .matches(&host)
                    .then_some((dr_host.as_str() == host.as_str(), dr))
            })
            .collect();
        found.sort_by_key(|(exact, _)| !exact);
        found.into_iter().map(|(_, dr)| dr).collect()
    }

    /// The Gateway a `gateways:` entry (`name` or `namespace/name`) names.
    pub fn gateway(&self, vs: &VirtualService, entry: &str) -> Option<&Gateway> {
        let own = vs.meta.namespace_or("default");
        let (namespace, name) = entry.split_once('/').unwrap_or((own, entry));
        self.all()
            .flat_map(|i| &i.gateways)
            .find(|g| g.meta.name.as_deref() == Some(name) && g.meta.namespace_or(own) == namespace)
    }

    /// The `gateways:` entry (of the VirtualService or of a match) at the offset.
    pub fn gateway_entry_at(&self, offset: usize) -> Option<(&VirtualService, &str)> {
        self.doc.virtual_services.iter().find_map(|vs| {
            let matches = vs.http.iter().flat_map(|r| &r.matches);
            vs.gateways
                .iter()
                .chain(matches.flat_map(|m| &m.gateways))
                .find(|g| contains(g.at.span, offset))
                .map(|g| (vs, g.value.as_str()))
        })
    }

    /// A location in the protocol's terms, converting with the right text.
    pub fn location(&self, file: &str, loc: &Loc) -> Option<Location> {
        let path = Path::new(file);
        let text = if file == self.snapshot.doc.name.as_ref() {
            self.snapshot.doc.text.clone()
        } else {
            self.snapshot.workspace.files.get(path)?.text.clone()
        };
        let span = loc.span;
        let range = LineIndex::new(&text).range(span.start, span.end);
        Some(Location::new(uri::from_path(path)?, range))
    }
}

pub fn contains(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

pub fn definition(s: &Snapshot, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let at = p.text_document_position_params.position;
    let offset = LineIndex::new(&s.doc.text).offset(at);
    let models = Models::new(s);
    if let Some((vs, d)) = models.destination_at(offset) {
        let subset = d.subset.as_ref().filter(|s| contains(s.at.span, offset))?;
        let found = models.rules_for(vs, &d.host).into_iter().find_map(|dr| {
            let name = dr.subset(subset)?.name.as_ref()?;
            models.location(&dr.meta.file, &name.at)
        })?;
        return Some(GotoDefinitionResponse::Scalar(found));
    }
    let (vs, entry) = models.gateway_entry_at(offset)?;
    let gateway = models.gateway(vs, entry)?;
    let at = gateway.meta.name_at.as_ref()?;
    models
        .location(&gateway.meta.file, at)
        .map(GotoDefinitionResponse::Scalar)
}
