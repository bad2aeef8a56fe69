use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);
static BLOCKS: AtomicIsize = AtomicIsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Relaxed);
        BLOCKS.fetch_add(1, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Relaxed);
        BLOCKS.fetch_sub(1, Relaxed);
        unsafe { System.dealloc(p, l) }
    }
}
#[global_allocator]
static A: Counting = Counting;
fn heap<T: Clone>(name: &str, n: usize, v: &T) {
    let (b0, k0) = (LIVE.load(Relaxed), BLOCKS.load(Relaxed));
    let c = v.clone();
    let (b1, k1) = (LIVE.load(Relaxed), BLOCKS.load(Relaxed));
    drop(c);
    println!(
        "{name:28} per service: {:7.1} B in {:5.2} blocks",
        (b1 - b0) as f64 / n as f64,
        (k1 - k0) as f64 / n as f64
    );
}
#[test]
fn probe() {
    let opts = istiolint::check::Options::default();
    let (inputs, _) = istiolint::source::collect(&["target/bench/corpus-3000".into()]).unwrap();
    let n = inputs.len() / 2;
    let (b0, k0) = (LIVE.load(Relaxed), BLOCKS.load(Relaxed));
    let mut facts = istiolint::rules::cross::Facts::default();
    let mut entries = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let src = istiolint::source::read(input).unwrap();
        let o = istiolint::check::check_source(&src, &opts);
        facts.reserve_for(&o.facts, i + 1, inputs.len());
        facts.merge(o.facts);
        entries.push((o.name, o.objects, o.counts));
    }
    let (b1, k1) = (LIVE.load(Relaxed), BLOCKS.load(Relaxed));
    println!(
        "retained per service {:.0} B in {:.1} blocks",
        (b1 - b0) as f64 / n as f64,
        (k1 - k0) as f64 / n as f64
    );
    let x = &facts;
    heap("destination_rules", n, &x.destination_rules);
    heap("refs.subsets", n, &x.refs.subsets);
    heap("refs.virtual_services", n, &x.refs.virtual_services);
    heap("mesh", n, &x.mesh);
    heap("ambient", n, &x.ambient);
    heap("defined", n, &x.defined);
    heap("analyzers", n, &x.analyzers);
    heap("entries", n, &entries);
    heap("inputs", n, &inputs);
}
