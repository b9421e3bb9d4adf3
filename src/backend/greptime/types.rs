//! GreptimeDB column types: every accepted spelling to the name SHOW CREATE TABLE prints.

use crate::backend::StatementError;

/// The canonical (SHOW CREATE TABLE) spelling of a type: `STRING`, `INT UNSIGNED`,
/// `TIMESTAMP(3)`, `DECIMAL(38, 10)`, `VECTOR(3)`. Errors on types the server refuses
/// (INTERVAL, TIME, other timestamp precisions) and on unknown names.
pub fn normalize_type(raw: &str) -> Result<String, StatementError> {
    let text = raw.trim();
    let (head, args, unsigned) = split_type(text)?;
    let name = head.to_ascii_uppercase();
    let base = match name.as_str() {
        "STRING" | "TEXT" | "TINYTEXT" | "MEDIUMTEXT" | "LONGTEXT" | "VARCHAR" | "CHAR" => "STRING",
        "BINARY" | "VARBINARY" | "BLOB" | "BYTEA" => "VARBINARY",
        "BOOLEAN" | "BOOL" => "BOOLEAN",
        "TINYINT" => "TINYINT",
        "SMALLINT" | "INT2" | "INT16" => "SMALLINT",
        "INT" | "INTEGER" | "INT4" | "INT32" => "INT",
        "BIGINT" | "INT8" | "INT64" => "BIGINT",
        "UINT8" => return Ok("TINYINT UNSIGNED".into()),
        "UINT16" => return Ok("SMALLINT UNSIGNED".into()),
        "UINT32" => return Ok("INT UNSIGNED".into()),
        "UINT64" => return Ok("BIGINT UNSIGNED".into()),
        "FLOAT" | "FLOAT4" | "FLOAT32" | "REAL" => "FLOAT",
        "DOUBLE" | "FLOAT8" | "FLOAT64" => "DOUBLE",
        "DATE" => "DATE",
        "TIMESTAMP" => return timestamp(args.as_deref(), 3, raw),
        "DATETIME" => return timestamp(args.as_deref(), 6, raw),
        "TIMESTAMP_S" | "TIMESTAMP_SEC" | "TIMESTAMPSECOND" => return Ok("TIMESTAMP(0)".into()),
        "TIMESTAMP_MS" | "TIMESTAMPMILLISECOND" => return Ok("TIMESTAMP(3)".into()),
        "TIMESTAMP_US" | "TIMESTAMPMICROSECOND" => return Ok("TIMESTAMP(6)".into()),
        "TIMESTAMP_NS" | "TIMESTAMPNANOSECOND" => return Ok("TIMESTAMP(9)".into()),
        "DECIMAL" | "NUMERIC" => return decimal(args.as_deref(), raw),
        "JSON" => "JSON",
        "JSON2" => return Ok(format!("JSON2({})", args.unwrap_or_default())),
        "VECTOR" => return vector(args.as_deref(), raw),
        "INTERVAL" | "TIME" => {
            return Err(StatementError::new(format!(
                "GreptimeDB does not support {name} columns"
            )));
        }
        _ => {
            return Err(StatementError::new(format!(
                "unsupported GreptimeDB data type {raw:?}"
            )));
        }
    };
    if unsigned {
        if !matches!(base, "TINYINT" | "SMALLINT" | "INT" | "BIGINT") {
            return Err(StatementError::new(format!("{base} cannot be UNSIGNED")));
        }
        return Ok(format!("{base} UNSIGNED"));
    }
    Ok(base.to_string())
}

/// Whether a canonical type is a timestamp (the only kind a time index may have).
pub fn is_timestamp(canonical: &str) -> bool {
    canonical.starts_with("TIMESTAMP(")
}

/// Whether a canonical type is a string (FULLTEXT INDEX needs one).
pub fn is_string(canonical: &str) -> bool {
    canonical == "STRING"
}

/// Splits `NAME [(args)] [UNSIGNED]` into its parts.
fn split_type(text: &str) -> Result<(String, Option<String>, bool), StatementError> {
    let upper = text.to_ascii_uppercase();
    let (rest, unsigned) = match upper.strip_suffix("UNSIGNED") {
        Some(rest) if rest.ends_with(|c: char| c.is_whitespace() || c == ')') => {
            (text[..rest.len()].trim_end(), true)
        }
        _ => (text, false),
    };
    match rest.find('(') {
        Some(open) => {
            let close = rest
                .rfind(')')
                .filter(|&close| close > open && rest[close + 1..].trim().is_empty())
                .ok_or_else(|| StatementError::new(format!("malformed data type {text:?}")))?;
            let head = rest[..open].trim().to_string();
            let args: String = rest[open + 1..close]
                .split(',')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(", ");
            Ok((head, Some(args), unsigned))
        }
        None => {
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                [one] => Ok((one.to_string(), None, unsigned)),
                [a, b]
                    if a.eq_ignore_ascii_case("double") && b.eq_ignore_ascii_case("precision") =>
                {
                    Ok(("DOUBLE".into(), None, unsigned))
                }
                _ => Err(StatementError::new(format!(
                    "unsupported GreptimeDB data type {text:?}"
                ))),
            }
        }
    }
}

fn timestamp(args: Option<&str>, default: u32, raw: &str) -> Result<String, StatementError> {
    let precision = match args {
        None => default,
        Some(p) => p
            .parse::<u32>()
            .map_err(|_| StatementError::new(format!("malformed data type {raw:?}")))?,
    };
    if !matches!(precision, 0 | 3 | 6 | 9) {
        return Err(StatementError::new(format!(
            "unsupported timestamp precision {precision} (GreptimeDB accepts 0, 3, 6 and 9)"
        )));
    }
    Ok(format!("TIMESTAMP({precision})"))
}

fn decimal(args: Option<&str>, raw: &str) -> Result<String, StatementError> {
    let malformed = || StatementError::new(format!("malformed data type {raw:?}"));
    let numbers: Vec<u32> = match args {
        None => vec![38, 10],
        Some(text) => text
            .split(',')
            .map(|n| n.trim().parse::<u32>().map_err(|_| malformed()))
            .collect::<Result<_, _>>()?,
    };
    let (precision, scale) = match numbers.as_slice() {
        [p] => (*p, 0),
        [p, s] => (*p, *s),
        _ => return Err(malformed()),
    };
    if precision == 0 || precision > 38 || scale > precision {
        return Err(StatementError::new(format!(
            "invalid DECIMAL({precision}, {scale}): precision must be 1 to 38 and not below the scale"
        )));
    }
    Ok(format!("DECIMAL({precision}, {scale})"))
}

fn vector(args: Option<&str>, raw: &str) -> Result<String, StatementError> {
    let dimension = args
        .and_then(|a| a.parse::<u32>().ok())
        .filter(|&d| d > 0)
        .ok_or_else(|| StatementError::new(format!("malformed data type {raw:?}")))?;
    Ok(format!("VECTOR({dimension})"))
}

#[cfg(test)]
mod tests {
    use super::normalize_type;

    #[test]
    fn aliases_take_the_show_create_spelling() {
        for (raw, canonical) in [
            ("text", "STRING"),
            ("varchar(20)", "STRING"),
            ("bytea", "VARBINARY"),
            ("int8", "BIGINT"),
            ("int4", "INT"),
            ("float64", "DOUBLE"),
            ("smallint unsigned", "SMALLINT UNSIGNED"),
            ("uint32", "INT UNSIGNED"),
            ("timestamp", "TIMESTAMP(3)"),
            ("timestamp_ns", "TIMESTAMP(9)"),
            ("datetime", "TIMESTAMP(6)"),
            ("TimestampSecond", "TIMESTAMP(0)"),
            ("decimal", "DECIMAL(38, 10)"),
            ("decimal(10,2)", "DECIMAL(10, 2)"),
            ("vector(3)", "VECTOR(3)"),
        ] {
            assert_eq!(normalize_type(raw).unwrap(), canonical, "{raw}");
        }
    }

    #[test]
    fn refuses_types_the_server_refuses() {
        for raw in [
            "interval",
            "time",
            "timestamp(4)",
            "nosuchtype",
            "double unsigned",
        ] {
            assert!(normalize_type(raw).is_err(), "{raw}");
        }
    }
}
