//! The `bfm` binary: parse the command line, run it, map the result to an exit code
//! (0 ok, 1 error, 2 changes pending with `plan --exit-code`).

use bfm::cli::{Cli, error_report, exit_code, run, usage_exit_code};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(usage_exit_code(&error));
        }
    };
    let result = run(cli);
    if let Err(error) = &result {
        eprintln!("{}", error_report(error));
    }
    ExitCode::from(exit_code(&result))
}
