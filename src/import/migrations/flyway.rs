//! Flyway: `V{version}__{description}.sql` (versions like `1`, `1.2.3` or `1_2_3`) with an
//! optional undo `U{version}__{description}.sql`, and a `{script}.conf` beside a script for its
//! settings. Repeatable migrations (`R__`), callbacks (`beforeMigrate.sql` …) and Java migrations
//! have no bfm equivalent: warnings. Flyway searches subdirectories too.

use super::{
    Body, Found, ImportError, Part, SourceFile, StateKey, Warning, base_name, no_down, not_imported,
};
use crate::import::migrations::Format;
use std::collections::BTreeMap;

const EXPECTED: &str = "V{version}__{description}.sql";

/// The events a Flyway SQL callback is named after start with these.
const CALLBACK_PREFIXES: [&str; 3] = ["before", "after", "createSchema"];

/// A Flyway version's parts without trailing zeros, as Flyway compares them.
pub(super) fn version_parts(text: &str) -> Option<Vec<u64>> {
    let mut parts = text
        .split(['.', '_'])
        .map(|part| part.parse::<u64>().ok())
        .collect::<Option<Vec<u64>>>()?;
    while parts.len() > 1 && parts.last() == Some(&0) {
        parts.pop();
    }
    Some(parts)
}

struct Script<'a> {
    file: &'a SourceFile,
    version: String,
    description: String,
}

pub(super) fn parse(
    files: &[SourceFile],
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Found>, ImportError> {
    let mut versioned: BTreeMap<Vec<u64>, Script> = BTreeMap::new();
    let mut undo: BTreeMap<Vec<u64>, &SourceFile> = BTreeMap::new();
    let confs: BTreeMap<&str, &SourceFile> = files
        .iter()
        .filter_map(|f| f.name.strip_suffix(".conf").map(|script| (script, f)))
        .collect();
    for file in files {
        let name = base_name(&file.name);
        if name.ends_with(".sql.conf") {
            if !files
                .iter()
                .any(|f| Some(f.name.as_str()) == file.name.strip_suffix(".conf"))
            {
                warnings.push(Warning::file(
                    file,
                    "settings for a script that is not there: ignored",
                ));
            }
            continue;
        }
        let Some(stem) = name.strip_suffix(".sql") else {
            let kind = if name.ends_with(".java") || name.ends_with(".class") {
                "a Java migration: Flyway runs its code, which bfm cannot import; write what it \
                 does as a bfm migration (`bfm create`)"
                    .to_string()
            } else {
                format!("not a Flyway migration ({EXPECTED}): not imported")
            };
            warnings.push(Warning::file(file, kind));
            continue;
        };
        if stem.starts_with("R__") {
            warnings.push(Warning::file(
                file,
                "a repeatable migration: Flyway runs it again whenever it changes, and bfm has no \
                 such migration; not imported (put what it defines into the schema files, or a \
                 hand-written migration)",
            ));
            continue;
        }
        if CALLBACK_PREFIXES.iter().any(|p| stem.starts_with(p)) {
            warnings.push(Warning::file(
                file,
                "a Flyway callback: bfm runs no SQL around its commands; not imported",
            ));
            continue;
        }
        let kind = stem.chars().next();
        let Some((version, description)) = stem
            .get(1..)
            .and_then(|rest| rest.split_once("__"))
            .filter(|_| matches!(kind, Some('V' | 'U')))
        else {
            warnings.push(not_imported(file, Format::Flyway, EXPECTED));
            continue;
        };
        let parts = version_parts(version).ok_or_else(|| ImportError::Name {
            file: file.shown.clone(),
            message: format!("{version:?} is not a Flyway version (numbers separated by . or _)"),
        })?;
        if kind == Some('U') {
            if let Some(first) = undo.insert(parts, file) {
                return Err(duplicate(version, first, file));
            }
            continue;
        }
        let script = Script {
            file,
            version: version.to_string(),
            description: description.to_string(),
        };
        if let Some(first) = versioned.insert(parts, script) {
            return Err(duplicate(version, first.file, file));
        }
    }
    let mut found = Vec::new();
    for (parts, script) in versioned {
        let down = undo.remove(&parts);
        if down.is_none() {
            warnings.push(no_down(script.file));
        }
        let mut no_transaction = false;
        for file in std::iter::once(script.file).chain(down) {
            if let Some(conf) = confs.get(file.name.as_str()) {
                no_transaction |= read_conf(conf, warnings);
            }
            placeholders(file, warnings);
        }
        found.push(Found {
            number: if parts.len() == 1 && !script.version.contains(['.', '_']) {
                script.version.parse().ok()
            } else {
                None
            },
            version_text: script.version,
            name: script.description,
            key: StateKey::Parts(parts),
            body: Body::Pair {
                up: Part {
                    file: script.file.clone(),
                    text: script.file.text.clone(),
                },
                down: down.map(|file| Part {
                    file: file.clone(),
                    text: file.text.clone(),
                }),
            },
            no_transaction,
        });
    }
    for file in undo.into_values() {
        warnings.push(Warning::file(
            file,
            "an undo migration without its versioned migration: not imported",
        ));
    }
    Ok(found)
}

fn duplicate(version: &str, first: &SourceFile, second: &SourceFile) -> ImportError {
    ImportError::DuplicateVersion {
        version: version.to_string(),
        first: first.shown.clone(),
        second: second.shown.clone(),
    }
}

/// A script's `.conf`: `executeInTransaction=false` is carried over; any other setting is a
/// warning.
fn read_conf(conf: &SourceFile, warnings: &mut Vec<Warning>) -> bool {
    let mut no_transaction = false;
    for (index, line) in conf.text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        match (key.trim(), value.trim()) {
            ("executeInTransaction", "false") => no_transaction = true,
            ("executeInTransaction", "true") => {}
            _ => warnings.push(Warning::line(
                conf,
                index + 1,
                format!("setting `{line}` has no bfm equivalent: not carried over"),
            )),
        }
    }
    no_transaction
}

/// Flyway replaces `${name}` placeholders before it runs a script; bfm runs the text as written.
fn placeholders(file: &SourceFile, warnings: &mut Vec<Warning>) {
    if let Some(index) = file.text.lines().position(|line| line.contains("${")) {
        warnings.push(Warning::line(
            file,
            index + 1,
            "Flyway replaces ${…} placeholders when it runs the script; bfm runs the SQL as \
             written: replace them by their values",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, StateKey, convert, source};
    use super::version_parts;

    #[test]
    fn versions_compare_by_number_and_ignore_trailing_zeros() {
        assert_eq!(version_parts("1.2.0"), Some(vec![1, 2]));
        assert_eq!(version_parts("1_10"), Some(vec![1, 10]));
        assert_eq!(version_parts("0"), Some(vec![0]));
        assert_eq!(version_parts("1.x"), None);
        assert!(version_parts("1.2") < version_parts("1.10"));
    }

    #[test]
    fn versioned_scripts_pair_with_their_undo_and_keep_flyway_order() {
        let imported = convert(
            Format::Flyway,
            &[
                source("V1_10__later.sql", "SELECT 110;\n"),
                source("V1_2__earlier.sql", "SELECT 12;\n"),
                source("U1_2__earlier.sql", "SELECT -12;\n"),
                source("V1__init.sql", "CREATE TABLE t (a int);\n"),
                source("U1__init.sql", "DROP TABLE t;\n"),
                source("R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;\n"),
                source("afterMigrate.sql", "ANALYZE;\n"),
            ],
        )
        .unwrap();
        let names: Vec<&str> = imported
            .migrations
            .iter()
            .map(|m| m.file_name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "19700101000001_v1_init.sql",
                "19700101000002_v1_2_earlier.sql",
                "19700101000003_v1_10_later.sql"
            ]
        );
        assert_eq!(imported.migrations[1].key, StateKey::Parts(vec![1, 2]));
        assert!(imported.migrations[0].text.ends_with(
            "-- +migrate Up\nCREATE TABLE t (a int);\n-- +migrate Down\nDROP TABLE t;\n"
        ));
        let warned: Vec<&str> = imported.warnings.iter().map(|w| w.file.as_str()).collect();
        assert_eq!(
            warned,
            [
                "dir/R__views.sql",
                "dir/afterMigrate.sql",
                "dir/V1_10__later.sql"
            ]
        );
    }

    #[test]
    fn execute_in_transaction_false_marks_the_file() {
        let imported = convert(
            Format::Flyway,
            &[
                source(
                    "sub/V2__index.sql",
                    "CREATE INDEX CONCURRENTLY i ON t (a);\n",
                ),
                source(
                    "sub/V2__index.sql.conf",
                    "executeInTransaction=false\nencoding=UTF-8\n",
                ),
            ],
        )
        .unwrap();
        let migration = &imported.migrations[0];
        assert_eq!(migration.file_name, "19700101000002_v2_index.sql");
        assert!(migration.text.contains("-- bfm:no-transaction\n"));
        assert!(
            imported
                .warnings
                .iter()
                .any(|w| w.line == Some(2) && w.message.contains("encoding"))
        );
    }

    #[test]
    fn placeholders_are_a_warning_with_their_line() {
        let imported = convert(
            Format::Flyway,
            &[source(
                "V1__grant.sql",
                "-- grants\nGRANT SELECT ON t TO ${reader};\n",
            )],
        )
        .unwrap();
        assert!(imported.warnings.iter().any(|w| w.line == Some(2)));
    }
}
