//! Where a request goes: Istio's HTTP routing (pilot/pkg/networking/core/route,
//! model/virtualservice.go, core/httproute.go, core/gateway.go) answered
//! offline for `istiolint route` and `istiolint test`.

pub mod eval;
pub mod outcome;
pub mod pattern;
pub mod request;
pub mod rule;
pub mod testfile;
