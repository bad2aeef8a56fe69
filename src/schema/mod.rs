//! Bundled JSON Schemas per Istio release and kind, compiled lazily once, and
//! validation that turns schema errors into located findings.

mod bundled;
pub mod cel;
pub mod keywords;
pub mod nulls;
pub mod structural;
mod validate;
pub mod walk;

use std::fmt;
use std::sync::{LazyLock, OnceLock};

pub use validate::validate;

use bundled::{BundledSchema, SCHEMAS};

pub const GROUP: &str = "networking.istio.io";

/// An Istio release number, `1.22` or `1.30.3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IstioVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl IstioVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        IstioVersion {
            major,
            minor,
            patch,
        }
    }

    /// The newest release whose schemas are bundled.
    pub fn newest_bundled() -> IstioVersion {
        *releases().last().expect("schemas are bundled")
    }
}

impl std::str::FromStr for IstioVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().trim_start_matches('v');
        let parts: Vec<&str> = t.split('.').collect();
        let num = |i: usize| -> Result<u32, String> {
            parts.get(i).map_or(Ok(0), |p| {
                p.parse().map_err(|_| {
                    format!("invalid Istio version \"{s}\" (expected e.g. 1.22 or 1.30.3)")
                })
            })
        };
        if parts.is_empty() || parts.len() > 3 {
            return Err(format!(
                "invalid Istio version \"{s}\" (expected e.g. 1.22 or 1.30.3)"
            ));
        }
        Ok(IstioVersion::new(num(0)?, num(1)?, num(2)?))
    }
}

impl fmt::Display for IstioVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Bundled releases, oldest first.
pub fn releases() -> &'static [IstioVersion] {
    static RELEASES: LazyLock<Vec<IstioVersion>> = LazyLock::new(|| {
        let mut v: Vec<IstioVersion> = SCHEMAS
            .iter()
            .map(|s| s.release.parse().expect("generated release numbers parse"))
            .collect();
        v.sort();
        v.dedup();
        v
    });
    &RELEASES
}

/// The bundled release used for a requested Istio version: the newest one
/// not newer than it (or the oldest bundled, for older requests).
pub fn release_for(requested: IstioVersion) -> IstioVersion {
    let all = releases();
    all.iter()
        .rev()
        .find(|r| (r.major, r.minor) <= (requested.major, requested.minor))
        .copied()
        .unwrap_or(all[0])
}

pub struct Compiled {
    pub validator: structural::Schema,
    /// The schema itself, to list the known fields for suggestions.
    pub schema: serde_json::Value,
}

pub enum Lookup {
    Found(&'static Compiled),
    /// The kind exists at this release, but not in this version.
    VersionNotServed {
        served: Vec<&'static str>,
    },
    /// Not a networking.istio.io kind we know.
    UnknownKind,
}

/// The schema for `kind` in `version` at a bundled release.
pub fn lookup(release: IstioVersion, kind: &str, version: &str) -> Lookup {
    static CACHE: LazyLock<Vec<OnceLock<Compiled>>> =
        LazyLock::new(|| SCHEMAS.iter().map(|_| OnceLock::new()).collect());
    // Called for every object: the releases are parsed once, not formatted per call.
    static RELEASES: LazyLock<Vec<Option<IstioVersion>>> =
        LazyLock::new(|| SCHEMAS.iter().map(|s| s.release.parse().ok()).collect());
    let mut served = Vec::new();
    for (i, s) in SCHEMAS.iter().enumerate() {
        if RELEASES[i] != Some(release) || s.kind != kind {
            continue;
        }
        if s.versions.contains(&version) {
            return Lookup::Found(CACHE[i].get_or_init(|| compile(s)));
        }
        served.extend_from_slice(s.versions);
    }
    if served.is_empty() {
        Lookup::UnknownKind
    } else {
        served.sort();
        Lookup::VersionNotServed { served }
    }
}

fn compile(s: &BundledSchema) -> Compiled {
    let schema: serde_json::Value = serde_json::from_str(s.json).expect("bundled schemas are JSON");
    let validator = structural::Schema::compile(&schema)
        .unwrap_or_else(|e| panic!("bundled schema {} {}: {e}", s.release, s.kind));
    Compiled { validator, schema }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_schema_compiles() {
        for s in SCHEMAS {
            let _ = compile(s);
        }
        assert!(SCHEMAS.len() >= 27);
    }

    #[test]
    fn release_selection() {
        let v = |s: &str| s.parse::<IstioVersion>().unwrap();
        assert_eq!(release_for(v("1.30.3")), v("1.30.3"));
        assert_eq!(release_for(v("1.25")), v("1.22.0"));
        assert_eq!(release_for(v("1.21.4")), v("1.20.0"));
        assert_eq!(release_for(v("1.9")), v("1.20.0"));
        assert_eq!(release_for(v("1.31")), v("1.30.3"));
        assert!("1.x".parse::<IstioVersion>().is_err());
    }

    #[test]
    fn versions_served_per_release() {
        let v = |s: &str| s.parse::<IstioVersion>().unwrap();
        assert!(matches!(
            lookup(v("1.20.0"), "DestinationRule", "v1"),
            Lookup::VersionNotServed { .. }
        ));
        assert!(matches!(
            lookup(v("1.22.0"), "DestinationRule", "v1"),
            Lookup::Found(_)
        ));
        assert!(matches!(
            lookup(v("1.30.3"), "VirtualService", "v1alpha3"),
            Lookup::Found(_)
        ));
        assert!(matches!(
            lookup(v("1.30.3"), "Frobnicator", "v1"),
            Lookup::UnknownKind
        ));
    }
}
