//! Which host keys overlap: the same key, a wildcard that covers it, or the
//! keys a wildcard covers. Exact keys are hashed; wildcards are few and their
//! coverage is computed once, so grouping stays linear on large inputs.

use std::collections::HashMap;

use crate::model::host::covers;

pub struct HostKeys<'a> {
    /// Sorted: hash order must not reach the output.
    wildcards: Vec<&'a str>,
    covered: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> HostKeys<'a> {
    pub fn new(keys: impl IntoIterator<Item = &'a str>) -> HostKeys<'a> {
        let mut keys: Vec<&str> = keys.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        let wildcards: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| k.starts_with('*'))
            .collect();
        let covered = wildcards
            .iter()
            .map(|w| {
                let inside = keys.iter().copied().filter(|k| k != w && covers(w, k));
                (*w, inside.collect())
            })
            .collect();
        HostKeys { wildcards, covered }
    }

    /// `key` itself first, then the wildcards covering it, then the keys it covers.
    pub fn overlapping<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s str> + 's {
        let wider = self
            .wildcards
            .iter()
            .copied()
            .filter(move |w| *w != key && covers(w, key));
        let narrower = self.covered.get(key).into_iter().flatten().copied();
        std::iter::once(key).chain(wider).chain(narrower)
    }
}
