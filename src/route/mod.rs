//! Where a request goes: Istio's HTTP routing (pilot/pkg/networking/core/route,
//! model/virtualservice.go, core/httproute.go, core/gateway.go) answered
//! offline for `istiolint route` and `istiolint test`.
//!
//! Pipeline: `load::world` (model inventory -> VirtualServices merged and
//! sorted in `select::Table`, the service registry, the Gateways), then per
//! request `sidecar::route` or `gateway::route` pick the virtual host and its
//! routes, and `answer::answer` tries them in order.

pub mod answer;
pub mod compile;
pub mod cover;
pub mod eval;
pub mod gateway;
pub mod load;
pub mod outcome;
pub mod pattern;
pub mod request;
pub mod rule;
pub mod select;
pub mod sidecar;
pub mod testfile;
pub mod testrun;
pub mod world;

pub use outcome::Outcome;
pub use request::{Origin, Request};
pub use world::World;

/// Where `req` goes. An error only for a request that names what the
/// inputs do not have (a Gateway that is not there).
pub fn route(world: &World, req: &Request) -> Result<Outcome, String> {
    match &req.origin {
        Origin::Sidecar { namespace, labels } => Ok(sidecar::route(world, req, namespace, labels)),
        Origin::Gateway { namespace, name } => gateway::route(world, req, namespace, name),
    }
}
