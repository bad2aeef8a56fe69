//! Gateway rules (IL7xxx): what Istio's validating webhook rejects or warns
//! about in a `networking.istio.io` Gateway beyond the CRD schema
//! (pkg/config/validation: ValidateGateway, validateServer,
//! validateServerPort, validateServerBind, validateTLSOptions). One rule per
//! concern, each in its own file.

pub mod bind;
pub mod hosts;
pub mod https_redirect;
pub mod name;
pub mod port;
pub mod port_names;
pub mod servers;
pub mod tls;
pub mod tls_ignored;
pub mod tls_presence;

use crate::model::{Gateway, Model};
use crate::rules::ObjectContext;

pub const GW: &[&str] = &["Gateway"];

/// The Istio Gateway being checked (`None` for any other object).
pub fn gateway<'a>(ctx: &'a ObjectContext) -> Option<&'a Gateway> {
    match ctx.model()? {
        Model::Gateway(g) => Some(g),
        _ => None,
    }
}

/// A string field set to a non-empty value (proto3: empty is unset).
pub fn set(v: &Option<crate::model::Located<String>>) -> bool {
    v.as_ref().is_some_and(|s| !s.is_empty())
}
