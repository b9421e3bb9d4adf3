//! etcd desired state: YAML files listing keys and values grouped by schema and table.
//!
//! ```yaml
//! schema: global            # the default schema of the groups below
//! groups:
//!   - table: settings       # keys at /{prefix}/global/settings/{key}
//!     prune: true           # delete keys of this group that are not listed (destructive)
//!     keys:
//!       timezone: UTC                       # a string is stored as it is
//!       retention: {days: 30, hourly: 7}    # anything else as compact JSON, keys sorted
//! ```

use super::{LoadError, Location, invalid_at};
use crate::model::{KeyGroup, Model};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The largest value bfm writes. etcd refuses requests over 1.5 MiB by default
/// (`--max-request-bytes`), and a transaction carries several values.
pub const MAX_VALUE_BYTES: usize = 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    schema: Option<String>,
    #[serde(default)]
    groups: Vec<Spanned<GroupDoc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupDoc {
    schema: Option<String>,
    table: String,
    #[serde(default)]
    prune: bool,
    #[serde(default)]
    keys: BTreeMap<String, Spanned<serde_json::Value>>,
}

/// Loads the key files of a directory (its `*.yaml` and `*.yml` files in name order, not
/// recursing) or one file. `default_schema` holds groups whose file names no schema.
pub fn load_key_files(path: &Path, default_schema: &str) -> Result<Model, LoadError> {
    let mut model = Model::default();
    let mut origins = BTreeMap::new();
    for file in key_files(path)? {
        let text = std::fs::read_to_string(&file).map_err(|source| LoadError::Io {
            path: file.clone(),
            source,
        })?;
        load_key_text(&text, &file, default_schema, &mut model, &mut origins)?;
    }
    Ok(model)
}

fn key_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let file = entry.map_err(io)?.path();
        let yaml = file
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml"));
        if yaml && file.is_file() {
            files.push(file);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads one key file into `model`; `origins` remembers where each group was defined, so a
/// group defined twice names both places.
fn load_key_text(
    text: &str,
    file: &Path,
    default_schema: &str,
    model: &mut Model,
    origins: &mut BTreeMap<(String, String), Location>,
) -> Result<(), LoadError> {
    let parse_options = serde_saphyr::options! { strict_booleans: true, with_snippet: false };
    let doc: KeyFile = serde_saphyr::from_str_with_options(text, parse_options)
        .map_err(|e| super::yaml::yaml_error(text, file, &e))?;
    let file_schema = doc.schema.as_deref().unwrap_or(default_schema);
    for spanned in doc.groups {
        let at = spanned.referenced;
        let group = spanned.value;
        let here = |line: u64, column: u64, message: String| {
            invalid_at(text, file, line as usize, column as usize, message)
        };
        let schema = group.schema.as_deref().unwrap_or(file_schema).to_string();
        for (what, name) in [("schema", &schema), ("table", &group.table)] {
            if name.is_empty() || name.contains('/') {
                return Err(here(
                    at.line(),
                    at.column(),
                    format!("{what} {name:?} must be a non-empty name without '/'"),
                ));
            }
        }
        let location = Location {
            file: file.to_path_buf(),
            line: at.line() as usize,
            column: at.column() as usize,
        };
        let id = (schema.clone(), group.table.clone());
        if let Some(first) = origins.get(&id) {
            return Err(LoadError::Duplicate {
                object: format!("key group {schema}/{}", group.table),
                first: first.clone(),
                second: location,
            });
        }
        origins.insert(id, location);
        let mut keys = BTreeMap::new();
        for (key, value) in group.keys {
            let place = value.referenced;
            if key.is_empty() {
                return Err(here(
                    place.line(),
                    place.column(),
                    "a key must not be empty".into(),
                ));
            }
            let text_value = stored_value(&value.value);
            if text_value.len() > MAX_VALUE_BYTES {
                return Err(here(
                    place.line(),
                    place.column(),
                    format!(
                        "the value of key {key} is {} bytes; bfm writes values of at most {MAX_VALUE_BYTES} bytes (etcd refuses requests over 1.5 MiB by default)",
                        text_value.len()
                    ),
                ));
            }
            keys.insert(key, text_value);
        }
        model.schema_mut(&schema).key_groups.insert(
            group.table,
            KeyGroup {
                keys,
                prune: group.prune,
            },
        );
    }
    Ok(())
}

/// How a value is stored: a string as it is, anything else as compact JSON whose object keys
/// are sorted, so the same value always gives the same bytes.
pub fn stored_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => sorted(other).to_string(),
    }
}

fn sorted(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let ordered: BTreeMap<&String, serde_json::Value> =
                map.iter().map(|(k, v)| (k, sorted(v))).collect();
            serde_json::Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(sorted).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Model, LoadError> {
        let mut model = Model::default();
        load_key_text(
            text,
            Path::new("keys.yaml"),
            "global",
            &mut model,
            &mut BTreeMap::new(),
        )?;
        Ok(model)
    }

    #[test]
    fn strings_stay_as_they_are_and_other_values_become_sorted_compact_json() {
        let model = load(
            "groups:\n  - table: settings\n    prune: true\n    keys:\n      tz: UTC\n      \
             retention: {hourly: 7, days: 30}\n      enabled: true\n      port: 8080\n      \
             hosts: [a, b]\n",
        )
        .unwrap();
        let group = &model.schemas["global"].key_groups["settings"];
        assert!(group.prune);
        assert_eq!(group.keys["tz"], "UTC");
        assert_eq!(group.keys["retention"], r#"{"days":30,"hourly":7}"#);
        assert_eq!(group.keys["enabled"], "true");
        assert_eq!(group.keys["port"], "8080");
        assert_eq!(group.keys["hosts"], r#"["a","b"]"#);
    }

    #[test]
    fn a_group_may_name_its_own_schema() {
        let model =
            load("schema: other\ngroups:\n  - schema: alerts\n    table: t\n    keys: {a: b}\n")
                .unwrap();
        assert_eq!(model.schemas["alerts"].key_groups["t"].keys["a"], "b");
    }

    #[test]
    fn a_group_defined_twice_names_both_places() {
        let error = load("groups:\n  - table: t\n  - table: t\n").unwrap_err();
        assert!(matches!(error, LoadError::Duplicate { .. }), "{error}");
        assert!(error.to_string().contains("keys.yaml:2:"), "{error}");
    }

    #[test]
    fn a_huge_value_is_refused_at_its_line() {
        let text = format!(
            "groups:\n  - table: t\n    keys:\n      big: {}\n",
            "x".repeat(MAX_VALUE_BYTES + 1)
        );
        let error = load(&text).unwrap_err().to_string();
        assert!(error.starts_with("keys.yaml:4:"), "{error}");
        assert!(error.contains("at most"), "{error}");
    }

    #[test]
    fn a_table_with_a_slash_is_refused() {
        let error = load("groups:\n  - table: a/b\n").unwrap_err().to_string();
        assert!(error.contains("without '/'"), "{error}");
    }
}
