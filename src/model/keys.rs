//! etcd key spaces: the keys and values of one connection, grouped by schema and table.
//!
//! A key lives at `/{prefix}/{schema}/{table}/{key}` on the server; the model keeps only the
//! `{key}` part inside its group (the schema's [`KeyGroup`] named after the table), so a model
//! does not depend on the prefix it is deployed under. Values are text: a non-string value of
//! the desired state is stored as compact JSON with its object keys in sorted order.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The keys of one `{schema}/{table}` group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyGroup {
    /// Values by key (the part after `/{prefix}/{schema}/{table}/`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keys: BTreeMap<String, String>,
    /// The desired state allows deleting keys of this group it does not list. Not compared:
    /// it only grants permission.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prune: bool,
}

pub(super) mod apply {
    use super::super::{ApplyError, Model};

    fn place(schema: &str, table: &str, key: &str) -> String {
        format!("key {schema}/{table}/{key}")
    }

    /// The value `key` holds in the model, if any.
    fn current<'m>(model: &'m Model, schema: &str, table: &str, key: &str) -> Option<&'m String> {
        model
            .schemas
            .get(schema)?
            .key_groups
            .get(table)?
            .keys
            .get(key)
    }

    /// Checks that `key` holds `expected` (`None`: absent), as the change recorded it.
    fn expect(
        model: &Model,
        (schema, table, key): (&str, &str, &str),
        expected: Option<&String>,
    ) -> Result<(), ApplyError> {
        let found = current(model, schema, table, key);
        if found == expected {
            return Ok(());
        }
        let what = place(schema, table, key);
        Err(match (found, expected) {
            (None, _) => ApplyError {
                message: format!("{what} does not exist"),
            },
            (Some(_), None) => ApplyError {
                message: format!("{what} already exists"),
            },
            (Some(found), Some(expected)) => ApplyError {
                message: format!("{what} holds {found:?}, not {expected:?} as the change expects"),
            },
        })
    }

    /// Sets a key after checking it holds `previous`.
    pub fn put_key(
        model: &mut Model,
        (schema, table, key): (&str, &str, &str),
        value: &str,
        previous: Option<&String>,
    ) -> Result<(), ApplyError> {
        expect(model, (schema, table, key), previous)?;
        model
            .schema_mut(schema)
            .key_groups
            .entry(table.to_string())
            .or_default()
            .keys
            .insert(key.to_string(), value.to_string());
        Ok(())
    }

    /// Deletes a key after checking it holds `previous`; a group left empty goes with it, and
    /// so does a schema left with nothing, as a server holds no empty prefixes.
    pub fn delete_key(
        model: &mut Model,
        (schema, table, key): (&str, &str, &str),
        previous: &String,
    ) -> Result<(), ApplyError> {
        expect(model, (schema, table, key), Some(previous))?;
        let Some(space) = model.schemas.get_mut(schema) else {
            return Ok(());
        };
        if let Some(group) = space.key_groups.get_mut(table) {
            group.keys.remove(key);
            if group.keys.is_empty() && !group.prune {
                space.key_groups.remove(table);
            }
        }
        let empty = space.key_groups.is_empty()
            && space.tables.is_empty()
            && space.enums.is_empty()
            && space.views.is_empty()
            && space.sequences.is_empty();
        if empty {
            model.schemas.remove(schema);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Change, Model};

    fn put(key: &str, value: &str, previous: Option<&str>) -> Change {
        Change::PutKey {
            schema: "global".into(),
            table: "settings".into(),
            key: key.into(),
            value: value.into(),
            previous: previous.map(str::to_string),
        }
    }

    #[test]
    fn each_key_change_then_its_inverse_gives_the_model_back() {
        let mut model = Model::default();
        put("a", "1", None).apply_to(&mut model).unwrap();
        let start = model.clone();
        let changes = [
            put("a", "2", Some("1")),
            put("b", "new", None),
            Change::DeleteKey {
                schema: "global".into(),
                table: "settings".into(),
                key: "a".into(),
                previous: "2".into(),
            },
        ];
        for change in &changes {
            change.apply_to(&mut model).unwrap();
        }
        assert_eq!(model.schemas["global"].key_groups["settings"].keys.len(), 1);
        for change in changes.iter().rev() {
            change.inverse().unwrap().apply_to(&mut model).unwrap();
        }
        assert_eq!(model, start);
    }

    #[test]
    fn a_change_whose_previous_value_does_not_match_is_an_error_naming_the_key() {
        let mut model = Model::default();
        put("a", "1", None).apply_to(&mut model).unwrap();
        let error = put("a", "3", Some("2")).apply_to(&mut model).unwrap_err();
        assert!(
            error.message.contains("global/settings/a holds \"1\""),
            "{error}"
        );
        let error = put("a", "3", None).apply_to(&mut model).unwrap_err();
        assert!(error.message.contains("already exists"), "{error}");
    }

    #[test]
    fn deleting_the_last_key_leaves_no_empty_group_or_schema() {
        let mut model = Model::default();
        put("a", "1", None).apply_to(&mut model).unwrap();
        put("a", "1", None)
            .inverse()
            .unwrap()
            .apply_to(&mut model)
            .unwrap();
        assert_eq!(model, Model::default());
    }
}
