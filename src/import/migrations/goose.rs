//! goose: `{version}_{name}.sql` (a sequence like `00001` or a timestamp), sections after
//! `-- +goose Up` / `-- +goose Down`, `StatementBegin` / `StatementEnd` around statements that
//! hold semicolons, and `-- +goose NO TRANSACTION`. Go migrations (`.go`) cannot be imported.

use super::{
    Annotation, Body, Found, ImportError, Part, SourceFile, StateKey, Warning, base_name,
    comment_body, not_imported, translate,
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
        let Some((stem, extension)) = name.rsplit_once('.') else {
            warnings.push(not_imported(file, Format::Goose, EXPECTED));
            continue;
        };
        let version = stem.split_once('_').map(|(version, _)| version);
        let number = version
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|n| *n > 0 && i64::try_from(*n).is_ok());
        match (extension, number) {
            ("sql", Some(number)) => {
                let (version, rest) = stem.split_once('_').unwrap_or((stem, ""));
                let translated = translate(file, annotation, warnings);
                translated.require_up(file, "-- +goose Up", warnings)?;
                let no_transaction = translated.no_transaction(file, warnings);
                found.push(Found {
                    version_text: version.to_string(),
                    number: Some(number),
                    name: rest.to_string(),
                    key: StateKey::Number(number),
                    body: Body::Sections(Part {
                        file: file.clone(),
                        text: translated.text,
                    }),
                    no_transaction,
                });
            }
            ("go", Some(_)) if !stem.ends_with("_test") => warnings.push(Warning::file(
                file,
                "a Go migration: goose runs its Go code, which bfm cannot import; write what it \
                 does as a bfm migration (`bfm create`)",
            )),
            _ => warnings.push(not_imported(file, Format::Goose, EXPECTED)),
        }
    }
    found.sort_by_key(|m| m.number);
    Ok(found)
}

/// `-- +goose …` lines (goose reads the keywords in any case).
fn annotation(line: &str) -> Option<Annotation> {
    let command = comment_body(line)?.strip_prefix("+goose")?;
    let words: Vec<String> = command
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    Some(match words.as_slice() {
        ["up"] => Annotation::Up {
            no_transaction: false,
        },
        ["down"] => Annotation::Down {
            no_transaction: false,
        },
        ["statementbegin"] => Annotation::BlockBegin,
        ["statementend"] => Annotation::BlockEnd,
        ["no", "transaction"] => Annotation::NoTransaction,
        ["envsub", ..] => Annotation::Unknown(
            "`+goose ENVSUB` substitutes environment variables when goose runs the file; bfm \
             runs the SQL as written: replace the ${VAR} references by their values"
                .into(),
        ),
        _ => Annotation::Unknown(format!(
            "unknown goose annotation `{}`: kept as a comment, it has no effect in bfm",
            line.trim()
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Format, convert, source};
    use crate::source::script::{Section, split};

    const CREATE: &str = "\
-- +goose Up
CREATE TABLE users (id bigint PRIMARY KEY);
-- +goose StatementBegin
CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now(); RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION touch();
DROP TABLE users;
";

    #[test]
    fn sections_and_statement_blocks_become_bfm_markers() {
        let imported = convert(Format::Goose, &[source("00001_create_users.sql", CREATE)]).unwrap();
        assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
        let migration = &imported.migrations[0];
        assert_eq!(
            migration.file_name,
            "19700101000001_v00001_create_users.sql"
        );
        assert_eq!(migration.original_version, "00001");
        let script = split(&migration.text).unwrap();
        let up: Vec<&str> = script
            .statements
            .iter()
            .filter(|s| s.section == Section::Up)
            .map(|s| s.sql.as_str())
            .collect();
        assert_eq!(up.len(), 2);
        assert!(
            up[1].starts_with("CREATE FUNCTION touch()") && up[1].contains("$$ LANGUAGE plpgsql")
        );
        let down = script
            .statements
            .iter()
            .filter(|s| s.section == Section::Down)
            .count();
        assert_eq!(down, 2);
        assert!(!migration.text.contains("+goose"));
    }

    #[test]
    fn no_transaction_becomes_the_bfm_directive_once() {
        let text = "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose Down\nDROP INDEX i;\n";
        let imported = convert(Format::Goose, &[source("2_index.sql", text)]).unwrap();
        let text = &imported.migrations[0].text;
        assert_eq!(text.matches("-- bfm:no-transaction").count(), 1, "{text}");
        let script = split(text).unwrap();
        assert!(script.directives.iter().any(|(_, d)| d == "no-transaction"));
    }

    #[test]
    fn go_migrations_and_other_files_are_warnings_and_order_is_numeric() {
        let imported = convert(
            Format::Goose,
            &[
                source("10_b.sql", "-- +goose Up\nSELECT 10;\n-- +goose Down\n"),
                source("2_a.sql", "-- +goose Up\nSELECT 2;\n-- +goose Down\n"),
                source("3_seed.go", "package migrations\n"),
                source("README.md", "notes"),
            ],
        )
        .unwrap();
        let versions: Vec<&str> = imported
            .migrations
            .iter()
            .map(|m| m.original_version.as_str())
            .collect();
        assert_eq!(versions, ["2", "10"]);
        let files: Vec<&str> = imported.warnings.iter().map(|w| w.file.as_str()).collect();
        assert_eq!(files, ["dir/3_seed.go", "dir/README.md"]);
        assert!(imported.warnings[0].message.contains("Go migration"));
    }

    #[test]
    fn a_file_without_an_up_annotation_is_an_error_naming_it() {
        let error = convert(Format::Goose, &[source("1_x.sql", "CREATE TABLE x ();\n")])
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("dir/1_x.sql:1:1: no `-- +goose Up`"),
            "{error}"
        );
    }

    #[test]
    fn unterminated_sql_names_the_original_line() {
        let text = "-- +goose Up\nSELECT 1;\nSELECT 'open;\n";
        let error = convert(Format::Goose, &[source("1_x.sql", text)])
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("dir/1_x.sql:3:8: unterminated string"),
            "{error}"
        );
    }

    #[test]
    fn envsub_is_a_warning_with_its_line() {
        let text = "-- +goose Up\n-- +goose ENVSUB ON\nCREATE ROLE ${ROLE};\n";
        let imported = convert(Format::Goose, &[source("1_x.sql", text)]).unwrap();
        let warning = imported
            .warnings
            .iter()
            .find(|w| w.line == Some(2))
            .unwrap();
        assert!(warning.message.contains("ENVSUB"));
    }

    #[test]
    fn duplicate_versions_are_an_error() {
        let text = "-- +goose Up\n";
        let error = convert(
            Format::Goose,
            &[source("1_a.sql", text), source("001_b.sql", text)],
        )
        .unwrap_err();
        assert!(error.to_string().contains("same version"), "{error}");
    }
}
