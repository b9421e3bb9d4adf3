//! sql-migrate: every `.sql` file of the directory, its id the file name, ordered by the number
//! the name starts with; `-- +migrate Up` / `Down` (each optionally `notransaction`) and
//! `StatementBegin` / `StatementEnd`: bfm's own hand-written format, but for the
//! `notransaction` option.

use super::{
    Annotation, Body, Found, ImportError, Part, SourceFile, StateKey, Warning, base_name,
    comment_body, leading_digits, translate,
};

pub(super) fn parse(
    files: &[SourceFile],
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Found>, ImportError> {
    let mut found = Vec::new();
    for file in files {
        let name = base_name(&file.name);
        let Some(stem) = name.strip_suffix(".sql") else {
            warnings.push(Warning::file(
                file,
                "sql-migrate reads only .sql files: not imported",
            ));
            continue;
        };
        let digits = leading_digits(stem);
        let number = digits.parse::<u64>().ok();
        let title = stem[digits.len()..].trim_start_matches(['_', '-', '.']);
        let translated = translate(file, annotation, warnings);
        translated.require_up(file, "-- +migrate Up", warnings)?;
        let no_transaction = translated.no_transaction(file, warnings);
        found.push(Found {
            version_text: if number.is_some() {
                digits.to_string()
            } else {
                String::new()
            },
            number,
            name: if title.is_empty() { stem } else { title }.to_string(),
            key: StateKey::Text(name.to_string()),
            body: Body::Sections(Part {
                file: file.clone(),
                text: translated.text,
            }),
            no_transaction,
        });
    }
    // sql-migrate compares the leading numbers when both names have one, the names otherwise.
    if found.iter().all(|m| m.number.is_some()) {
        found.sort_by(|a, b| (a.number, &a.key).cmp(&(b.number, &b.key)));
    } else {
        found.sort_by(|a, b| a.key.cmp(&b.key));
    }
    Ok(found)
}

/// `-- +migrate …` lines, already bfm's apart from the `notransaction` option.
fn annotation(line: &str) -> Option<Annotation> {
    let command = comment_body(line)?.strip_prefix("+migrate")?;
    let mut words = command.split_whitespace();
    let direction = words.next()?;
    let options: Vec<&str> = words.collect();
    let no_transaction = options.contains(&"notransaction");
    if let Some(other) = options.iter().find(|o| **o != "notransaction") {
        return Some(Annotation::Unknown(format!(
            "unknown sql-migrate option `{other}`: kept as written, bfm ignores it"
        )));
    }
    match direction {
        "Up" => Some(Annotation::Up { no_transaction }),
        "Down" => Some(Annotation::Down { no_transaction }),
        "StatementBegin" => Some(Annotation::BlockBegin),
        "StatementEnd" => Some(Annotation::BlockEnd),
        other => Some(Annotation::Unknown(format!(
            "unknown sql-migrate command `{other}`: kept as written, bfm ignores it"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, StateKey, convert, source};

    #[test]
    fn files_keep_their_text_and_their_id_is_the_file_name() {
        let text = "-- +migrate Up\nCREATE TABLE a (id int);\n\n-- +migrate Down\nDROP TABLE a;\n";
        let imported = convert(
            Format::SqlMigrate,
            &[
                source("10_b.sql", text),
                source("2_a.sql", text),
                source("notes.txt", ""),
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
            ["19700101000002_v2_a.sql", "19700101000010_v10_b.sql"]
        );
        assert_eq!(imported.migrations[0].key, StateKey::Text("2_a.sql".into()));
        assert!(imported.migrations[0].text.ends_with(text));
        assert_eq!(imported.warnings.len(), 1);
    }

    #[test]
    fn notransaction_on_one_direction_marks_the_file_with_a_warning() {
        let text = "-- +migrate Up\nSELECT 1;\n-- +migrate Down notransaction\nSELECT 2;\n";
        let imported = convert(Format::SqlMigrate, &[source("1_x.sql", text)]).unwrap();
        let migration = &imported.migrations[0];
        assert!(migration.text.contains("-- bfm:no-transaction\n"));
        assert!(migration.text.contains("-- +migrate Down\nSELECT 2;"));
        assert!(!migration.text.contains("notransaction"));
        assert!(
            imported.warnings[0]
                .message
                .contains("only the down section")
        );
    }

    #[test]
    fn unnumbered_files_are_ordered_by_name_and_numbered_by_position() {
        let text = "-- +migrate Up\n";
        let imported = convert(
            Format::SqlMigrate,
            &[source("b_second.sql", text), source("a_first.sql", text)],
        )
        .unwrap();
        let names: Vec<&str> = imported
            .migrations
            .iter()
            .map(|m| m.file_name.as_str())
            .collect();
        assert_eq!(
            names,
            ["19700101000001_a_first.sql", "19700101000002_b_second.sql"]
        );
    }
}
