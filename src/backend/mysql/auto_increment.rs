//! MySQL's rule for AUTO_INCREMENT columns: at every moment such a column must be the first
//! column of some index, or the server refuses the statement (error 1075). Changes that add or
//! drop the key over such a column therefore hold it with a placeholder index, named
//! [`placeholder`], which the next key over the column (or the column's drop) takes away.

use super::render::quote;
use crate::backend::RenderContext;
use crate::model::{Column, PrimaryKey, QualifiedName};

/// The placeholder index that holds an AUTO_INCREMENT column while it has no other key.
pub fn placeholder(column: &str) -> String {
    format!("bfm_auto_{column}")
}

/// `ALTER TABLE … DROP PRIMARY KEY`, adding in the same statement the placeholder index of the
/// first AUTO_INCREMENT column of the key, if any: the primary key is usually its only index.
pub fn drop_primary_key(
    rendered_table: &str,
    table: &QualifiedName,
    key: &PrimaryKey,
    context: &RenderContext,
) -> String {
    let held = key.columns.iter().find(|c| {
        context
            .auto_increment
            .contains(&(table.clone(), (*c).clone()))
    });
    match held {
        Some(column) => format!(
            "ALTER TABLE {rendered_table} DROP PRIMARY KEY, ADD INDEX {} ({})",
            quote(&placeholder(column)),
            quote(column)
        ),
        None => format!("ALTER TABLE {rendered_table} DROP PRIMARY KEY"),
    }
}

/// The clause that removes a column's placeholder index once the column stops being
/// AUTO_INCREMENT (the placeholder a dropped primary key left has nothing more to hold).
pub fn release_clause(from: &Column, to: &Column) -> Option<String> {
    (from.identity.is_some() && to.identity.is_none())
        .then(|| format!(", DROP INDEX IF EXISTS {}", quote(&placeholder(&to.name))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Identity, IdentityKind};

    fn key(columns: &[&str]) -> PrimaryKey {
        PrimaryKey {
            name: "PRIMARY".into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn context_with_auto(table: &QualifiedName, column: &str) -> RenderContext {
        RenderContext {
            auto_increment: [(table.clone(), column.to_string())].into(),
            ..RenderContext::default()
        }
    }

    #[test]
    fn dropping_the_key_of_an_auto_increment_column_keeps_an_index_on_it() {
        let table = QualifiedName::new("app", "friends");
        let context = context_with_auto(&table, "id");
        assert_eq!(
            drop_primary_key("`friends`", &table, &key(&["id", "other_id"]), &context),
            "ALTER TABLE `friends` DROP PRIMARY KEY, ADD INDEX `bfm_auto_id` (`id`)"
        );
    }

    #[test]
    fn dropping_a_plain_key_adds_no_index() {
        let table = QualifiedName::new("app", "friends");
        let context = context_with_auto(&table, "other_id");
        assert_eq!(
            drop_primary_key("`friends`", &table, &key(&["id"]), &context),
            "ALTER TABLE `friends` DROP PRIMARY KEY"
        );
        let elsewhere = context_with_auto(&QualifiedName::new("app", "users"), "id");
        assert_eq!(
            drop_primary_key("`friends`", &table, &key(&["id"]), &elsewhere),
            "ALTER TABLE `friends` DROP PRIMARY KEY"
        );
    }

    #[test]
    fn losing_auto_increment_releases_the_placeholder() {
        let plain = Column {
            name: "id".into(),
            data_type: "bigint".into(),
            ..Column::default()
        };
        let auto = Column {
            identity: Some(Identity {
                kind: IdentityKind::ByDefault,
                start: None,
                increment: None,
            }),
            ..plain.clone()
        };
        assert_eq!(
            release_clause(&auto, &plain).as_deref(),
            Some(", DROP INDEX IF EXISTS `bfm_auto_id`")
        );
        assert_eq!(release_clause(&plain, &auto), None);
        assert_eq!(release_clause(&auto, &auto), None);
    }
}
