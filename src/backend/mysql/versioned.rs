//! MySQL's versioned comments (`/*!80003 SRID 4326 */`): the server runs the text inside when
//! its version is at least the one written. MariaDB skips those written for MySQL 5.7 and later
//! (versions 50700 to 99999, which it never reaches on MySQL's numbering), so bfm, which follows
//! MariaDB, reads them as comments.

/// The first and last version MariaDB treats as MySQL-only.
const MYSQL_ONLY: std::ops::RangeInclusive<u32> = 50700..=99999;

/// `sql` with each MySQL-only versioned comment blanked out (spaces, newlines kept, so that
/// positions in error messages stay right). Quoted text and other comments are left alone.
pub fn blank_mysql_only(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut out = sql.to_string().into_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"' | b'`') => i = skip_quoted(bytes, i, quote),
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = skip_line(bytes, i),
            b'#' => i = skip_line(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |at| i + 2 + at + 2);
                if mysql_only(&sql[i..end]) {
                    for byte in &mut out[i..end] {
                        if *byte != b'\n' {
                            *byte = b' ';
                        }
                    }
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    // Only ASCII bytes of a comment were replaced, by ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| sql.to_string())
}

/// Whether a comment is `/*!NNNNN …*/` with a MySQL-only five-digit version.
fn mysql_only(comment: &str) -> bool {
    let Some(rest) = comment.strip_prefix("/*!") else {
        return false;
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.len() == 5 && digits.parse().is_ok_and(|v: u32| MYSQL_ONLY.contains(&v))
}

fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == b'\\' && quote != b'`' {
            i += 2;
        } else if bytes[i] == quote {
            return i + 1;
        } else {
            i += 1;
        }
    }
    i
}

fn skip_line(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |at| start + at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_for_mysql_57_and_later_are_blanked() {
        assert_eq!(
            blank_mysql_only("location point NOT NULL /*!80003 SRID 4326 */,"),
            format!(
                "location point NOT NULL {},",
                " ".repeat("/*!80003 SRID 4326 */".len())
            )
        );
    }

    #[test]
    fn comments_mariadb_runs_and_quoted_text_stay() {
        let sql = "a int /*!50100 COMMENT 'x' */, b varchar(9) DEFAULT '/*!80003 y */'";
        assert_eq!(blank_mysql_only(sql), sql);
    }
}
