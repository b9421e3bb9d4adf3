//! Table, database and index options, validated and spelled the way the server stores them, so
//! that a desired `ttl = '7d'` equals a live `ttl = '7days'`.

use crate::backend::StatementError;
use std::collections::BTreeMap;

/// Exact table option keys the server accepts (besides the prefixes in [`TABLE_OPTION_PREFIXES`]).
const TABLE_OPTION_KEYS: &[&str] = &[
    "ttl",
    "append_mode",
    "merge_mode",
    "sst_format",
    "skip_wal",
    "write_buffer_size",
    "auto_flush_interval",
    "max_row_group_row_count",
    "compaction.type",
    "compaction.override",
    "memtable.type",
    "storage",
    "comment",
    "wal_options",
    "physical_metric_table",
    "on_physical_table",
    "index.type",
    "index.granularity",
    "index.false_positive_rate",
    "primary_key_encoding",
    "repartition.column.hint",
    "table_data_model",
    "otlp_metric_compat",
    "timeout",
    "wait",
];

const TABLE_OPTION_PREFIXES: &[&str] = &[
    "compaction.twcs.",
    "memtable.bulk.",
    "memtable.partition_tree.",
    "index.inverted_index.",
    "greptime.semantic.",
    "s3.",
    "oss.",
    "azblob.",
    "gcs.",
];

const DATABASE_OPTION_KEYS: &[&str] = &[
    "ttl",
    "storage",
    "memtable.type",
    "append_mode",
    "merge_mode",
    "skip_wal",
    "compaction.type",
    "compaction.twcs.time_window",
    "compaction.twcs.trigger_file_num",
    "compaction.twcs.max_output_file_size",
    "compaction.twcs.fallback_to_local",
    "sst_format",
];

/// Database options a new table copies into its own options.
pub const INHERITED_DATABASE_OPTIONS: &[&str] = &[
    "memtable.type",
    "append_mode",
    "merge_mode",
    "skip_wal",
    "sst_format",
];

/// Validates `WITH (…)` options of a CREATE TABLE and puts them in canonical form, including
/// what the server adds by itself (`compaction.override` with `compaction.type`).
pub fn table_options(
    raw: Vec<(String, String)>,
) -> Result<BTreeMap<String, String>, StatementError> {
    let mut options = BTreeMap::new();
    for (key, value) in raw {
        let key = key.to_ascii_lowercase();
        if !is_table_option(&key) {
            return Err(StatementError::new(format!(
                "Unrecognized table option key: {key}"
            )));
        }
        let value = table_option_value(&key, &value)?;
        options.insert(key, value);
    }
    check_modes(&options)?;
    if options.contains_key("compaction.type") {
        options
            .entry("compaction.override".to_string())
            .or_insert_with(|| "true".to_string());
    }
    Ok(options)
}

pub fn is_table_option(key: &str) -> bool {
    TABLE_OPTION_KEYS.contains(&key) || TABLE_OPTION_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// Validates database options and puts them in canonical form.
pub fn database_options(
    raw: Vec<(String, String)>,
) -> Result<BTreeMap<String, String>, StatementError> {
    let mut options = BTreeMap::new();
    for (key, value) in raw {
        let key = key.to_ascii_lowercase();
        if !DATABASE_OPTION_KEYS.contains(&key.as_str()) && !key.starts_with("memtable.bulk.") {
            return Err(StatementError::new(format!(
                "Invalid database option key: {key}"
            )));
        }
        if key == "ttl" && value.trim().eq_ignore_ascii_case("instant") {
            return Err(StatementError::new(
                "a database ttl cannot be 'instant'".to_string(),
            ));
        }
        let value = table_option_value(&key, &value)?;
        options.insert(key, value);
    }
    check_modes(&options)?;
    Ok(options)
}

/// One option value in the server's spelling.
pub fn table_option_value(key: &str, value: &str) -> Result<String, StatementError> {
    let invalid =
        |why: &str| StatementError::new(format!("invalid value {value:?} for {key}: {why}"));
    Ok(match key {
        "ttl" => canonical_ttl(value).ok_or_else(|| invalid("not a duration"))?,
        "write_buffer_size" => canonical_size(value).ok_or_else(|| invalid("not a size"))?,
        "append_mode" | "skip_wal" | "compaction.override" => {
            let lower = value.to_ascii_lowercase();
            if lower != "true" && lower != "false" {
                return Err(invalid("expected 'true' or 'false'"));
            }
            lower
        }
        "merge_mode" if !matches!(value, "" | "last_row" | "last_non_null") => {
            return Err(invalid("expected last_row or last_non_null"));
        }
        "compaction.type" if value != "twcs" => return Err(invalid("only twcs is supported")),
        "sst_format" if !matches!(value, "flat" | "primary_key") => {
            return Err(invalid("expected flat or primary_key"));
        }
        "memtable.type" if !matches!(value, "time_series" | "bulk" | "partition_tree") => {
            return Err(invalid("expected time_series or bulk"));
        }
        "compaction.twcs.time_window" if !value.is_empty() => {
            parse_duration(value).ok_or_else(|| invalid("not a duration"))?;
            value.to_string()
        }
        _ => value.to_string(),
    })
}

/// `append_mode = 'true'` keeps duplicates, so no merge mode but `last_row` goes with it.
fn check_modes(options: &BTreeMap<String, String>) -> Result<(), StatementError> {
    let append = options.get("append_mode").is_some_and(|v| v == "true");
    let merge = options.get("merge_mode").map(String::as_str);
    if append && matches!(merge, Some(m) if m != "last_row") {
        return Err(StatementError::new(
            "merge_mode cannot be set with append_mode = 'true'".to_string(),
        ));
    }
    Ok(())
}

/// A ttl as the server prints it: `forever`, `instant`, or a humantime duration.
pub fn canonical_ttl(value: &str) -> Option<String> {
    let trimmed = value.trim();
    if trimmed.eq_ignore_ascii_case("forever") || trimmed.is_empty() {
        return Some("forever".to_string());
    }
    if trimmed.eq_ignore_ascii_case("instant") {
        return Some("instant".to_string());
    }
    let nanos = parse_duration(trimmed)?;
    if nanos == 0 {
        return Some("forever".to_string());
    }
    Some(format_duration(nanos))
}

const NANOS_PER_SECOND: u128 = 1_000_000_000;
const SECONDS_PER_MONTH: u128 = 2_630_016;
const SECONDS_PER_YEAR: u128 = 31_557_600;

/// Parses a humantime duration (`7d`, `1 day`, `2h 30m`, `1year`) into nanoseconds.
pub fn parse_duration(text: &str) -> Option<u128> {
    let mut total: u128 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let number: u128 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = rest[unit_len..].trim_start();
        let nanos_per_unit: u128 = match unit {
            "nanos" | "nsec" | "ns" => 1,
            "usec" | "us" => 1_000,
            "millis" | "msec" | "ms" => 1_000_000,
            "seconds" | "second" | "secs" | "sec" | "s" => NANOS_PER_SECOND,
            "minutes" | "minute" | "min" | "mins" | "m" => 60 * NANOS_PER_SECOND,
            "hours" | "hour" | "hr" | "hrs" | "h" => 3_600 * NANOS_PER_SECOND,
            "days" | "day" | "d" => 86_400 * NANOS_PER_SECOND,
            "weeks" | "week" | "w" => 604_800 * NANOS_PER_SECOND,
            "months" | "month" | "M" => SECONDS_PER_MONTH * NANOS_PER_SECOND,
            "years" | "year" | "y" => SECONDS_PER_YEAR * NANOS_PER_SECOND,
            _ => return None,
        };
        total = total.checked_add(number.checked_mul(nanos_per_unit)?)?;
    }
    Some(total)
}

/// Prints a duration as humantime does: `7days`, `1day`, `6h`, `2months 29days 2h 52m 48s`.
pub fn format_duration(nanos: u128) -> String {
    let mut seconds = nanos / NANOS_PER_SECOND;
    let sub = nanos % NANOS_PER_SECOND;
    let mut parts = Vec::new();
    let mut take = |amount: u128, singular: &str, plural: &str, seconds: &mut u128| {
        let count = *seconds / amount;
        *seconds %= amount;
        if count > 0 {
            parts.push(format!(
                "{count}{}",
                if count == 1 { singular } else { plural }
            ));
        }
    };
    take(SECONDS_PER_YEAR, "year", "years", &mut seconds);
    take(SECONDS_PER_MONTH, "month", "months", &mut seconds);
    take(86_400, "day", "days", &mut seconds);
    take(3_600, "h", "h", &mut seconds);
    take(60, "m", "m", &mut seconds);
    take(1, "s", "s", &mut seconds);
    let mut sub_seconds = sub;
    take(1_000_000, "ms", "ms", &mut sub_seconds);
    take(1_000, "us", "us", &mut sub_seconds);
    take(1, "ns", "ns", &mut sub_seconds);
    if parts.is_empty() {
        "0s".to_string()
    } else {
        parts.join(" ")
    }
}

/// A byte size as the server prints it (`1KiB` → `1.0KiB`, `512` → `512B`).
pub fn canonical_size(value: &str) -> Option<String> {
    let text = value.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let number: f64 = text[..split].parse().ok()?;
    let unit = text[split..].trim().to_ascii_lowercase();
    let factor: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024f64.powi(4),
        "p" | "pb" | "pib" => 1024f64.powi(5),
        _ => return None,
    };
    let bytes = number * factor;
    for (scale, name) in [(5, "PiB"), (4, "TiB"), (3, "GiB"), (2, "MiB"), (1, "KiB")] {
        let unit_bytes = 1024f64.powi(scale);
        if bytes >= unit_bytes {
            return Some(format!("{:.1}{name}", bytes / unit_bytes));
        }
    }
    Some(format!("{bytes}B"))
}

/// Which index clause an option list belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    Fulltext,
    Skipping,
    Vector,
}

/// Validates an index clause's options and expands them to the server's defaults.
pub fn index_options(
    kind: IndexKind,
    raw: Vec<(String, String)>,
) -> Result<BTreeMap<String, String>, StatementError> {
    let (allowed, defaults): (&[&str], &[(&str, &str)]) = match kind {
        IndexKind::Fulltext => (
            &[
                "analyzer",
                "case_sensitive",
                "backend",
                "granularity",
                "false_positive_rate",
            ],
            &[
                ("analyzer", "English"),
                ("case_sensitive", "false"),
                ("backend", "bloom"),
                ("granularity", "10240"),
                ("false_positive_rate", "0.01"),
            ],
        ),
        IndexKind::Skipping => (
            &["granularity", "false_positive_rate", "type"],
            &[
                ("granularity", "10240"),
                ("false_positive_rate", "0.01"),
                ("type", "BLOOM"),
            ],
        ),
        IndexKind::Vector => (
            &[
                "engine",
                "metric",
                "connectivity",
                "expansion_add",
                "expansion_search",
            ],
            &[],
        ),
    };
    let mut options = BTreeMap::new();
    for (key, value) in raw {
        let key = key.to_ascii_lowercase();
        if !allowed.contains(&key.as_str()) {
            return Err(StatementError::new(format!(
                "unknown index option {key:?} (expected one of {})",
                allowed.join(", ")
            )));
        }
        let value = index_option_value(&key, &value)?;
        options.insert(key, value);
    }
    for (key, value) in defaults {
        options
            .entry(key.to_string())
            .or_insert_with(|| value.to_string());
    }
    if kind == IndexKind::Fulltext && options.get("backend").is_some_and(|b| b == "tantivy") {
        options.remove("granularity");
        options.remove("false_positive_rate");
    }
    Ok(options)
}

fn index_option_value(key: &str, value: &str) -> Result<String, StatementError> {
    let invalid = |why: &str| StatementError::new(format!("invalid {key} {value:?}: {why}"));
    let lower = value.to_ascii_lowercase();
    Ok(match key {
        "analyzer" => match lower.as_str() {
            "english" => "English".to_string(),
            "chinese" => "Chinese".to_string(),
            _ => return Err(invalid("expected English or Chinese")),
        },
        "case_sensitive" if lower == "true" || lower == "false" => lower,
        "case_sensitive" => return Err(invalid("expected true or false")),
        "backend" if lower == "bloom" || lower == "tantivy" => lower,
        "backend" => return Err(invalid("expected bloom or tantivy")),
        "type" if lower == "bloom" => "BLOOM".to_string(),
        "type" => return Err(invalid("expected BLOOM")),
        "granularity" => match value.parse::<u64>() {
            Ok(n) if n > 0 => n.to_string(),
            _ => return Err(invalid("expected a positive integer")),
        },
        "false_positive_rate" => match value.parse::<f64>() {
            Ok(rate) if rate > 0.0 && rate <= 1.0 => value.to_string(),
            _ => return Err(invalid("expected a rate above 0 and at most 1")),
        },
        _ => value.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_compares_by_duration() {
        assert_eq!(canonical_ttl("7d").unwrap(), "7days");
        assert_eq!(canonical_ttl("7days").unwrap(), "7days");
        assert_eq!(canonical_ttl("1 day").unwrap(), "1day");
        assert_eq!(canonical_ttl("6 hours").unwrap(), "6h");
        assert_eq!(canonical_ttl("0s").unwrap(), "forever");
        assert_eq!(canonical_ttl("instant").unwrap(), "instant");
        assert_eq!(canonical_ttl("90d").unwrap(), "2months 29days 2h 52m 48s");
        assert!(canonical_ttl("soon").is_none());
    }

    #[test]
    fn sizes_print_like_the_server() {
        assert_eq!(canonical_size("1KiB").unwrap(), "1.0KiB");
        assert_eq!(canonical_size("64MB").unwrap(), "64.0MiB");
    }

    #[test]
    fn index_options_expand_to_defaults() {
        let skipping = index_options(IndexKind::Skipping, vec![]).unwrap();
        assert_eq!(skipping["granularity"], "10240");
        assert_eq!(skipping["type"], "BLOOM");
        let tantivy = index_options(
            IndexKind::Fulltext,
            vec![("backend".into(), "tantivy".into())],
        )
        .unwrap();
        assert!(!tantivy.contains_key("granularity"));
        assert_eq!(tantivy["analyzer"], "English");
        assert!(
            index_options(IndexKind::Fulltext, vec![("backend".into(), "xor".into())]).is_err()
        );
    }

    #[test]
    fn unknown_table_options_are_refused() {
        assert!(table_options(vec![("nope".into(), "1".into())]).is_err());
        let options = table_options(vec![("TTL".into(), "7d".into())]).unwrap();
        assert_eq!(options["ttl"], "7days");
    }
}
