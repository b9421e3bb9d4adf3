//! Type changes that can lose data or fail on existing rows, and which of them rewrite the table.
//!
//! Only changes known to widen are safe: anything else (a user type, a cast PostgreSQL may
//! refuse) counts as narrowing.

use super::Context;
use crate::diff::{Hazard, HazardKind};
use crate::model::Change;

/// What a type change does to the rows already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TypeChange {
    /// Some values may not fit (or the cast may fail).
    pub narrows: bool,
    /// PostgreSQL copies every row instead of just updating the catalog.
    pub rewrites: bool,
}

const WIDENS: TypeChange = TypeChange {
    narrows: false,
    rewrites: true,
};
const WIDENS_IN_PLACE: TypeChange = TypeChange {
    narrows: false,
    rewrites: false,
};
const NARROWS: TypeChange = TypeChange {
    narrows: true,
    rewrites: true,
};

/// Narrowing type changes are destructive.
pub(super) fn check(change: &Change, _context: &Context<'_>) -> Option<Hazard> {
    let Change::AlterColumn { table, from, to } = change else {
        return None;
    };
    if from.data_type == to.data_type || !classify(&from.data_type, &to.data_type).narrows {
        return None;
    }
    Some(Hazard {
        kind: HazardKind::NarrowsType,
        message: format!(
            "changing {table}.{} from {} to {} can truncate values or fail on existing rows",
            to.name, from.data_type, to.data_type
        ),
    })
}

/// A canonical type split into its base name, its modifiers and whether it is an array:
/// `timestamp(3) without time zone` → `timestamp without time zone`, `[3]`.
struct TypeName {
    base: String,
    modifiers: Vec<u32>,
    array: bool,
}

impl TypeName {
    fn parse(raw: &str) -> TypeName {
        let array = raw.ends_with("[]");
        let raw = raw.trim_end_matches("[]");
        let (base, modifiers) = match (raw.find('('), raw.find(')')) {
            (Some(open), Some(close)) if open < close => {
                let modifiers = raw[open + 1..close]
                    .split(',')
                    .filter_map(|m| m.trim().parse().ok())
                    .collect();
                (format!("{} {}", &raw[..open], &raw[close + 1..]), modifiers)
            }
            _ => (raw.to_string(), Vec::new()),
        };
        let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
        let base = match base.as_str() {
            "serial" => "integer".to_string(),
            "bigserial" => "bigint".to_string(),
            "smallserial" => "smallint".to_string(),
            _ => base,
        };
        TypeName {
            base,
            modifiers,
            array,
        }
    }

    fn first(&self) -> Option<u32> {
        self.modifiers.first().copied()
    }
}

/// Classifies a change of canonical type `from` → `to`.
pub(super) fn classify(from: &str, to: &str) -> TypeChange {
    if from == to {
        return WIDENS_IN_PLACE;
    }
    let (from, to) = (TypeName::parse(from), TypeName::parse(to));
    if from.array != to.array {
        return NARROWS;
    }
    match (from.base.as_str(), to.base.as_str()) {
        ("character varying", "character varying") | ("bit varying", "bit varying") => {
            length_change(from.first(), to.first(), false)
        }
        ("character", "character") => length_change(from.first(), to.first(), true),
        ("character varying", "text") => WIDENS_IN_PLACE,
        ("text", "character varying") => length_change(None, to.first(), false),
        ("character", "character varying" | "text") => WIDENS,
        ("numeric", "numeric") => numeric_change(&from.modifiers, &to.modifiers),
        (a, b) if a == b && is_temporal(a) => precision_change(from.first(), to.first(), false),
        (a, b) if integer_digits(a).is_some() && integer_digits(b).is_some() => {
            widens_if(integer_digits(a) <= integer_digits(b))
        }
        (a, "numeric") => match (integer_digits(a), to.modifiers.as_slice()) {
            (Some(_), []) => WIDENS,
            (Some(digits), [precision]) => widens_if(*precision >= digits),
            (Some(digits), [precision, scale]) => {
                widens_if(precision.saturating_sub(*scale) >= digits)
            }
            _ => NARROWS,
        },
        ("smallint" | "integer", "double precision")
        | ("smallint", "real")
        | ("real", "double precision")
        | ("json", "jsonb") => WIDENS,
        ("timestamp without time zone", "timestamp with time zone")
        | ("time without time zone", "time with time zone") => {
            precision_change(from.first(), to.first(), true)
        }
        ("date", "timestamp without time zone" | "timestamp with time zone") => WIDENS,
        _ => NARROWS,
    }
}

fn widens_if(widens: bool) -> TypeChange {
    if widens { WIDENS } else { NARROWS }
}

/// The decimal digits an integer type always holds.
fn integer_digits(base: &str) -> Option<u32> {
    match base {
        "smallint" => Some(4),
        "integer" => Some(9),
        "bigint" => Some(18),
        _ => None,
    }
}

fn is_temporal(base: &str) -> bool {
    matches!(
        base,
        "timestamp without time zone"
            | "timestamp with time zone"
            | "time without time zone"
            | "time with time zone"
            | "interval"
    )
}

/// A length limit `None` is unbounded. Raising or removing the limit of a varying type only
/// touches the catalog; a fixed-length type is padded again, so it rewrites.
fn length_change(from: Option<u32>, to: Option<u32>, fixed: bool) -> TypeChange {
    let widens = match (from, to) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(old), Some(new)) => new >= old,
    };
    match (widens, fixed) {
        (true, false) => WIDENS_IN_PLACE,
        (true, true) => WIDENS,
        (false, _) => NARROWS,
    }
}

/// Fractional-second precision, 6 when unstated. Raising it is catalog-only unless the type
/// itself changes (`rewrites_anyway`).
fn precision_change(from: Option<u32>, to: Option<u32>, rewrites_anyway: bool) -> TypeChange {
    if to.unwrap_or(6) < from.unwrap_or(6) {
        NARROWS
    } else if rewrites_anyway {
        WIDENS
    } else {
        WIDENS_IN_PLACE
    }
}

/// `numeric(p, s)`: widens when neither the integer digits nor the scale shrink; catalog-only
/// when the scale stays and the precision grows, or the limit goes.
fn numeric_change(from: &[u32], to: &[u32]) -> TypeChange {
    let split = |modifiers: &[u32]| match modifiers {
        [] => None,
        [precision] => Some((*precision, 0)),
        [precision, scale, ..] => Some((*precision, *scale)),
    };
    match (split(from), split(to)) {
        (_, None) => WIDENS_IN_PLACE,
        (None, Some(_)) => NARROWS,
        (Some((p1, s1)), Some((p2, s2))) => {
            let widens = s2 >= s1 && p2.saturating_sub(s2) >= p1.saturating_sub(s1);
            match (widens, s1 == s2) {
                (true, true) => WIDENS_IN_PLACE,
                (true, false) => WIDENS,
                (false, _) => NARROWS,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorter_or_bounded_text_narrows() {
        for (from, to) in [
            ("character varying(255)", "character varying(20)"),
            ("character varying", "character varying(20)"),
            ("text", "character varying(20)"),
            ("bigint", "integer"),
            ("bigint", "smallint"),
            ("integer", "smallint"),
            ("numeric(10,2)", "numeric(8,2)"),
            ("numeric(10,2)", "numeric(10,1)"),
            ("double precision", "real"),
            ("timestamp with time zone", "timestamp without time zone"),
            (
                "timestamp(6) without time zone",
                "timestamp(3) without time zone",
            ),
            ("text", "integer"),
            ("core.user_role", "text"),
            ("text[]", "text"),
        ] {
            assert!(classify(from, to).narrows, "{from} -> {to} should narrow");
        }
    }

    #[test]
    fn known_widenings_do_not_narrow() {
        for (from, to) in [
            ("integer", "bigint"),
            ("smallint", "integer"),
            ("serial", "bigint"),
            ("character varying(20)", "character varying(255)"),
            ("character varying(20)", "character varying"),
            ("character varying(20)", "text"),
            ("text", "character varying"),
            ("numeric(8,2)", "numeric(10,2)"),
            ("numeric(8,2)", "numeric(12,4)"),
            ("numeric(8,2)", "numeric"),
            ("integer", "numeric"),
            ("real", "double precision"),
            ("timestamp without time zone", "timestamp with time zone"),
            (
                "timestamp(3) without time zone",
                "timestamp without time zone",
            ),
            ("integer[]", "bigint[]"),
        ] {
            assert!(!classify(from, to).narrows, "{from} -> {to} should widen");
        }
    }

    #[test]
    fn raising_a_varchar_limit_does_not_rewrite_but_integer_widening_does() {
        assert!(!classify("character varying(20)", "character varying(40)").rewrites);
        assert!(!classify("character varying(20)", "text").rewrites);
        assert!(!classify("numeric(8,2)", "numeric(10,2)").rewrites);
        assert!(classify("integer", "bigint").rewrites);
        assert!(classify("numeric(8,2)", "numeric(12,4)").rewrites);
    }
}

#[cfg(test)]
mod rule_tests {
    use crate::diff::HazardKind;
    use crate::diff::tests::{assessed, fixture, kinds_of, table};

    #[test]
    fn shortening_a_varchar_is_destructive_unless_the_column_allows_it() {
        let current = fixture();
        let mut desired = fixture();
        if let Some(slug) = table(&mut desired, "organizations").column_mut("slug") {
            slug.data_type = "character varying(20)".to_string();
        }
        let what = "alter type on core.organizations.slug";
        let found = assessed(&current, &desired);
        assert_eq!(
            kinds_of(&found, what),
            [HazardKind::NarrowsType, HazardKind::RewritesTable]
        );
        assert!(!found[0].permitted_by_schema);
        if let Some(slug) = table(&mut desired, "organizations").column_mut("slug") {
            slug.allow_destructive = true;
        }
        assert!(assessed(&current, &desired)[0].permitted_by_schema);
    }
}
