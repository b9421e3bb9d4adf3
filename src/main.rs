//! The `bfm` binary: parse the command line, run it, map the result to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let result = bfm::cli::run(bfm::cli::Cli::parse());
    if let Err(error) = &result {
        eprintln!("{}", bfm::cli::error_report(error));
    }
    ExitCode::from(bfm::cli::exit_code(&result))
}
