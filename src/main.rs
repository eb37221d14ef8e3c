//! The `kdeck` binary: parse the command line and hand over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    kdeck::cli::run(kdeck::cli::Cli::parse())
}
