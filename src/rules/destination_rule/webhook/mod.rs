//! What Istio's validating webhook rejects (or warns about) in a
//! DestinationRule beyond the CRD schema: `ValidateDestinationRule` and the
//! traffic-policy validators, one rule per concern, one file per topic. The
//! host, subsets and policies come from the model (`model::DestinationRule`);
//! what the webhook reads of them as written, through `JsonAt` at the
//! model's locations.

mod export_to;
mod load_balancer;
mod policy;
mod selector;
mod subsets;
mod tls;

pub use export_to::EXPORT_TO;
pub use load_balancer::LB_INVALID;
pub use policy::{LOCAL_ORIGIN, POLICY_EMPTY, POOL_INVALID, TUNNEL_INVALID};
pub use selector::WORKLOAD_SELECTOR;
pub use subsets::{SUBSET_LABELS, SUBSET_NAME};
pub use tls::TLS_INVALID;

use crate::diagnostic::Finding;
use crate::model::Model;
use crate::rules::validators as v;
use crate::rules::ObjectContext;
use crate::rules::{rule, Rule};

const DR: &[&str] = &["DestinationRule"];

rule!(
    HOST_INVALID,
    "IL3005",
    "dr-host-invalid",
    Error,
    DestinationRule,
    DR,
    "spec.host is not a valid (wildcard) domain name",
    "## What it checks
`spec.host` the way Istio's webhook does (`ValidateWildcardDomain`): a DNS name whose first label
may be a wildcard (`*`, `*.ns.svc.cluster.local`, `*-foo.example.com`); no IP addresses, no
all-numeric top-level label, no `/`.

## Example
```yaml
spec:
  host: default/reviews        # IL3005: use reviews.default.svc.cluster.local
```
Istio: validation.go `ValidateDestinationRule`.
",
    help: "use a service name, a FQDN such as reviews.ns.svc.cluster.local, or a leading wildcard (*.example.com)",
    check: crate::rules::Check::Object(check)
);

fn push(
    out: &mut Vec<Finding>,
    rule: &'static Rule,
    at: impl Into<String>,
    message: impl Into<String>,
) {
    out.push(Finding::new(rule, at, message));
}

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(Model::DestinationRule(dr)) = ctx.model() else {
        return;
    };
    if let Some(host) = &dr.host {
        if let Err(e) = v::wildcard_domain(host) {
            push(out, &HOST_INVALID, host, e);
        }
    }
    subsets::check(ctx, dr, out);
    for tp in ctx.policies() {
        policy::check(tp, out);
    }
    selector::check(&ctx.spec(), out);
}
