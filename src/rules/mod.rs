//! The rule registry: every diagnostic has a rule with a stable code, a
//! kebab-case name, a default severity and its documentation.
//!
//! Codes are grouped by area and never reused:
//! IL1xxx input and YAML, IL2xxx schema, IL3xxx DestinationRule,
//! IL4xxx VirtualService, IL5xxx cross-object, IL6xxx deprecation,
//! IL7xxx Gateway, IL8xxx analyzers (istioctl analyze and Kiali checks).

pub mod analyzers;
pub mod context;
pub mod cross;
pub mod cross_ambient;
pub mod cross_dr;
pub mod cross_duplicates;
pub mod cross_gateways;
pub mod cross_jwt;
pub mod cross_pods;
pub mod cross_refs;
pub mod cross_registry;
pub mod cross_subset_labels;
pub mod cross_vs;
pub mod deprecation;
pub mod destination_rule;
pub mod durations;
pub mod gateway;
pub mod host_keys;
pub mod input;
pub mod input_kinds;
pub mod metadata_names;
pub mod schema;
pub mod validators;
pub mod virtual_service;

pub use context::ObjectContext;

use crate::diagnostic::Severity;
use crate::schema::IstioVersion;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Area {
    Input,
    Schema,
    DestinationRule,
    VirtualService,
    CrossObject,
    Deprecation,
    Gateway,
    Analyzer,
}

impl Area {
    pub fn title(self) -> &'static str {
        match self {
            Area::Input => "Input and YAML",
            Area::Schema => "Schema",
            Area::DestinationRule => "DestinationRule",
            Area::VirtualService => "VirtualService",
            Area::CrossObject => "Cross-object",
            Area::Deprecation => "Deprecation",
            Area::Gateway => "Gateway",
            Area::Analyzer => "Analyzers (istioctl analyze, Kiali)",
        }
    }
}

/// Declares a rule: `rule!(STATIC, "IL3005", "name", Error, Area, KINDS, "summary", "doc")`,
/// optionally followed by named fields of `Rule`: `help: "how to fix"` (the
/// default help of its findings), `check: Check::Object(check)` (what runs
/// it; see `Check`), `opt_in: true`, `severity_before: Some((VERSION, Warning))`.
macro_rules! rule {
    ($id:ident, $code:literal, $name:literal, $sev:ident, $area:ident, $kinds:expr, $summary:literal, $doc:literal $(, $field:ident: $value:expr)* $(,)?) => {
        #[allow(clippy::needless_update)]
        pub static $id: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            severity: $crate::diagnostic::Severity::$sev,
            area: $crate::rules::Area::$area,
            kinds: $kinds,
            summary: $summary,
            doc: $doc,
            $($field: $value,)*
            ..$crate::rules::Rule::DEFAULTS
        };
    };
}
pub(crate) use rule;

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// The severity of its findings with the newest bundled Istio release
    /// (and every release since `severity_before`'s version).
    pub severity: Severity,
    pub area: Area,
    /// Istio networking kinds its check runs on (`networking.istio.io`
    /// objects only); empty means any input. Cross-object rules list the
    /// kinds they report on.
    pub kinds: &'static [&'static str],
    /// One line.
    pub summary: &'static str,
    /// Markdown: what it checks, why, a bad and a good example, Istio/Kiali codes.
    pub doc: &'static str,
    /// How to fix, for findings that carry no more specific help ("" if none).
    pub help: &'static str,
    /// What produces its findings.
    pub check: Check,
    /// Runs only when selected by code or name (style rules).
    pub opt_in: bool,
    /// A version-dependent severity: `(V, S)` means severity `S` for Istio
    /// releases older than `V` (where Istio itself treated it differently).
    pub severity_before: Option<(IstioVersion, Severity)>,
}

impl Rule {
    /// The field defaults of `rule!`.
    pub const DEFAULTS: Rule = Rule {
        code: "",
        name: "",
        severity: Severity::Error,
        area: Area::Input,
        kinds: &[],
        summary: "",
        doc: "",
        help: "",
        check: Check::Pipeline,
        opt_in: false,
        severity_before: None,
    };

    /// The severity of its findings when checking against `version`.
    pub fn severity_for(&self, version: IstioVersion) -> Severity {
        match self.severity_before {
            Some((since, older)) if version < since => older,
            _ => self.severity,
        }
    }

    /// The severity as the rule table prints it: `info (warning before 1.20)`.
    pub fn severity_label(&self) -> String {
        match self.severity_before {
            Some((since, older)) => format!(
                "{} ({} before {}.{})",
                self.severity.as_str(),
                older.as_str(),
                since.major,
                since.minor
            ),
            None => self.severity.as_str().to_string(),
        }
    }

    /// Whether its check runs on this object kind.
    pub fn applies_to(&self, kind: &str) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }
}

// Rules are statics compared by identity of their code (unique, tested).
impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.code == other.code
    }
}
impl Eq for Rule {}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rule({} {})", self.code, self.name)
    }
}

/// What produces a rule's findings.
#[derive(Clone, Copy)]
pub enum Check {
    /// The pipeline itself: reading, parsing and schema validation (IL1xxx, IL2001-IL2006).
    Pipeline,
    /// Runs once per object of one of the rule's `kinds`.
    Object(ObjectCheck),
    /// Runs once over the cross-object index of every input.
    Cross(CrossCheck),
    /// Reported by the check of another rule of its family: one walk of the
    /// object serves several codes (the webhook's validators, for instance).
    SharedWith(&'static Rule),
}

pub type ObjectCheck = fn(&ObjectContext, &mut Vec<crate::diagnostic::Finding>);
pub type CrossCheck = fn(&cross::Facts) -> Vec<crate::diagnostic::Diagnostic>;

/// Every rule, in code order.
pub fn all() -> &'static [&'static Rule] {
    static ALL: &[&Rule] = &[
        &input::YAML_SYNTAX,
        &input::DUPLICATE_KEY,
        &input::UNRENDERED_TEMPLATE,
        &input::YAML11_SCALAR,
        &input::INPUT_LIMIT,
        &input::UNREADABLE_FILE,
        &input::COMPLEX_KEY,
        &input::UNUSED_SUPPRESSION,
        &input_kinds::UNKNOWN_KIND,
        &schema::UNKNOWN_FIELD,
        &schema::WRONG_TYPE,
        &schema::INVALID_VALUE,
        &schema::CONFLICTING_FIELDS,
        &schema::UNSUPPORTED_API_VERSION,
        &schema::MISSING_FIELD,
        &durations::DURATION_INVALID,
        &metadata_names::NAME_INVALID,
        &metadata_names::NAMESPACE_INVALID,
        &destination_rule::outlier::PERCENT_RANGE,
        &destination_rule::outlier::EJECT_ALL,
        &destination_rule::outlier::GATEWAY_ERRORS_SHADOWED,
        &destination_rule::pool::SERIALISING_LIMIT,
        &destination_rule::webhook::HOST_INVALID,
        &destination_rule::webhook::SUBSET_NAME,
        &destination_rule::webhook::SUBSET_LABELS,
        &destination_rule::webhook::POLICY_EMPTY,
        &destination_rule::webhook::POOL_INVALID,
        &destination_rule::webhook::LB_INVALID,
        &destination_rule::webhook::TLS_INVALID,
        &destination_rule::webhook::LOCAL_ORIGIN,
        &destination_rule::webhook::EXPORT_TO,
        &destination_rule::webhook::WORKLOAD_SELECTOR,
        &destination_rule::webhook::TUNNEL_INVALID,
        &cross_subset_labels::SUBSET_NO_LABELS,
        &destination_rule::tls_verify::NO_SERVER_VERIFICATION,
        &destination_rule::webhook_warnings::FAILOVER_WITHOUT_OUTLIER,
        &destination_rule::webhook_warnings::SELECTOR_WITHOUT_LABELS,
        &virtual_service::weights::NEGATIVE_WEIGHT,
        &virtual_service::weights::ALL_WEIGHTS_ZERO,
        &virtual_service::weights::WEIGHTS_NOT_100,
        &virtual_service::weights::SINGLE_DESTINATION_WEIGHT,
        &virtual_service::webhook::HOSTS,
        &virtual_service::webhook::DESTINATION,
        &virtual_service::webhook::NO_ROUTES,
        &virtual_service::webhook::GATEWAY_NAME,
        &virtual_service::webhook::ROUTE_ACTION,
        &virtual_service::webhook::MATCH,
        &virtual_service::webhook::RETRIES,
        &virtual_service::webhook::FAULT,
        &virtual_service::webhook::CORS,
        &virtual_service::webhook::REDIRECT,
        &virtual_service::webhook::MIRROR_PERCENTAGE,
        &virtual_service::webhook::HEADERS,
        &virtual_service::webhook::UNREACHABLE,
        &virtual_service::webhook::TCP_TLS,
        &virtual_service::webhook::JWT_CLAIM,
        &virtual_service::webhook_warnings::LEGACY_GATEWAY_NAME,
        &virtual_service::webhook_warnings::ABORT_WITHOUT_ERROR,
        &virtual_service::webhook_warnings::LARGE_DIRECT_RESPONSE,
        &virtual_service::webhook_warnings::SNI_IP_ADDRESS,
        &cross::SUBSET_NOT_FOUND,
        &cross::NO_DESTINATION_RULE,
        &cross_gateways::GATEWAY_NOT_FOUND,
        &cross_vs::HOST_CONFLICT,
        &cross_dr::DUPLICATE_DR,
        &cross_gateways::DUPLICATE_DESTINATION,
        &cross_gateways::HOST_NOT_IN_GATEWAY,
        &cross_registry::HOST_NOT_FOUND,
        &cross_pods::SUBSET_NO_PODS,
        &cross_dr::MTLS_OVERRIDDEN,
        &cross_dr::MTLS_DISABLED_UNDER_STRICT,
        &cross_dr::EXPORT_TO_UNKNOWN_NAMESPACE,
        &cross_registry::DESTINATION_PORT,
        &cross_vs::GATEWAY_BYPASSES_SUBSETS,
        &cross_ambient::AMBIENT_NO_WAYPOINT,
        &cross_ambient::AMBIENT_WRONG_NAMESPACE,
        &cross_jwt::JWT_WITHOUT_REQUEST_AUTHENTICATION,
        &cross_duplicates::DUPLICATE_OBJECT,
        &deprecation::CONSECUTIVE_ERRORS,
        &deprecation::OLD_API_VERSION,
        &deprecation::MIRROR_PERCENT,
        &deprecation::DURATION_SPELLING,
        &deprecation::MINIMUM_RING_SIZE,
        &deprecation::DELAY_PERCENT,
        &gateway::name::GATEWAY_NAME,
        &gateway::servers::NO_SERVERS,
        &gateway::hosts::SERVER_HOSTS,
        &gateway::port::SERVER_PORT,
        &gateway::port_names::DUPLICATE_PORT_NAME,
        &gateway::bind::SERVER_BIND,
        &gateway::tls_presence::TLS_PROTOCOL,
        &gateway::tls::SERVER_TLS,
        &gateway::https_redirect::HTTPS_REDIRECT,
        &gateway::tls_ignored::TLS_IGNORED,
        &analyzers::gateway_port::GATEWAY_PORT,
        &analyzers::gateway_selector::GATEWAY_SELECTOR,
        &analyzers::conflicting_gateways::CONFLICTING_GATEWAYS,
        &analyzers::gateway_certificate::DUPLICATE_CERTIFICATE,
        &analyzers::se_addresses::ADDRESSES_REQUIRED,
        &analyzers::se_protocols::PROTOCOL_CONFLICT,
        &analyzers::port_name::PORT_NAME,
        &analyzers::mtls_policy::MTLS_WITHOUT_POLICY,
    ];
    ALL
}

/// Finds a rule by code (`IL2001`, case-insensitive) or name (`unknown-field`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    all()
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// The rule list as a Markdown table, grouped by area (kept in the README).
/// `istiolint rules`: one aligned line per rule, opt-in rules marked.
pub fn plain_table(version: crate::schema::IstioVersion) -> String {
    let severity = |r: &Rule| {
        let opt_in = if r.opt_in { " (opt-in)" } else { "" };
        format!("{}{opt_in}", r.severity_for(version).as_str())
    };
    let name_width = all().iter().map(|r| r.name.len()).max().unwrap_or(0);
    let severity_width = all().iter().map(|r| severity(r).len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in all() {
        out.push_str(&format!(
            "{}  {:<name_width$}  {:<severity_width$}  {}\n",
            r.code,
            r.name,
            severity(r),
            r.summary
        ));
    }
    out
}

pub fn markdown_table() -> String {
    let mut out = String::from("| code | name | severity | what it reports |\n|---|---|---|---|\n");
    let mut area = None;
    for r in all() {
        if area != Some(r.area) {
            out.push_str(&format!("| **{}** | | | |\n", r.area.title()));
            area = Some(r.area);
        }
        out.push_str(&format!(
            "| {} | `{}` | {}{} | {} |\n",
            r.code,
            r.name,
            r.severity_label(),
            if r.opt_in { " (opt-in)" } else { "" },
            r.summary.replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let rules = all();
        for (i, r) in rules.iter().enumerate() {
            assert!(r.code.len() == 6 && r.code.starts_with("IL"), "{}", r.code);
            assert!(r
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            assert!(!r.doc.is_empty() && !r.summary.is_empty());
            for other in &rules[i + 1..] {
                assert_ne!(r.code, other.code);
                assert_ne!(r.name, other.name);
            }
        }
        let codes: Vec<_> = rules.iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted, "keep the registry in code order");
    }

    #[test]
    fn every_rule_is_run_by_the_registry_or_the_pipeline() {
        for r in all() {
            match r.check {
                // Reading, parsing and the schema are the pipeline's own.
                Check::Pipeline => assert!(
                    r.code.starts_with("IL1") || ("IL2001"..="IL2006").contains(&r.code),
                    "{} has no check",
                    r.code
                ),
                Check::SharedWith(head) => {
                    assert!(
                        matches!(head.check, Check::Object(_) | Check::Cross(_)),
                        "{} is shared with {}, which runs nothing",
                        r.code,
                        head.code
                    );
                    assert!(all().contains(&head), "{} is not registered", head.code);
                    let object_rule = matches!(head.check, Check::Object(_));
                    // The head's kinds decide where the family runs.
                    assert!(
                        !object_rule || r.kinds.iter().all(|k| head.applies_to(k)),
                        "{} reports on kinds its head {} does not run on",
                        r.code,
                        head.code
                    );
                }
                Check::Object(_) | Check::Cross(_) => {}
            }
        }
        let opt_in: Vec<&str> = all().iter().filter(|r| r.opt_in).map(|r| r.code).collect();
        assert_eq!(opt_in, ["IL6002", "IL6004"]);
    }

    #[test]
    fn version_dependent_severity() {
        let w = &virtual_service::weights::WEIGHTS_NOT_100;
        assert_eq!(w.severity_for(IstioVersion::new(1, 14, 9)), Severity::Error);
        assert_eq!(
            w.severity_for(IstioVersion::new(1, 15, 0)),
            Severity::Warning
        );
        assert_eq!(w.severity_label(), "warning (error before 1.15)");
        assert_eq!(input::YAML_SYNTAX.severity_label(), "error");
    }

    #[test]
    fn readme_lists_every_rule() {
        let readme = include_str!("../../README.md");
        let table = markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's rule table is stale; run `cargo xtask sync-readme`:\n{table}"
        );
    }
}
