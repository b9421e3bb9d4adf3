//! The `BINARY` column attribute (`varchar(64) BINARY`): MySQL's shorthand for the binary
//! collation of the column's character set, which sqlparser does not read. The statement is
//! rewritten to a marker collation before parsing, and the column reader resolves the marker to
//! `<charset>_bin` once it knows the character set.

use sqlparser::dialect::MySqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// The collation the attribute stands for until the character set is known.
pub const MARKER: &str = "bfm_binary_attribute";

/// Types whose `BINARY` attribute picks a binary collation (without arguments; a type with
/// arguments ends in `)`).
const CHARACTER_TYPES: [&str; 7] = [
    "char",
    "varchar",
    "text",
    "tinytext",
    "mediumtext",
    "longtext",
    "character",
];

/// `sql` with every `BINARY` column attribute replaced by `COLLATE <MARKER>`; unchanged when
/// it holds none (or does not tokenize: the parser reports that).
pub fn rewrite(sql: &str) -> String {
    let dialect = MySqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize_with_location() else {
        return sql.to_string();
    };
    let significant: Vec<&TokenWithSpan> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let mut starts = Vec::new();
    for (i, token) in significant.iter().enumerate() {
        let Token::Word(word) = &token.token else {
            continue;
        };
        if word.quote_style.is_some() || !word.value.eq_ignore_ascii_case("binary") {
            continue;
        }
        let after_type = i > 0
            && match &significant[i - 1].token {
                Token::RParen => true,
                Token::Word(w) => {
                    w.quote_style.is_none()
                        && CHARACTER_TYPES.contains(&w.value.to_ascii_lowercase().as_str())
                }
                _ => false,
            };
        let takes_arguments = matches!(
            significant.get(i + 1).map(|t| &t.token),
            Some(Token::LParen)
        );
        if after_type && !takes_arguments {
            starts.push(byte_offset(
                sql,
                token.span.start.line,
                token.span.start.column,
            ));
        }
    }
    let mut text = sql.to_string();
    for start in starts.into_iter().flatten().rev() {
        text.replace_range(start..start + "binary".len(), &format!("COLLATE {MARKER}"));
    }
    text
}

/// The byte offset of a 1-based line and (character) column.
fn byte_offset(sql: &str, line: u64, column: u64) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        sql.match_indices('\n')
            .nth(usize::try_from(line - 2).ok()?)?
            .0
            + 1
    };
    let column = usize::try_from(column.checked_sub(1)?).ok()?;
    sql[line_start..]
        .char_indices()
        .nth(column)
        .map(|(at, _)| line_start + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binary_attribute_becomes_a_marker_collation() {
        assert_eq!(
            rewrite("CREATE TABLE t (\n  w varchar(64) BINARY NOT NULL,\n  x text binary\n)"),
            format!(
                "CREATE TABLE t (\n  w varchar(64) COLLATE {MARKER} NOT NULL,\n  x text COLLATE {MARKER}\n)"
            )
        );
    }

    #[test]
    fn the_binary_type_and_binary_in_strings_stay() {
        let sql = "CREATE TABLE t (b BINARY(16), c binary, d varchar(3) DEFAULT 'x) BINARY')";
        assert_eq!(rewrite(sql), sql);
    }
}
