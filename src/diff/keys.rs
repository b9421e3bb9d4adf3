//! etcd key groups: puts for new or changed values, deletes for keys a pruned group no longer
//! lists. Keys of a group without `prune: true` that the desired state does not list are left
//! alone and reported by [`unlisted_keys`].

use crate::model::{Change, KeyGroup, Model};
use std::collections::BTreeMap;

/// The key changes from `current` to `desired`, by schema, table and key.
pub(super) fn key_groups(current: &Model, desired: &Model, changes: &mut Vec<Change>) {
    let empty = KeyGroup::default();
    for (schema, table) in group_names(current, desired) {
        let before = group(current, &schema, &table).unwrap_or(&empty);
        let Some(after) = group(desired, &schema, &table) else {
            continue;
        };
        for (key, value) in &after.keys {
            let previous = before.keys.get(key);
            if previous != Some(value) {
                changes.push(Change::PutKey {
                    schema: schema.clone(),
                    table: table.clone(),
                    key: key.clone(),
                    value: value.clone(),
                    previous: previous.cloned(),
                });
            }
        }
        if !after.prune {
            continue;
        }
        for (key, value) in &before.keys {
            if !after.keys.contains_key(key) {
                changes.push(Change::DeleteKey {
                    schema: schema.clone(),
                    table: table.clone(),
                    key: key.clone(),
                    previous: value.clone(),
                });
            }
        }
    }
}

/// Keys `current` holds that `desired` does not list and will not delete (their group does
/// not say `prune: true`, or the desired state has no such group): `schema/table/key`, sorted.
pub fn unlisted_keys(current: &Model, desired: &Model) -> Vec<String> {
    let mut unlisted = Vec::new();
    for (schema, table) in group_names(current, desired) {
        let Some(before) = group(current, &schema, &table) else {
            continue;
        };
        let after = group(desired, &schema, &table);
        if after.is_some_and(|g| g.prune) {
            continue;
        }
        for key in before.keys.keys() {
            if !after.is_some_and(|g| g.keys.contains_key(key)) {
                unlisted.push(format!("{schema}/{table}/{key}"));
            }
        }
    }
    unlisted
}

/// `model` without the schemas that hold nothing but key groups: an etcd key space has no
/// schema to create or drop, so the SQL part of the diff must not see them.
pub(super) fn without_key_spaces(mut model: Model) -> Model {
    model.schemas.retain(|_, schema| {
        schema.key_groups.is_empty()
            || !(schema.tables.is_empty()
                && schema.enums.is_empty()
                && schema.views.is_empty()
                && schema.sequences.is_empty()
                && schema.comment.is_none()
                && schema.greptime.is_none())
    });
    model
}

fn group<'m>(model: &'m Model, schema: &str, table: &str) -> Option<&'m KeyGroup> {
    model.schemas.get(schema)?.key_groups.get(table)
}

/// Every `(schema, table)` holding a key group on either side, sorted.
fn group_names(current: &Model, desired: &Model) -> Vec<(String, String)> {
    let mut names = BTreeMap::new();
    for model in [current, desired] {
        for (schema, space) in &model.schemas {
            for table in space.key_groups.keys() {
                names.insert((schema.clone(), table.clone()), ());
            }
        }
    }
    names.into_keys().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Schema, table, keys and values, prune.
    type GroupSpec<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], bool);

    fn model(groups: &[GroupSpec<'_>]) -> Model {
        let mut model = Model::default();
        for (schema, table, keys, prune) in groups {
            let group = model
                .schema_mut(schema)
                .key_groups
                .entry(table.to_string())
                .or_default();
            group.prune = *prune;
            for (key, value) in *keys {
                group.keys.insert(key.to_string(), value.to_string());
            }
        }
        model
    }

    fn diffed(current: &Model, desired: &Model) -> Vec<Change> {
        let mut changes = Vec::new();
        key_groups(current, desired, &mut changes);
        changes
    }

    #[test]
    fn new_and_changed_values_become_puts_with_their_previous_value() {
        let current = model(&[("global", "settings", &[("a", "1"), ("b", "2")], false)]);
        let desired = model(&[(
            "global",
            "settings",
            &[("a", "1"), ("b", "3"), ("c", "x")],
            false,
        )]);
        let changes = diffed(&current, &desired);
        assert_eq!(
            changes.iter().map(Change::describe).collect::<Vec<_>>(),
            ["update key global/settings/b", "put key global/settings/c"]
        );
        assert!(
            matches!(&changes[0], Change::PutKey { previous: Some(p), value, .. } if p == "2" && value == "3")
        );
    }

    #[test]
    fn unlisted_keys_are_reported_and_deleted_only_with_prune() {
        let current = model(&[
            ("global", "settings", &[("a", "1"), ("old", "2")], false),
            ("global", "flags", &[("gone", "1")], false),
        ]);
        let kept = model(&[("global", "settings", &[("a", "1")], false)]);
        assert!(diffed(&current, &kept).is_empty());
        assert_eq!(
            unlisted_keys(&current, &kept),
            ["global/flags/gone", "global/settings/old"]
        );
        let pruned = model(&[("global", "settings", &[("a", "1")], true)]);
        assert_eq!(
            diffed(&current, &pruned),
            [Change::DeleteKey {
                schema: "global".into(),
                table: "settings".into(),
                key: "old".into(),
                previous: "2".into(),
            }]
        );
        assert_eq!(unlisted_keys(&current, &pruned), ["global/flags/gone"]);
    }

    #[test]
    fn applying_the_diff_gives_the_desired_keys() {
        let current = model(&[("global", "settings", &[("a", "1"), ("old", "2")], false)]);
        let desired = model(&[("global", "settings", &[("a", "9"), ("new", "3")], true)]);
        let mut replayed = current.clone();
        for change in diffed(&current, &desired) {
            change.apply_to(&mut replayed).unwrap();
        }
        assert_eq!(replayed, desired.without_intent());
    }
}
