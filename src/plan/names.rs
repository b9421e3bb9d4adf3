//! Reading object names out of SQL text (view queries, defaults, check and index expressions),
//! to find what a change depends on. Deliberately generous: a false mention costs an extra
//! ordering edge, a missed one a migration that fails.

use crate::model::QualifiedName;
use std::collections::BTreeSet;

/// The dotted identifier chains of `sql` (`core.users.id` → `["core", "users", "id"]`), with
/// unquoted identifiers folded to lower case as PostgreSQL does, and string literals skipped;
/// `"quoted"` and MySQL's `` `quoted` `` identifiers are kept as written.
pub(super) fn identifier_chains(sql: &str) -> Vec<Vec<String>> {
    let mut chains = Vec::new();
    let mut chain: Vec<String> = Vec::new();
    let mut chars = sql.chars().peekable();
    let mut after_dot = false;
    while let Some(c) = chars.next() {
        let identifier = match c {
            '\'' => {
                skip_quoted(&mut chars, '\'');
                None
            }
            '"' | '`' => Some(read_quoted(&mut chars, c)),
            c if c.is_alphabetic() || c == '_' => {
                let mut word = c.to_lowercase().to_string();
                while let Some(&next) = chars.peek() {
                    if next.is_alphanumeric() || next == '_' || next == '$' {
                        word.extend(next.to_lowercase());
                        chars.next();
                    } else {
                        break;
                    }
                }
                Some(word)
            }
            '.' if !chain.is_empty() => {
                after_dot = true;
                continue;
            }
            _ => None,
        };
        match identifier {
            Some(word) if after_dot => chain.push(word),
            Some(word) => {
                if !chain.is_empty() {
                    chains.push(std::mem::take(&mut chain));
                }
                chain.push(word);
            }
            None if !chain.is_empty() => chains.push(std::mem::take(&mut chain)),
            None => {}
        }
        after_dot = false;
    }
    if !chain.is_empty() {
        chains.push(chain);
    }
    chains
}

fn skip_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, quote: char) {
    while let Some(c) = chars.next() {
        if c == quote {
            if chars.peek() == Some(&quote) {
                chars.next();
            } else {
                return;
            }
        }
    }
}

fn read_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, quote: char) -> String {
    let mut word = String::new();
    while let Some(c) = chars.next() {
        if c == quote {
            if chars.peek() == Some(&quote) {
                chars.next();
            } else {
                break;
            }
        }
        word.push(c);
    }
    word
}

/// Whether `chains` mention the relation `name`: as `schema.name`, or as a bare `name`
/// (which also covers `name.column`).
pub(super) fn mentions(chains: &[Vec<String>], name: &QualifiedName) -> bool {
    chains.iter().any(|chain| {
        chain.first() == Some(&name.name)
            || (chain.len() >= 2 && chain[0] == name.schema && chain[1] == name.name)
    })
}

/// Every identifier in `sql`: the columns an expression may use.
pub(super) fn words(sql: &str) -> BTreeSet<String> {
    identifier_chains(sql).into_iter().flatten().collect()
}

/// The sequences a default draws from (`nextval('core.users_id_seq'::regclass)`); an
/// unqualified sequence is taken to be in `schema`.
pub(super) fn sequences_in_default(default: &str, schema: &str) -> Vec<QualifiedName> {
    let mut found = Vec::new();
    let lower = default.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let mut offset = 0;
    while let Some(at) = rest.find("nextval(") {
        let start = offset + at + "nextval(".len();
        let argument = &default[start..];
        if let Some(name) = argument
            .trim_start()
            .strip_prefix('\'')
            .and_then(|quoted| quoted.split('\'').next())
            .and_then(|text| qualified_name(text, schema))
        {
            found.push(name);
        }
        offset = start;
        rest = &lower[start..];
    }
    found
}

/// `name` or `schema.name` (either part possibly quoted) as a qualified name.
fn qualified_name(text: &str, default_schema: &str) -> Option<QualifiedName> {
    let chain = identifier_chains(text).into_iter().next()?;
    match chain.as_slice() {
        [name] => Some(QualifiedName::new(default_schema, name.clone())),
        [schema, name] => Some(QualifiedName::new(schema.clone(), name.clone())),
        _ => None,
    }
}

/// The type a column of `schema` names, without array brackets or modifiers: what an enum
/// it uses would be called (builtin types give names no change creates, which is harmless).
pub(super) fn type_reference(schema: &str, data_type: &str) -> QualifiedName {
    let base = data_type.trim_end_matches("[]");
    let base = base.split('(').next().unwrap_or(base).trim();
    if base.contains(' ') {
        return QualifiedName::new("", base);
    }
    qualified_name(base, schema).unwrap_or_else(|| QualifiedName::new(schema, base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dotted_chains_and_skips_literals() {
        let chains = identifier_chains(
            "SELECT u.id, \"Weird\".x FROM core.Users AS u WHERE u.name <> 'core.secret'",
        );
        let expected: Vec<Vec<String>> = vec![
            vec!["select".into()],
            vec!["u".into(), "id".into()],
            vec!["Weird".into(), "x".into()],
            vec!["from".into()],
            vec!["core".into(), "users".into()],
            vec!["as".into()],
            vec!["u".into()],
            vec!["where".into()],
            vec!["u".into(), "name".into()],
        ];
        assert_eq!(chains, expected);
    }

    #[test]
    fn reads_backquoted_mysql_names_as_one_chain() {
        let chains = identifier_chains("SELECT `u`.`Id` AS `id` FROM `Users` `u`");
        assert!(chains.contains(&vec!["u".to_string(), "Id".to_string()]));
        assert!(mentions(&chains, &QualifiedName::new("db", "Users")));
    }

    #[test]
    fn finds_a_relation_qualified_or_bare_but_not_as_a_column() {
        let chains = identifier_chains("SELECT o.users FROM core.orders o JOIN accounts a ON true");
        assert!(mentions(&chains, &QualifiedName::new("core", "orders")));
        assert!(mentions(&chains, &QualifiedName::new("core", "accounts")));
        assert!(!mentions(&chains, &QualifiedName::new("core", "users")));
    }

    #[test]
    fn finds_the_sequence_of_a_nextval_default() {
        assert_eq!(
            sequences_in_default("nextval('users_id_seq'::regclass)", "core"),
            vec![QualifiedName::new("core", "users_id_seq")]
        );
        assert_eq!(
            sequences_in_default("NEXTVAL('billing.\"Numbers\"')", "core"),
            vec![QualifiedName::new("billing", "Numbers")]
        );
        assert!(sequences_in_default("now()", "core").is_empty());
    }

    #[test]
    fn names_the_type_a_column_uses() {
        assert_eq!(
            type_reference("core", "user_role[]"),
            QualifiedName::new("core", "user_role")
        );
        assert_eq!(
            type_reference("core", "billing.plan_tier"),
            QualifiedName::new("billing", "plan_tier")
        );
        assert_eq!(
            type_reference("core", "character varying(20)"),
            QualifiedName::new("", "character varying")
        );
    }
}
