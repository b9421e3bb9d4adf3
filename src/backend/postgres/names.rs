//! The names PostgreSQL gives unnamed constraints and indexes, so a schema file that leaves
//! them out agrees with what a live database reports.

use crate::backend::ConstraintKind;

/// PostgreSQL's identifier limit: `NAMEDATALEN - 1` bytes.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// The name PostgreSQL chooses for an unnamed constraint or index on `table` over `columns`.
/// For a check, `columns` are the table's columns its expression mentions: the check is named
/// after the column only when there is exactly one. For an index, an expression key is passed as
/// its [`index_key_name_part`](super::expr::index_key_name_part) and INCLUDE columns follow the
/// keys. Collision suffixes (`…_key1`) are not added here.
pub fn default_name(table: &str, columns: &[String], kind: ConstraintKind) -> String {
    match kind {
        ConstraintKind::PrimaryKey => object_name(table, None, "pkey"),
        ConstraintKind::Check => check_name(table, columns, 0),
        ConstraintKind::ForeignKey => object_name(table, Some(&columns.join("_")), "fkey"),
        ConstraintKind::Unique => object_name(table, Some(&index_columns(columns)), "key"),
        ConstraintKind::Index => object_name(table, Some(&index_columns(columns)), "idx"),
    }
}

/// The name of an unnamed check whose [`default_name`] is taken by another constraint of the
/// schema: the server numbers the label (`t_check1`, `t_check2`, …), shortening the table and
/// column parts to make room for the number.
pub fn check_name(table: &str, columns: &[String], number: usize) -> String {
    let label = match number {
        0 => "check".to_string(),
        n => format!("check{n}"),
    };
    match columns {
        [column] => object_name(table, Some(column), &label),
        _ => object_name(table, None, &label),
    }
}

/// Index column names joined by `_`, a repeated name numbered (`expr`, `expr1`) as PostgreSQL
/// does when it names an index's columns.
fn index_columns(columns: &[String]) -> String {
    let mut used: Vec<String> = Vec::new();
    for column in columns {
        let mut name = column.clone();
        let mut n = 0;
        while used.contains(&name) {
            n += 1;
            name = format!("{column}{n}");
        }
        used.push(name);
    }
    used.join("_")
}

/// The name PostgreSQL gives the unnamed check of a domain whose checks already take `taken`
/// names: `domain_check`, then `domain_check1`, `domain_check2`, … (the number is part of the
/// label, so a long domain name is shortened to make room for it).
pub fn domain_check_name(domain: &str, taken: &[String]) -> String {
    let mut n = 0;
    loop {
        let label = if n == 0 {
            "check".to_string()
        } else {
            format!("check{n}")
        };
        let name = object_name(domain, None, &label);
        if !taken.contains(&name) {
            return name;
        }
        n += 1;
    }
}

/// The name `serial` gives the sequence behind a column: `table_column_seq`, shortened as
/// other implicit names are.
pub fn serial_sequence_name(table: &str, column: &str) -> String {
    object_name(table, Some(column), "seq")
}

/// `table_columns_label`, where the table and column parts are shortened (the longer one first,
/// one byte at a time) until the whole fits in 63 bytes, never splitting a character.
fn object_name(table: &str, columns: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(columns.is_some());
    let available = MAX_IDENTIFIER_BYTES.saturating_sub(overhead);
    let columns_text = columns.unwrap_or("");
    let mut table_len = table.len();
    let mut columns_len = columns_text.len();
    while table_len + columns_len > available {
        if table_len > columns_len {
            table_len -= 1;
        } else {
            columns_len -= 1;
        }
    }
    let mut name = clip(table, table_len).to_string();
    if columns.is_some() {
        name.push('_');
        name.push_str(clip(columns_text, columns_len));
    }
    name.push('_');
    name.push_str(label);
    name
}

/// The longest prefix of `text` of at most `len` bytes that ends on a character boundary.
fn clip(text: &str, len: usize) -> &str {
    let mut end = len.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_taken_check_name_is_numbered_within_the_length_limit() {
        assert_eq!(check_name("t", &cols(&["a"]), 1), "t_a_check1");
        assert_eq!(check_name("t", &cols(&["a", "b"]), 2), "t_check2");
        let long = "s".repeat(60);
        let name = check_name(&long, &cols(&["a"]), 1);
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_a_check1"), "{name}");
    }

    #[test]
    fn short_names_follow_postgres_patterns() {
        assert_eq!(
            default_name("users", &cols(&["id"]), ConstraintKind::PrimaryKey),
            "users_pkey"
        );
        assert_eq!(
            default_name("users", &cols(&["org", "email"]), ConstraintKind::Unique),
            "users_org_email_key"
        );
        assert_eq!(
            default_name("users", &cols(&["org_id"]), ConstraintKind::ForeignKey),
            "users_org_id_fkey"
        );
        assert_eq!(
            default_name("users", &cols(&["age"]), ConstraintKind::Check),
            "users_age_check"
        );
        assert_eq!(
            default_name("users", &cols(&["age", "id"]), ConstraintKind::Check),
            "users_check"
        );
        assert_eq!(
            default_name("users", &[], ConstraintKind::Check),
            "users_check"
        );
        assert_eq!(
            default_name("users", &cols(&["expr", "expr"]), ConstraintKind::Index),
            "users_expr_expr1_idx"
        );
    }

    #[test]
    fn long_names_truncate_like_postgres() {
        let table = "a".repeat(40);
        let column = "b".repeat(40);
        let name = default_name(&table, &cols(&[&column]), ConstraintKind::Index);
        // 63 - len("_idx") - 1 = 58 bytes shared: 29 for each part.
        assert_eq!(name, format!("{}_{}_idx", "a".repeat(29), "b".repeat(29)));
        assert_eq!(name.len(), 63);

        let short_column = default_name(&"t".repeat(70), &cols(&["id"]), ConstraintKind::Unique);
        assert_eq!(short_column, format!("{}_id_key", "t".repeat(56)));

        let pkey = default_name(&"p".repeat(70), &[], ConstraintKind::PrimaryKey);
        assert_eq!(pkey, format!("{}_pkey", "p".repeat(58)));
    }

    #[test]
    fn truncation_never_splits_a_character() {
        let table = "é".repeat(40);
        let name = default_name(&table, &[], ConstraintKind::PrimaryKey);
        assert!(name.len() <= 63);
        assert!(name.starts_with("éé"));
        assert!(name.ends_with("_pkey"));
    }
}
