//! Migration file names and versions: `{schema}_{object}_{version}_{name}.sql` (+ `_down.sql`)
//! for generated pairs, `{version}_{name}.sql` for hand-written files, versions
//! `YYYYMMDDHHMMSS` in UTC.

use std::fmt;
use time::{Date, Duration, Month, PrimitiveDateTime, Time};

/// The suffix that marks the down half of a generated pair.
pub const DOWN_SUFFIX: &str = "_down";

/// A migration version: a UTC timestamp to the second, written `YYYYMMDDHHMMSS`. Versions order
/// migrations, so two files of one run never share one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(PrimitiveDateTime);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamingError {
    #[error("{0:?} is not a version: expected YYYYMMDDHHMMSS (14 digits, a valid UTC time)")]
    InvalidVersion(String),
    #[error("{0:?} is not a usable migration name: use letters, digits and underscores")]
    InvalidName(String),
}

impl Version {
    /// Reads `YYYYMMDDHHMMSS`.
    pub fn parse(text: &str) -> Result<Version, NamingError> {
        let invalid = || NamingError::InvalidVersion(text.to_string());
        if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let number = |range: std::ops::Range<usize>| -> Result<u32, NamingError> {
            text[range].parse::<u32>().map_err(|_| invalid())
        };
        let year = i32::try_from(number(0..4)?).map_err(|_| invalid())?;
        let month = u8::try_from(number(4..6)?)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .ok_or_else(invalid)?;
        let small = |range| number(range).and_then(|n| u8::try_from(n).map_err(|_| invalid()));
        let date = Date::from_calendar_date(year, month, small(6..8)?).map_err(|_| invalid())?;
        let time =
            Time::from_hms(small(8..10)?, small(10..12)?, small(12..14)?).map_err(|_| invalid())?;
        Ok(Version(PrimitiveDateTime::new(date, time)))
    }

    /// The current UTC second.
    pub fn now() -> Version {
        let now = time::OffsetDateTime::now_utc();
        let now = now.replace_nanosecond(0).unwrap_or(now);
        Version(PrimitiveDateTime::new(now.date(), now.time()))
    }

    /// The version one second later.
    pub fn next(self) -> Version {
        Version(self.0.saturating_add(Duration::SECOND))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (date, time) = (self.0.date(), self.0.time());
        write!(
            f,
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            date.year(),
            u8::from(date.month()),
            date.day(),
            time.hour(),
            time.minute(),
            time.second()
        )
    }
}

/// Hands out the versions of one run: each file one second after the previous, and every one
/// after the newest version already in the directory, so new files always sort last.
#[derive(Debug, Clone)]
pub struct VersionClock {
    next: Version,
}

impl VersionClock {
    /// Starts at `requested` (`--version` / `BFM_VERSION`) or else `now`.
    pub fn new(requested: Option<Version>, now: Version) -> VersionClock {
        VersionClock {
            next: requested.unwrap_or(now),
        }
    }

    /// Makes the next version later than `newest`, the newest one already in a directory.
    pub fn ensure_after(&mut self, newest: Option<Version>) {
        if let Some(newest) = newest
            && self.next <= newest
        {
            self.next = newest.next();
        }
    }

    /// The version for the next file.
    pub fn take(&mut self) -> Version {
        let version = self.next;
        self.next = version.next();
        version
    }
}

/// A migration name as it goes into a file name: lower case, `[a-z0-9_]`, other characters
/// turned into `_`, runs of `_` collapsed, no `_` at either end. Errors when nothing is left.
pub fn sanitize_name(raw: &str) -> Result<String, NamingError> {
    let name = sanitize_part(raw);
    if name.is_empty() {
        Err(NamingError::InvalidName(raw.to_string()))
    } else {
        Ok(name)
    }
}

fn sanitize_part(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// The id (file stem of the up file) of a generated migration: `{schema}_{object}_{version}_{name}`.
/// `schema` is the object's schema, or the connection's name for a per-environment connection;
/// an empty schema (an extension) is left out. `name` must already be sanitized.
pub fn generated_id(schema: &str, object: &str, version: Version, name: &str) -> String {
    let schema = sanitize_part(schema);
    let object = sanitize_part(object);
    let subject = match (schema.is_empty(), object.is_empty()) {
        (true, _) => object,
        (false, true) => schema,
        (false, false) => format!("{schema}_{object}"),
    };
    format!("{subject}_{version}_{name}")
}

/// The id of a hand-written migration: `{version}_{name}`.
pub fn hand_written_id(version: Version, name: &str) -> String {
    format!("{version}_{name}")
}

/// What a migration file name says about the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileName {
    /// The up half of a generated pair: `{subject}_{version}_{name}`.
    GeneratedUp {
        id: String,
        subject: String,
        version: Version,
        name: String,
    },
    /// The down half of a generated pair; `id` is the pair's id (without `_down`).
    GeneratedDown { id: String },
    /// `{version}_{name}` with `-- +migrate` sections.
    HandWritten {
        id: String,
        version: Version,
        name: String,
    },
}

/// Reads a migration file's stem (the name without `.sql`). `None` when the stem holds no
/// version.
pub fn parse_stem(stem: &str) -> Option<FileName> {
    if let Some((version, name)) = split_version_prefix(stem) {
        return Some(FileName::HandWritten {
            id: stem.to_string(),
            version,
            name: name.to_string(),
        });
    }
    if let Some(id) = stem.strip_suffix(DOWN_SUFFIX)
        && find_version(id).is_some()
    {
        return Some(FileName::GeneratedDown { id: id.to_string() });
    }
    let (start, version) = find_version(stem)?;
    Some(FileName::GeneratedUp {
        id: stem.to_string(),
        subject: stem[..start - 1].to_string(),
        version,
        name: stem[start + 15..].to_string(),
    })
}

/// `{version}_{name}` at the start of a stem.
fn split_version_prefix(stem: &str) -> Option<(Version, &str)> {
    let version = Version::parse(stem.get(..14)?).ok()?;
    let name = stem.get(14..)?.strip_prefix('_')?;
    (!name.is_empty()).then_some((version, name))
}

/// The first `_{14 digits}_` segment after a non-empty subject: its start and version.
fn find_version(stem: &str) -> Option<(usize, Version)> {
    let bytes = stem.as_bytes();
    (1..bytes.len()).find_map(|start| {
        if bytes[start - 1] != b'_' || bytes.get(start + 14) != Some(&b'_') {
            return None;
        }
        if start + 15 >= bytes.len() {
            return None;
        }
        let version = Version::parse(stem.get(start..start + 14)?).ok()?;
        Some((start, version))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn version_round_trips_through_its_text() {
        assert_eq!(v("20250101120000").to_string(), "20250101120000");
    }

    #[test]
    fn version_rejects_impossible_times() {
        for bad in [
            "2025010112000",
            "20251301120000",
            "20250230120000",
            "2025010112000x",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn next_version_carries_over_midnight_and_year_end() {
        assert_eq!(v("20241231235959").next().to_string(), "20250101000000");
    }

    #[test]
    fn clock_gives_each_file_one_second_more() {
        let mut clock = VersionClock::new(Some(v("20250101120000")), v("20990101000000"));
        assert_eq!(clock.take().to_string(), "20250101120000");
        assert_eq!(clock.take().to_string(), "20250101120001");
    }

    #[test]
    fn clock_bumps_past_the_newest_existing_version() {
        let mut clock = VersionClock::new(Some(v("20250101120000")), v("20250101120000"));
        clock.ensure_after(Some(v("20250101120005")));
        assert_eq!(clock.take().to_string(), "20250101120006");
        clock.ensure_after(Some(v("20250101120000")));
        assert_eq!(clock.take().to_string(), "20250101120007");
    }

    #[test]
    fn clock_keeps_a_version_already_newer_than_the_directory() {
        let mut clock = VersionClock::new(None, v("20250301000000"));
        clock.ensure_after(Some(v("20250101000000")));
        assert_eq!(clock.take().to_string(), "20250301000000");
    }

    #[test]
    fn names_are_sanitized_to_lower_case_words() {
        assert_eq!(
            sanitize_name("Add Billing-Plans!").unwrap(),
            "add_billing_plans"
        );
        assert_eq!(sanitize_name("__x__1").unwrap(), "x_1");
        assert!(sanitize_name("--").is_err());
    }

    #[test]
    fn generated_id_joins_schema_object_version_and_name() {
        let id = generated_id("core", "users", v("20250101120000"), "create_users");
        assert_eq!(id, "core_users_20250101120000_create_users");
        let extension = generated_id("", "pgcrypto", v("20250101120000"), "init");
        assert_eq!(extension, "pgcrypto_20250101120000_init");
    }

    #[test]
    fn stems_are_read_back_into_their_parts() {
        assert_eq!(
            parse_stem("core_user_roles_20250101120000_add_billing"),
            Some(FileName::GeneratedUp {
                id: "core_user_roles_20250101120000_add_billing".into(),
                subject: "core_user_roles".into(),
                version: v("20250101120000"),
                name: "add_billing".into(),
            })
        );
        assert_eq!(
            parse_stem("core_users_20250101120000_init_down"),
            Some(FileName::GeneratedDown {
                id: "core_users_20250101120000_init".into()
            })
        );
        assert_eq!(
            parse_stem("20250101120000_backfill_x"),
            Some(FileName::HandWritten {
                id: "20250101120000_backfill_x".into(),
                version: v("20250101120000"),
                name: "backfill_x".into(),
            })
        );
        assert_eq!(parse_stem("notes"), None);
        assert_eq!(parse_stem("core_users_2025_x"), None);
    }
}
