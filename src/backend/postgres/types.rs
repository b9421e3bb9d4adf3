//! Canonical PostgreSQL type names: the spelling `format_type` prints, so that a type written as
//! `int4`, `INTEGER` or `pg_catalog.int4` compares equal to what a live database reports.

use crate::backend::StatementError;

/// One piece of a type's text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// An unquoted word, lower-cased.
    Word(String),
    /// A `"quoted"` identifier, verbatim.
    Quoted(String),
    /// The text between a pair of parentheses, whitespace removed.
    Modifiers(String),
    /// `[]` or `[n]`.
    ArrayBrackets,
    Dot,
}

/// The canonical spelling of a PostgreSQL type (`varchar(20)` → `character varying(20)`,
/// `_int4` → `integer[]`, `"MyType"` kept quoted, `Core.Tier` → `core.tier`).
pub fn normalize_type(raw: &str) -> Result<String, StatementError> {
    let mut pieces = pieces(raw)?;
    let mut array = false;
    loop {
        match pieces.last() {
            Some(Piece::ArrayBrackets) => {
                pieces.pop();
                array = true;
            }
            Some(Piece::Word(w)) if w == "array" && pieces.len() > 1 => {
                pieces.pop();
                array = true;
            }
            _ => break,
        }
    }
    if pieces.contains(&Piece::ArrayBrackets) {
        return Err(StatementError::new(format!("not a type: {raw}")));
    }
    let base = base_type(&pieces, raw)?;
    // `_int4` is PostgreSQL's internal name of `integer[]`.
    let element = base
        .strip_prefix('_')
        .and_then(|element| normalize_type(element).ok())
        .filter(|element| is_builtin_type(element) && !element.ends_with("[]"));
    let (base, underscore_array) = match element {
        Some(element) => (element, true),
        None => (base, false),
    };
    if array || underscore_array {
        Ok(format!("{base}[]"))
    } else {
        Ok(base)
    }
}

/// Whether a canonical type (modifiers and array brackets allowed) is one PostgreSQL provides,
/// as opposed to a user type such as an enum that a renderer may need to qualify.
pub fn is_builtin_type(canonical: &str) -> bool {
    let element = canonical.trim_end_matches("[]");
    let mut name = String::new();
    let mut depth = 0usize;
    for c in element.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => name.push(c),
            _ => {}
        }
    }
    BUILTIN_NAMES.contains(&name.trim())
}

/// Canonical names of the built-in types, without modifiers.
const BUILTIN_NAMES: &[&str] = &[
    "smallint",
    "integer",
    "bigint",
    "real",
    "double precision",
    "numeric",
    "character varying",
    "character",
    "bpchar",
    "text",
    "name",
    "\"char\"",
    "boolean",
    "bytea",
    "date",
    "time without time zone",
    "time with time zone",
    "timestamp without time zone",
    "timestamp with time zone",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "jsonpath",
    "xml",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "money",
    "tsvector",
    "tsquery",
    "bit",
    "bit varying",
    "oid",
    "regclass",
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "serial",
    "bigserial",
    "smallserial",
    "pg_lsn",
    "txid_snapshot",
];

/// Splits type text into words, quoted identifiers, modifier lists, array brackets and dots.
fn pieces(raw: &str) -> Result<Vec<Piece>, StatementError> {
    let not_a_type = || StatementError::new(format!("not a type: {}", raw.trim()));
    let mut pieces = Vec::new();
    let mut chars = raw.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if c.is_alphanumeric() || c == '_' || c == '$' {
                    end = i + c.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            pieces.push(Piece::Word(raw[start..end].to_lowercase()));
        } else if c == '"' {
            chars.next();
            let mut ident = String::new();
            loop {
                match chars.next() {
                    Some((_, '"')) if chars.peek().map(|&(_, c)| c) == Some('"') => {
                        chars.next();
                        ident.push('"');
                    }
                    Some((_, '"')) => break,
                    Some((_, c)) => ident.push(c),
                    None => return Err(not_a_type()),
                }
            }
            pieces.push(Piece::Quoted(ident));
        } else if c == '(' {
            chars.next();
            let mut text = String::new();
            loop {
                match chars.next() {
                    Some((_, ')')) => break,
                    Some((_, c)) if c.is_whitespace() => {}
                    Some((_, '(')) | None => return Err(not_a_type()),
                    Some((_, c)) => text.push(c),
                }
            }
            pieces.push(Piece::Modifiers(text));
        } else if c == '[' {
            chars.next();
            loop {
                match chars.next() {
                    Some((_, ']')) => break,
                    Some((_, c)) if c.is_ascii_digit() || c.is_whitespace() => {}
                    _ => return Err(not_a_type()),
                }
            }
            pieces.push(Piece::ArrayBrackets);
        } else if c == '.' {
            chars.next();
            pieces.push(Piece::Dot);
        } else {
            return Err(not_a_type());
        }
    }
    if pieces.is_empty() {
        return Err(not_a_type());
    }
    Ok(pieces)
}

/// The canonical element type (no array brackets).
fn base_type(pieces: &[Piece], raw: &str) -> Result<String, StatementError> {
    let not_a_type = || StatementError::new(format!("not a type: {}", raw.trim()));
    if pieces.contains(&Piece::Dot) {
        return qualified_type(pieces, raw);
    }
    if let [Piece::Quoted(name)] = pieces {
        return Ok(super::ident::quote(name));
    }
    if let [Piece::Quoted(name), Piece::Modifiers(m)] = pieces {
        return Ok(format!("{}({m})", super::ident::quote(name)));
    }
    let mut words = Vec::new();
    let mut modifiers: Option<&str> = None;
    for piece in pieces {
        match piece {
            Piece::Word(w) => words.push(w.as_str()),
            Piece::Modifiers(m) if modifiers.is_none() => modifiers = Some(m),
            _ => return Err(not_a_type()),
        }
    }
    if words.is_empty() {
        return Err(not_a_type());
    }
    builtin(&words, modifiers).map_or_else(
        || match (words.as_slice(), modifiers) {
            ([name], None) => Ok(super::ident::quote(name)),
            ([name], Some(m)) => Ok(format!("{}({m})", super::ident::quote(name))),
            _ => Err(not_a_type()),
        },
        Ok,
    )
}

/// `schema.type`: builtins in `pg_catalog` lose the prefix, others keep it.
fn qualified_type(pieces: &[Piece], raw: &str) -> Result<String, StatementError> {
    let not_a_type = || StatementError::new(format!("not a type: {}", raw.trim()));
    let name_of = |piece: &Piece| match piece {
        Piece::Word(w) | Piece::Quoted(w) => Some(w.clone()),
        _ => None,
    };
    let (schema, rest) = match pieces {
        [schema, Piece::Dot, rest @ ..] => (name_of(schema).ok_or_else(not_a_type)?, rest),
        _ => return Err(not_a_type()),
    };
    if rest.contains(&Piece::Dot) || rest.is_empty() {
        return Err(not_a_type());
    }
    if schema == "pg_catalog" {
        return base_type(rest, raw);
    }
    let name = match rest {
        [name] => super::ident::quote(&name_of(name).ok_or_else(not_a_type)?),
        [name, Piece::Modifiers(m)] => {
            format!(
                "{}({m})",
                super::ident::quote(&name_of(name).ok_or_else(not_a_type)?)
            )
        }
        _ => return Err(not_a_type()),
    };
    Ok(format!("{}.{name}", super::ident::quote(&schema)))
}

/// The canonical spelling of a built-in type written as `words` with optional `(modifiers)`.
fn builtin(words: &[&str], modifiers: Option<&str>) -> Option<String> {
    let with = |name: &str| match modifiers {
        Some(m) => format!("{name}({m})"),
        None => name.to_string(),
    };
    let plain = |name: &str| modifiers.is_none().then(|| name.to_string());
    match words {
        ["int" | "int4" | "integer"] => plain("integer"),
        ["int2" | "smallint"] => plain("smallint"),
        ["int8" | "bigint"] => plain("bigint"),
        ["float4" | "real"] => plain("real"),
        ["float8"] | ["double", "precision"] => plain("double precision"),
        ["float"] => float_by_precision(modifiers),
        ["decimal" | "numeric"] => Some(match modifiers {
            // A precision alone means scale 0, which the server spells out.
            Some(precision) if !precision.contains(',') => format!("numeric({precision},0)"),
            _ => with("numeric"),
        }),
        ["varchar"] | ["character" | "char", "varying"] => Some(with("character varying")),
        ["char" | "character"] => Some(format!("character({})", modifiers.unwrap_or("1"))),
        ["bpchar"] => {
            Some(modifiers.map_or_else(|| "bpchar".into(), |m| format!("character({m})")))
        }
        ["bool" | "boolean"] => plain("boolean"),
        ["timestamp"] | ["timestamp", "without", "time", "zone"] => {
            Some(format!("{} without time zone", with("timestamp")))
        }
        ["timestamptz"] | ["timestamp", "with", "time", "zone"] => {
            Some(format!("{} with time zone", with("timestamp")))
        }
        ["time"] | ["time", "without", "time", "zone"] => {
            Some(format!("{} without time zone", with("time")))
        }
        ["timetz"] | ["time", "with", "time", "zone"] => {
            Some(format!("{} with time zone", with("time")))
        }
        ["interval", fields @ ..] => {
            let mut name = "interval".to_string();
            for field in fields {
                name.push(' ');
                name.push_str(field);
            }
            Some(match modifiers {
                Some(m) => format!("{name}({m})"),
                None => name,
            })
        }
        ["bit"] => Some(format!("bit({})", modifiers.unwrap_or("1"))),
        ["varbit"] | ["bit", "varying"] => Some(with("bit varying")),
        ["serial" | "serial4"] => plain("serial"),
        ["bigserial" | "serial8"] => plain("bigserial"),
        ["smallserial" | "serial2"] => plain("smallserial"),
        [
            name @ ("text" | "bytea" | "uuid" | "json" | "jsonb" | "jsonpath" | "inet" | "cidr"
            | "macaddr" | "macaddr8" | "money" | "tsvector" | "tsquery" | "xml" | "date"
            | "oid" | "regclass" | "name" | "point" | "line" | "lseg" | "box" | "path"
            | "polygon" | "circle" | "int4range" | "int8range" | "numrange" | "tsrange"
            | "tstzrange" | "daterange" | "pg_lsn" | "txid_snapshot"),
        ] => plain(name),
        _ => None,
    }
}

/// `float(p)`: PostgreSQL picks `real` up to 24 bits of precision, `double precision` above.
fn float_by_precision(modifiers: Option<&str>) -> Option<String> {
    match modifiers {
        None => Some("double precision".into()),
        Some(m) => match m.parse::<u32>().ok()? {
            1..=24 => Some("real".into()),
            25..=53 => Some("double precision".into()),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str) -> String {
        match normalize_type(raw) {
            Ok(t) => t,
            Err(e) => panic!("{raw}: {e}"),
        }
    }

    #[test]
    fn int4_and_integer_normalize_alike() {
        for raw in ["int", "INT4", "integer", "Integer", "pg_catalog.int4"] {
            assert_eq!(norm(raw), "integer", "{raw}");
        }
        assert_eq!(norm("int2"), "smallint");
        assert_eq!(norm("INT8"), "bigint");
    }

    #[test]
    fn floats_normalize_by_precision() {
        assert_eq!(norm("float4"), "real");
        assert_eq!(norm("float8"), "double precision");
        assert_eq!(norm("float"), "double precision");
        assert_eq!(norm("float(10)"), "real");
        assert_eq!(norm("float(25)"), "double precision");
        assert_eq!(norm("DOUBLE  PRECISION"), "double precision");
    }

    #[test]
    fn character_types_take_the_sql_standard_spelling() {
        assert_eq!(norm("varchar(255)"), "character varying(255)");
        assert_eq!(norm("VARCHAR"), "character varying");
        assert_eq!(norm("character varying ( 20 )"), "character varying(20)");
        assert_eq!(norm("char"), "character(1)");
        assert_eq!(norm("char(3)"), "character(3)");
        assert_eq!(norm("bpchar(3)"), "character(3)");
        assert_eq!(norm("bpchar"), "bpchar");
    }

    #[test]
    fn numeric_keeps_precision_and_scale() {
        assert_eq!(norm("decimal(10, 2)"), "numeric(10,2)");
        assert_eq!(norm("NUMERIC"), "numeric");
    }

    #[test]
    fn time_types_spell_out_the_zone() {
        assert_eq!(norm("timestamptz"), "timestamp with time zone");
        assert_eq!(norm("timestamptz(3)"), "timestamp(3) with time zone");
        assert_eq!(norm("timestamp"), "timestamp without time zone");
        assert_eq!(
            norm("TIMESTAMP(3) WITHOUT TIME ZONE"),
            "timestamp(3) without time zone"
        );
        assert_eq!(norm("timestamp with time zone"), "timestamp with time zone");
        assert_eq!(norm("time"), "time without time zone");
        assert_eq!(norm("timetz"), "time with time zone");
        assert_eq!(norm("interval"), "interval");
    }

    #[test]
    fn serial_types_are_kept_as_serials() {
        assert_eq!(norm("serial4"), "serial");
        assert_eq!(norm("SERIAL8"), "bigserial");
        assert_eq!(norm("serial2"), "smallserial");
        assert_eq!(norm("bigserial"), "bigserial");
    }

    #[test]
    fn arrays_fold_to_one_pair_of_brackets() {
        assert_eq!(norm("text[]"), "text[]");
        assert_eq!(norm("int[3]"), "integer[]");
        assert_eq!(norm("int[][]"), "integer[]");
        assert_eq!(norm("integer ARRAY"), "integer[]");
        assert_eq!(norm("_int4"), "integer[]");
        assert_eq!(norm("_text"), "text[]");
        assert_eq!(norm("varchar(20)[]"), "character varying(20)[]");
    }

    #[test]
    fn bit_types_default_to_one_bit() {
        assert_eq!(norm("bit"), "bit(1)");
        assert_eq!(norm("varbit(8)"), "bit varying(8)");
        assert_eq!(norm("bool"), "boolean");
    }

    #[test]
    fn user_types_fold_unless_quoted() {
        assert_eq!(norm("User_Role"), "user_role");
        assert_eq!(norm("\"MyType\""), "\"MyType\"");
        assert_eq!(norm("\"plain\""), "plain");
        assert_eq!(norm("Core.Plan_Tier"), "core.plan_tier");
        assert_eq!(norm("core.\"Tier\"[]"), "core.\"Tier\"[]");
    }

    #[test]
    fn garbage_is_not_a_type() {
        assert!(normalize_type("").is_err());
        assert!(normalize_type("int;").is_err());
        assert!(normalize_type("varchar(20").is_err());
        assert!(normalize_type("integer integer").is_err());
    }

    #[test]
    fn builtin_types_are_told_from_user_types() {
        assert!(is_builtin_type("integer"));
        assert!(is_builtin_type("character varying(20)[]"));
        assert!(is_builtin_type("timestamp(3) with time zone"));
        assert!(!is_builtin_type("user_role"));
        assert!(!is_builtin_type("core.plan_tier"));
    }
}
