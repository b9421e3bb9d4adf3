//! etcd migration files: a JSON array of key operations, one per line.
//!
//! ```json
//! [
//! {"operation":"put","key":"/opsview/metadata/global/settings/timezone","value":"UTC"},
//! {"operation":"put","key":"/opsview/metadata/global/settings/retention","value":"{\"days\":30}","previous":"{\"days\":7}"},
//! {"operation":"delete","key":"/opsview/metadata/global/settings/legacy","previous":"on"}
//! ]
//! ```
//!
//! `previous` is the value the key held when the migration was planned (absent: the key did not
//! exist), which is what makes the down file an exact inverse and what apply checks before it
//! writes. `mod_revision`, when present, is the key's etcd revision as the plan saw it (only a
//! plan made against the live cluster knows it); apply then compares on it directly.

use super::MigrationError;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One operation of an etcd migration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "operation", rename_all = "lowercase")]
pub enum KeyOperation {
    Put {
        key: String,
        #[serde(deserialize_with = "stored")]
        value: String,
        #[serde(
            default,
            deserialize_with = "stored_option",
            skip_serializing_if = "Option::is_none"
        )]
        previous: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mod_revision: Option<i64>,
    },
    Delete {
        key: String,
        /// Absent in a hand-written file that does not say: apply then checks only that the key
        /// exists, and replay takes the value from the model.
        #[serde(
            default,
            deserialize_with = "stored_option",
            skip_serializing_if = "Option::is_none"
        )]
        previous: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mod_revision: Option<i64>,
    },
}

impl KeyOperation {
    pub fn key(&self) -> &str {
        match self {
            KeyOperation::Put { key, .. } | KeyOperation::Delete { key, .. } => key,
        }
    }

    pub fn mod_revision(&self) -> Option<i64> {
        match self {
            KeyOperation::Put { mod_revision, .. } | KeyOperation::Delete { mod_revision, .. } => {
                *mod_revision
            }
        }
    }

    /// `put /a/b/c = "v"` or `delete /a/b/c`, for `--dry-run` and reports.
    pub fn describe(&self) -> String {
        match self {
            KeyOperation::Put { key, value, .. } => format!("put {key} = {}", preview(value)),
            KeyOperation::Delete { key, .. } => format!("delete {key}"),
        }
    }
}

/// A value shortened for one line of output.
fn preview(value: &str) -> String {
    const LIMIT: usize = 80;
    let quoted = format!("{value:?}");
    if quoted.chars().count() <= LIMIT {
        return quoted;
    }
    let cut: String = quoted.chars().take(LIMIT).collect();
    format!("{cut}… ({} bytes)", value.len())
}

/// A value in a hand-written file may be any JSON: a string is stored as it is, anything else as
/// compact JSON with sorted object keys (as in the desired state).
fn stored<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(crate::source::stored_value(&value))
}

fn stored_option<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.map(|v| crate::source::stored_value(&v)))
}

/// Reads an operations file; an error names the file, line and column. A key touched twice is
/// an error too: etcd refuses a transaction that writes one key twice.
pub fn parse(text: &str, path: &Path) -> Result<Vec<KeyOperation>, MigrationError> {
    let operations: Vec<KeyOperation> =
        serde_json::from_str(text).map_err(|error| MigrationError::Split {
            path: path.to_path_buf(),
            line: error.line().max(1),
            column: error.column().max(1),
            message: error
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_string(),
        })?;
    let mut seen = std::collections::BTreeSet::new();
    for operation in &operations {
        if !seen.insert(operation.key()) {
            let line = text
                .lines()
                .position(|l| l.contains(&format!("{:?}", operation.key())))
                .map_or(1, |i| i + 1);
            return Err(MigrationError::Split {
                path: path.to_path_buf(),
                line,
                column: 1,
                message: format!(
                    "key {} is touched twice: one migration writes a key once",
                    operation.key()
                ),
            });
        }
    }
    Ok(operations)
}

/// Reads the operations file at `path`.
pub fn read(path: &Path) -> Result<Vec<KeyOperation>, MigrationError> {
    parse(&super::files::read_to_string(path)?, path)
}

/// The text of an operations file: a JSON array with one compact operation per line.
pub fn render(operations: &[KeyOperation]) -> String {
    let lines: Vec<String> = operations
        .iter()
        .map(|operation| serde_json::to_string(operation).unwrap_or_default())
        .collect();
    if lines.is_empty() {
        return "[]\n".to_string();
    }
    format!("[\n{}\n]\n", lines.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_operations_parse_back() {
        let operations = vec![
            KeyOperation::Put {
                key: "/p/s/t/a".into(),
                value: "{\"x\":1}".into(),
                previous: None,
                mod_revision: None,
            },
            KeyOperation::Delete {
                key: "/p/s/t/b".into(),
                previous: Some("old".into()),
                mod_revision: Some(7),
            },
        ];
        let text = render(&operations);
        assert_eq!(
            text,
            "[\n{\"operation\":\"put\",\"key\":\"/p/s/t/a\",\"value\":\"{\\\"x\\\":1}\"},\n\
             {\"operation\":\"delete\",\"key\":\"/p/s/t/b\",\"previous\":\"old\",\"mod_revision\":7}\n]\n"
        );
        assert_eq!(parse(&text, Path::new("f.json")).unwrap(), operations);
    }

    #[test]
    fn a_non_string_value_is_stored_as_sorted_compact_json() {
        let parsed = parse(
            r#"[{"operation": "put", "key": "/k", "value": {"b": 1, "a": [true]}}]"#,
            Path::new("f.json"),
        )
        .unwrap();
        assert!(
            matches!(&parsed[0], KeyOperation::Put { value, .. } if value == r#"{"a":[true],"b":1}"#)
        );
    }

    #[test]
    fn malformed_json_names_file_line_and_column() {
        let error = parse(
            "[\n{\"operation\": \"put\", \"key\": \"/k\" \"value\": \"v\"}\n]",
            Path::new("dir/f.json"),
        )
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("dir/f.json:2:"), "{error}");
    }

    #[test]
    fn an_unknown_operation_is_an_error() {
        let error = parse(
            r#"[{"operation": "move", "key": "/k"}]"#,
            Path::new("f.json"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("f.json:1:") && error.contains("move"),
            "{error}"
        );
    }

    #[test]
    fn a_key_touched_twice_is_an_error() {
        let error = parse(
            "[\n{\"operation\":\"put\",\"key\":\"/k\",\"value\":\"1\"},\n{\"operation\":\"delete\",\"key\":\"/k\"}\n]",
            Path::new("f.json"),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("touched twice"), "{error}");
    }
}
