//! dbmate: `{version}_{name}.sql` (the version the leading digits, usually a timestamp), sections
//! after `-- migrate:up` / `-- migrate:down`, each optionally `transaction:false`.

use super::{
    Annotation, Body, Found, ImportError, Part, SourceFile, StateKey, Warning, base_name,
    comment_body, leading_digits, not_imported, translate,
};
use crate::import::migrations::Format;

const EXPECTED: &str = "{version}_{name}.sql";

pub(super) fn parse(
    files: &[SourceFile],
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Found>, ImportError> {
    let mut found = Vec::new();
    for file in files {
        let name = base_name(&file.name);
        let stem = name.strip_suffix(".sql").unwrap_or(name);
        let version = leading_digits(stem);
        if !name.ends_with(".sql") || version.is_empty() {
            warnings.push(not_imported(file, Format::Dbmate, EXPECTED));
            continue;
        }
        let translated = translate(file, annotation, warnings);
        translated.require_up(file, "-- migrate:up", warnings)?;
        let no_transaction = translated.no_transaction(file, warnings);
        found.push(Found {
            version_text: version.to_string(),
            number: version.parse().ok(),
            name: stem[version.len()..].trim_start_matches('_').to_string(),
            key: StateKey::Text(version.to_string()),
            body: Body::Sections(Part {
                file: file.clone(),
                text: translated.text,
            }),
            no_transaction,
        });
    }
    // dbmate applies its files in file name order.
    found.sort_by(|a, b| {
        base_name(&a.body.parts()[0].file.name).cmp(base_name(&b.body.parts()[0].file.name))
    });
    Ok(found)
}

/// `-- migrate:up` / `-- migrate:down` with their `key:value` options.
fn annotation(line: &str) -> Option<Annotation> {
    let command = comment_body(line)?.strip_prefix("migrate:")?;
    let mut words = command.split_whitespace();
    let direction = words.next()?;
    let mut no_transaction = false;
    for option in words {
        match option {
            "transaction:false" => no_transaction = true,
            "transaction:true" => {}
            other => {
                return Some(Annotation::Unknown(format!(
                    "dbmate option `{other}` has no bfm equivalent: kept as a comment, ignored"
                )));
            }
        }
    }
    match direction {
        "up" => Some(Annotation::Up { no_transaction }),
        "down" => Some(Annotation::Down { no_transaction }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, StateKey, convert, source};

    #[test]
    fn timestamp_versions_stay_and_markers_become_bfm_sections() {
        let text = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n-- migrate:down transaction:false\nDROP INDEX i;\n";
        let imported = convert(
            Format::Dbmate,
            &[source("20240101120000_add_index.sql", text)],
        )
        .unwrap();
        assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
        let migration = &imported.migrations[0];
        assert_eq!(migration.file_name, "20240101120000_add_index.sql");
        assert_eq!(migration.key, StateKey::Text("20240101120000".into()));
        assert!(migration.text.contains(
            "-- bfm:no-transaction\n-- +migrate Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n-- +migrate Down\n"
        ));
    }

    #[test]
    fn a_file_without_an_up_marker_is_an_error() {
        let error = convert(Format::Dbmate, &[source("1_x.sql", "SELECT 1;\n")]).unwrap_err();
        assert!(error.to_string().contains("no `-- migrate:up`"), "{error}");
    }
}
