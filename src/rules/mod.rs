//! The rule registry: every diagnostic has a rule with a stable code, a
//! kebab-case name, a default severity and its documentation.
//!
//! Codes are grouped by area and never reused:
//! IL1xxx input and YAML, IL2xxx schema, IL3xxx DestinationRule,
//! IL4xxx VirtualService, IL5xxx cross-object, IL6xxx deprecation.

pub mod cross;
pub mod cross_ambient;
pub mod cross_dr;
pub mod cross_duplicates;
pub mod cross_jwt;
pub mod cross_refs;
pub mod cross_registry;
pub mod cross_vs;
pub mod deprecation;
pub mod destination_rule;
pub mod durations;
pub mod host_keys;
pub mod input;
pub mod schema;
pub mod validators;
pub mod virtual_service;

use crate::diagnostic::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Area {
    Input,
    Schema,
    DestinationRule,
    VirtualService,
    CrossObject,
    Deprecation,
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
        }
    }
}

/// Declares a rule: `rule!(STATIC, "IL3005", "name", Error, Area, KINDS, "summary", "doc")`,
/// optionally followed by `help: "how to fix"` (the default help of its findings).
macro_rules! rule {
    ($id:ident, $code:literal, $name:literal, $sev:ident, $area:ident, $kinds:expr, $summary:literal, $doc:literal) => {
        $crate::rules::rule!($id, $code, $name, $sev, $area, $kinds, $summary, $doc, help: "");
    };
    ($id:ident, $code:literal, $name:literal, $sev:ident, $area:ident, $kinds:expr, $summary:literal, $doc:literal, help: $help:literal) => {
        pub static $id: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            severity: $crate::diagnostic::Severity::$sev,
            area: $crate::rules::Area::$area,
            kinds: $kinds,
            summary: $summary,
            doc: $doc,
            help: $help,
        };
    };
}
pub(crate) use rule;

#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub area: Area,
    /// Kinds it applies to; empty means any input.
    pub kinds: &'static [&'static str],
    /// One line.
    pub summary: &'static str,
    /// Markdown: what it checks, why, a bad and a good example, Istio/Kiali codes.
    pub doc: &'static str,
    /// How to fix, for findings that carry no more specific help ("" if none).
    pub help: &'static str,
}

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
        &schema::UNKNOWN_FIELD,
        &schema::WRONG_TYPE,
        &schema::INVALID_VALUE,
        &schema::CONFLICTING_FIELDS,
        &schema::UNSUPPORTED_API_VERSION,
        &schema::MISSING_FIELD,
        &durations::DURATION_INVALID,
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
        &destination_rule::webhook::SUBSET_NO_LABELS,
        &destination_rule::tls_verify::NO_SERVER_VERIFICATION,
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
        &cross::SUBSET_NOT_FOUND,
        &cross::NO_DESTINATION_RULE,
        &cross_refs::GATEWAY_NOT_FOUND,
        &cross_vs::HOST_CONFLICT,
        &cross_dr::DUPLICATE_DR,
        &cross_refs::DUPLICATE_DESTINATION,
        &cross_refs::HOST_NOT_IN_GATEWAY,
        &cross_registry::HOST_NOT_FOUND,
        &cross_refs::SUBSET_NO_PODS,
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
    ];
    ALL
}

/// Rules that run only when selected explicitly (style rules).
pub fn is_opt_in(rule: &Rule) -> bool {
    // v1alpha3/v1beta1 stay served by every release: moving to v1 is a choice.
    std::ptr::eq(rule, &deprecation::DURATION_SPELLING)
        || std::ptr::eq(rule, &deprecation::OLD_API_VERSION)
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
pub fn plain_table() -> String {
    let severity = |r: &Rule| {
        let opt_in = if is_opt_in(r) { " (opt-in)" } else { "" };
        format!("{}{opt_in}", r.severity.as_str())
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
            r.severity.as_str(),
            if is_opt_in(r) { " (opt-in)" } else { "" },
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
    fn readme_lists_every_rule() {
        let readme = include_str!("../../README.md");
        let table = markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's rule table is stale; run `cargo xtask sync-readme`:\n{table}"
        );
    }
}
