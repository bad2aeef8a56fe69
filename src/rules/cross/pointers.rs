//! The JSON pointers of the index's locations, each text kept once for the
//! whole run and named by a number: the same few hundred paths
//! (`/spec/http/0/route/1/destination/subset`) recur in every object, so a
//! text per object was a tenth of a large run's memory (BENCHMARKS.md,
//! session 7). The table only grows, by distinct paths, which the shapes of
//! Istio's objects bound; a long-running server keeps it too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Default)]
struct Table {
    ids: HashMap<Arc<str>, u32>,
    texts: Vec<Arc<str>>,
}

fn table() -> std::sync::MutexGuard<'static, Table> {
    static TABLE: OnceLock<Mutex<Table>> = OnceLock::new();
    TABLE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// The number of `pointer`'s text, added if new. Each thread remembers the
/// numbers it has seen, so the shared table is locked once per new path
/// rather than once per location.
pub fn intern(pointer: &str) -> u32 {
    thread_local! {
        static SEEN: std::cell::RefCell<HashMap<Box<str>, u32>> = Default::default();
    }
    SEEN.with_borrow_mut(|seen| {
        if let Some(id) = seen.get(pointer) {
            return *id;
        }
        let id = intern_shared(pointer);
        seen.insert(pointer.into(), id);
        id
    })
}

fn intern_shared(pointer: &str) -> u32 {
    let mut t = table();
    if let Some(id) = t.ids.get(pointer) {
        return *id;
    }
    let id = u32::try_from(t.texts.len()).unwrap_or(u32::MAX);
    let text: Arc<str> = pointer.into();
    t.texts.push(text.clone());
    t.ids.insert(text, id);
    id
}

/// The text of a number `intern` gave.
pub fn text(id: u32) -> Arc<str> {
    table()
        .texts
        .get(id as usize)
        .cloned()
        .unwrap_or_else(|| "".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_a_number_and_read_back() {
        let a = intern("/x/http/0/route/1/destination/subset");
        let b = intern("/x/host");
        assert_ne!(a, b);
        assert_eq!(intern("/x/http/0/route/1/destination/subset"), a);
        assert_eq!(&*text(a), "/x/http/0/route/1/destination/subset");
        assert_eq!(&*text(b), "/x/host");
        assert_eq!(&*text(u32::MAX), "");
    }
}
