// glibc's per-thread arenas grow with mprotect calls that cost ~20% of a
// run on many small files; mimalloc avoids that (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    no_transparent_huge_pages();
    istiolint::cli::main()
}

/// Where transparent huge pages are `always` on, the first touch of any 2 MB
/// of the allocator's memory makes the kernel zero all of it: for `check` that
/// was a third more resident memory and a fifth of the run spent zeroing
/// (BENCHMARKS.md, issue #18). The process has no use for huge pages.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    const PR_SET_THP_DISABLE: std::ffi::c_int = 41;
    extern "C" {
        fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
    }
    // SAFETY: prctl(2) with PR_SET_THP_DISABLE reads its integer arguments
    // only and changes nothing but this flag; a failure leaves the default.
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            1 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}
