//! How the index is kept as it grows: equal names shared, lists reserved
//! ahead rather than doubled (BENCHMARKS.md, session 6).

use std::sync::Arc;

use super::Facts;

impl Facts {
    pub(super) fn share_names(&mut self, other: &mut Facts) {
        let names = &mut self.names;
        let mut share = |name: &mut Arc<str>| match names.get(&**name) {
            Some(known) => *name = known.clone(),
            None => {
                names.insert(name.clone());
            }
        };
        for d in &mut other.destination_rules {
            share(&mut d.host);
            share(&mut d.namespace);
            d.subsets.iter_mut().for_each(&mut share);
        }
        let routed = std::mem::take(&mut other.analyzers.http_destinations);
        other.analyzers.http_destinations = routed
            .into_iter()
            .map(|mut host| {
                share(&mut host);
                host
            })
            .collect();
        for d in &mut other.defined.objects {
            share(&mut d.scope);
        }
        for (host, labels, _) in &mut other.refs.subsets {
            share(host);
            for (k, v) in labels {
                share(k);
                share(v);
            }
        }
        for vs in &mut other.refs.virtual_services {
            share(&mut vs.namespace);
            vs.keys.iter_mut().for_each(&mut share);
            for d in &mut vs.destinations {
                share(&mut d.host);
                if let Some(subset) = &mut d.subset {
                    share(&mut subset.0);
                }
            }
        }
    }

    /// Makes room for `other` in the lists that grow with every object,
    /// sized by the rate so far (`done` of `total` files read) rather than
    /// doubled: a doubling copies the whole list and can leave half of it
    /// spare, the peak memory of a large run.
    pub fn reserve_for(&mut self, other: &Facts, done: usize, total: usize) {
        reserve(
            &mut self.destination_rules,
            other.destination_rules.len(),
            done,
            total,
        );
        let refs = &mut self.refs;
        reserve(
            &mut refs.virtual_services,
            other.refs.virtual_services.len(),
            done,
            total,
        );
        reserve(&mut refs.subsets, other.refs.subsets.len(), done, total);
        reserve(
            &mut self.defined.objects,
            other.defined.objects.len(),
            done,
            total,
        );
    }
}

fn reserve<T>(v: &mut Vec<T>, incoming: usize, done: usize, total: usize) {
    let need = v.len() + incoming;
    if need <= v.capacity() {
        return;
    }
    let expected = need.saturating_mul(total) / done.max(1);
    let target = expected.saturating_add(expected / 8).max(need);
    v.reserve_exact(target - v.len());
}
