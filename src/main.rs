//! The `kdeck` binary: parse the command line and hand over to the library.

use clap::Parser;

/// mimalloc, tuned in `kdeck::alloc`, returns freed memory to the system far better than
/// glibc's allocator under kdeck's pattern (large relists and row rebuilds): see the
/// console_fleet benchmark.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
kdeck::tune_allocator_at_load!();

fn main() -> std::process::ExitCode {
    kdeck::alloc::tune();
    kdeck::cli::run(kdeck::cli::Cli::parse())
}
