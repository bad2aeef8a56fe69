// glibc's per-thread arenas grow with mprotect calls that cost ~20% of a
// run on many small files; mimalloc avoids that (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    istiolint::cli::main()
}
