//! The index MariaDB makes for a foreign key when no index starts with its columns. The server
//! marks it as generated: a later index that can serve the foreign key replaces it, and a
//! foreign key added while it exists makes its own (named after the constraint) in its place.
//! The loader follows the first rule; rendering a dropped foreign key turns its index into an
//! ordinary one, as the model keeps it, so the second never surprises.

use super::ddl::key_column;
use super::render::quote;
use crate::model::{ForeignKey, Index, Table};

/// The plain columns of an index, or `None` when a key is an expression or a prefix.
fn plain_columns(index: &Index) -> Option<Vec<&str>> {
    index
        .keys
        .iter()
        .map(|k| (!k.expression).then_some(k.target.as_str()))
        .collect()
}

/// Whether `index` looks like the one MariaDB generated for `fk`: an ordinary index over
/// exactly its columns, named after the constraint or its first column.
fn generated_for(index: &Index, fk: &ForeignKey) -> bool {
    let first = fk.columns.first().map(String::as_str).unwrap_or_default();
    let named = index.name.eq_ignore_ascii_case(&fk.name)
        || index
            .name
            .to_ascii_lowercase()
            .starts_with(&first.to_ascii_lowercase());
    let same_columns = plain_columns(index).is_some_and(|columns| {
        columns.len() == fk.columns.len()
            && columns
                .iter()
                .zip(&fk.columns)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    });
    !index.unique && index.method == "btree" && named && same_columns
}

/// Removes the generated foreign key indexes that `added` (a new ordinary index) can stand in
/// for: its columns start with theirs.
pub fn drop_replaced_indexes(table: &mut Table, added: &Index) {
    if added.method != "btree" {
        return;
    }
    let leading: Vec<String> = added
        .keys
        .iter()
        .map_while(|k| (!k.expression).then(|| key_column(k).to_string()))
        .collect();
    let foreign_keys = table.foreign_keys.clone();
    table.indexes.retain(|index| {
        let replaced = index.name != added.name
            && foreign_keys.iter().any(|fk| {
                generated_for(index, fk)
                    && leading.len() >= fk.columns.len()
                    && leading
                        .iter()
                        .zip(&fk.columns)
                        .all(|(a, b)| a.eq_ignore_ascii_case(b))
            });
        !replaced
    });
}

/// The clauses that follow `DROP FOREIGN KEY`: renaming the index MariaDB may have generated for
/// the key to its own name makes it an ordinary index, which a foreign key added later keeps
/// instead of replacing it with one named after itself.
pub fn keep_index_clauses(fk: &ForeignKey) -> String {
    let mut names = vec![fk.name.clone()];
    if let Some(first) = fk.columns.first()
        && !first.eq_ignore_ascii_case(&fk.name)
    {
        names.push(first.clone());
    }
    names
        .iter()
        .map(|name| {
            format!(
                ", RENAME INDEX IF EXISTS {} TO {}",
                quote(name),
                quote(name)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ForeignKeyAction, IndexKey};

    fn index(name: &str, columns: &[&str]) -> Index {
        Index {
            name: name.to_string(),
            keys: columns.iter().map(|c| IndexKey::column(*c)).collect(),
            unique: false,
            method: "btree".to_string(),
            predicate: None,
            include: Vec::new(),
            nulls_not_distinct: false,
        }
    }

    fn books() -> Table {
        Table {
            name: "books".into(),
            indexes: vec![index("author_id", &["author_id"])],
            foreign_keys: vec![ForeignKey {
                name: "books_ibfk_1".into(),
                columns: vec!["author_id".into()],
                ref_schema: String::new(),
                ref_table: "authors".into(),
                ref_columns: vec!["id".into()],
                on_delete: ForeignKeyAction::Restrict,
                on_update: ForeignKeyAction::Restrict,
                deferrable: false,
                initially_deferred: false,
            }],
            ..Table::default()
        }
    }

    #[test]
    fn an_index_that_serves_the_foreign_key_replaces_the_generated_one() {
        let mut table = books();
        drop_replaced_indexes(&mut table, &index("idx_author", &["author_id", "title"]));
        assert!(table.indexes.is_empty());
    }

    #[test]
    fn an_index_on_other_columns_leaves_the_generated_one() {
        let mut table = books();
        drop_replaced_indexes(&mut table, &index("idx_title", &["title", "author_id"]));
        assert_eq!(table.indexes.len(), 1);
    }

    #[test]
    fn a_dropped_foreign_key_keeps_its_index_as_an_ordinary_one() {
        assert_eq!(
            keep_index_clauses(&books().foreign_keys[0]),
            ", RENAME INDEX IF EXISTS `books_ibfk_1` TO `books_ibfk_1`, \
             RENAME INDEX IF EXISTS `author_id` TO `author_id`"
        );
    }
}
