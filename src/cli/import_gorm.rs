//! `bfm import gorm DIR`: reads the GORM models of a Go source tree and writes one YAML schema
//! file per table into the connection's schema directory (or `--out`). Warnings go to stderr;
//! the command fails only when nothing could be imported or a file would be overwritten
//! without `--force`.

use super::{CliError, Outcome};
use crate::backend::BackendKind;
use crate::import::gorm;
use crate::source::write::yaml_files_written_by;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct GormArgs {
    /// The Go source directory holding the models (read recursively; `_test.go`, `vendor/`
    /// and hidden directories are skipped).
    pub dir: PathBuf,
    /// The PostgreSQL connection the models belong to (default: the only one).
    #[arg(long)]
    pub connection: Option<String>,
    /// Write the files into this directory (default: the connection's schema directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The schema the tables go into (default: the connection's).
    #[arg(long)]
    pub schema: Option<String>,
    /// Overwrite schema files that already exist.
    #[arg(long)]
    pub force: bool,
}

pub fn run(config_path: Option<&Path>, args: &GormArgs) -> Result<Outcome, CliError> {
    let config = super::commands::load_config(config_path)?;
    let connection = super::commands::single_connection(&config, args.connection.as_deref())?;
    if connection.backend != BackendKind::Postgresql {
        return Err(CliError::Unsupported {
            connection: connection.name.clone(),
            backend: format!(
                "{} (GORM models import into PostgreSQL)",
                connection.backend
            ),
        });
    }
    let schema = args
        .schema
        .clone()
        .unwrap_or_else(|| connection.model_schema().to_string());
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| config.schema_path(connection));

    let mut paths = Vec::new();
    go_files(&args.dir, &mut paths)?;
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in &paths {
        let text = std::fs::read_to_string(path)?;
        let shown = path
            .strip_prefix(&config.root)
            .unwrap_or(path)
            .to_path_buf();
        files.push((shown, text));
    }
    let imported = gorm::import(&files, &schema);
    let mut stderr = String::new();
    for warning in &imported.warnings {
        stderr.push_str(&format!("warning: {warning}\n"));
    }
    eprint!("{stderr}");
    if imported.tables.is_empty() {
        return Err(CliError::GormImport(format!(
            "no GORM model found in {} ({} read)",
            args.dir.display(),
            super::project::count(paths.len(), "Go file")
        )));
    }

    let written = yaml_files_written_by(&imported.model, &schema, "bfm import gorm");
    let existing: Vec<String> = written
        .iter()
        .map(|file| out.join(&file.name))
        .filter(|path| path.exists())
        .map(|path| path.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(CliError::GormImport(format!(
            "nothing was written: these files exist (use --force to overwrite them):\n  {}",
            existing.join("\n  ")
        )));
    }
    std::fs::create_dir_all(&out)?;
    let mut report = String::new();
    for file in &written {
        let path = out.join(&file.name);
        std::fs::write(&path, &file.text)?;
        report.push_str(&format!("wrote {}\n", path.display()));
    }
    super::commands::print_stdout(&report)?;
    eprintln!(
        "imported {} from {} ({})",
        super::project::count(imported.tables.len(), "table"),
        super::project::count(paths.len(), "Go file"),
        super::project::count(imported.warnings.len(), "warning")
    );
    Ok(Outcome::Done)
}

/// The `.go` files under `dir`, recursively, without tests, vendored code and hidden folders.
fn go_files(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), CliError> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && name != "vendor" && name != "testdata" {
                go_files(&path, found)?;
            }
        } else if name.ends_with(".go") && !name.ends_with("_test.go") {
            found.push(path);
        }
    }
    Ok(())
}
