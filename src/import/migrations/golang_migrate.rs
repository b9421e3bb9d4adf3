//! golang-migrate: `{version}_{title}.up.sql` with an optional `{version}_{title}.down.sql`, each
//! file one direction, run whole; no annotations.

use super::{
    Body, Found, ImportError, Part, SourceFile, StateKey, Warning, base_name, leading_digits,
    no_down, not_imported,
};
use crate::import::migrations::Format;
use std::collections::BTreeMap;

const EXPECTED: &str = "{version}_{title}.up.sql / .down.sql";

#[derive(Default)]
struct Halves<'a> {
    up: Option<(&'a SourceFile, String, String)>,
    down: Option<&'a SourceFile>,
}

pub(super) fn parse(
    files: &[SourceFile],
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Found>, ImportError> {
    let mut by_version: BTreeMap<u64, Halves> = BTreeMap::new();
    for file in files {
        let name = base_name(&file.name);
        let Some((version, title, direction, extension)) = split_name(name) else {
            warnings.push(not_imported(file, Format::GolangMigrate, EXPECTED));
            continue;
        };
        if extension != "sql" {
            warnings.push(Warning::file(
                file,
                format!("a .{extension} migration, not SQL: not imported"),
            ));
            continue;
        }
        let Ok(number) = version.parse::<u64>() else {
            warnings.push(not_imported(file, Format::GolangMigrate, EXPECTED));
            continue;
        };
        let halves = by_version.entry(number).or_default();
        let duplicate = match direction {
            "up" => halves
                .up
                .replace((file, version.to_string(), title.to_string()))
                .map(|(first, _, _)| first),
            _ => halves.down.replace(file),
        };
        if let Some(first) = duplicate {
            return Err(ImportError::DuplicateVersion {
                version: version.to_string(),
                first: first.shown.clone(),
                second: file.shown.clone(),
            });
        }
    }
    let mut found = Vec::new();
    for (number, halves) in by_version {
        let Some((up, version, title)) = halves.up else {
            if let Some(down) = halves.down {
                warnings.push(Warning::file(
                    down,
                    "a down file without its up file: not imported",
                ));
            }
            continue;
        };
        if halves.down.is_none() {
            warnings.push(no_down(up));
        }
        found.push(Found {
            version_text: version,
            number: Some(number),
            name: title,
            key: StateKey::Number(number),
            body: Body::Pair {
                up: Part {
                    file: up.clone(),
                    text: up.text.clone(),
                },
                down: halves.down.map(|down| Part {
                    file: down.clone(),
                    text: down.text.clone(),
                }),
            },
            no_transaction: false,
        });
    }
    Ok(found)
}

/// `{version}_{title}.{up|down}.{extension}`, as golang-migrate's file source reads it.
fn split_name(name: &str) -> Option<(&str, &str, &str, &str)> {
    let version = leading_digits(name);
    let rest = name.get(version.len()..)?.strip_prefix('_')?;
    if version.is_empty() {
        return None;
    }
    for direction in ["up", "down"] {
        let marker = format!(".{direction}.");
        if let Some(at) = rest.rfind(&marker) {
            let extension = &rest[at + marker.len()..];
            if !extension.is_empty() {
                return Some((version, &rest[..at], direction, extension));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{Format, convert, source};
    use super::split_name;

    #[test]
    fn file_names_split_into_version_title_direction_and_extension() {
        assert_eq!(
            split_name("000001_create_users.up.sql"),
            Some(("000001", "create_users", "up", "sql"))
        );
        assert_eq!(
            split_name("1500360784_init.down.sql"),
            Some(("1500360784", "init", "down", "sql"))
        );
        assert_eq!(split_name("create_users.up.sql"), None);
        assert_eq!(split_name("1_x.sql"), None);
    }

    #[test]
    fn up_and_down_files_become_one_file_with_both_sections() {
        let imported = convert(
            Format::GolangMigrate,
            &[
                source("000001_create_users.down.sql", "DROP TABLE users;\n"),
                source(
                    "000001_create_users.up.sql",
                    "CREATE TABLE users (id int);\n",
                ),
                source(
                    "000002_add_email.up.sql",
                    "ALTER TABLE users ADD email text;\n",
                ),
            ],
        )
        .unwrap();
        let first = &imported.migrations[0];
        assert_eq!(first.file_name, "19700101000001_v000001_create_users.sql");
        assert_eq!(
            first.sources,
            ["000001_create_users.up.sql", "000001_create_users.down.sql"]
        );
        assert!(first.text.ends_with(
            "-- +migrate Up\nCREATE TABLE users (id int);\n-- +migrate Down\nDROP TABLE users;\n"
        ));
        assert_eq!(imported.warnings.len(), 1);
        assert_eq!(imported.warnings[0].file, "dir/000002_add_email.up.sql");
        assert!(imported.warnings[0].message.contains("no down migration"));
    }

    #[test]
    fn explicit_transactions_in_a_file_are_a_warning() {
        let imported = convert(
            Format::GolangMigrate,
            &[source(
                "1_x.up.sql",
                "BEGIN;\nCREATE TABLE x ();\nCOMMIT;\n",
            )],
        )
        .unwrap();
        let lines: Vec<Option<usize>> = imported
            .warnings
            .iter()
            .filter(|w| w.message.contains("manages a transaction"))
            .map(|w| w.line)
            .collect();
        assert_eq!(lines, [Some(1), Some(3)]);
    }
}
