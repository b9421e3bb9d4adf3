//! GORM's default naming strategy: Go names to snake_case column names (with its list of
//! initialisms), table names pluralized by the inflection rules GORM uses, and the names it
//! gives indexes and constraints. Tag settings are split the way GORM splits them.

use std::collections::BTreeMap;

/// The initialisms GORM turns into one word before snake-casing, in its order: at each place
/// the first one in this list that matches wins (so `HTTPS` reads as `HTTP` + `S`).
const INITIALISMS: [&str; 33] = [
    "API", "ASCII", "CPU", "CSS", "DNS", "EOF", "GUID", "HTML", "HTTP", "HTTPS", "ID", "IP",
    "JSON", "LHS", "QPS", "RAM", "RHS", "RPC", "SLA", "SMTP", "SSH", "TLS", "TTL", "UID", "UI",
    "UUID", "URI", "URL", "UTF8", "VM", "XML", "XSRF", "XSS",
];

/// `UserID` → `user_id`, `HTTPURL` → `http_url`, `ABTest` → `ab_test`.
pub fn db_name(name: &str) -> String {
    if name.is_empty() {
        return String::new();
    }
    let value = replace_initialisms(name);
    let bytes = value.as_bytes();
    let upper = |b: u8| b.is_ascii_uppercase();
    let mut out = String::with_capacity(bytes.len() + 4);
    let mut last_upper = false;
    let mut current_upper = upper(bytes[0]);
    for i in 0..bytes.len() - 1 {
        let next_upper = upper(bytes[i + 1]);
        let next_digit = bytes[i + 1].is_ascii_digit();
        let b = bytes[i];
        if current_upper {
            if !(last_upper && (next_upper || next_digit))
                && i > 0
                && bytes[i - 1] != b'_'
                && bytes[i + 1] != b'_'
            {
                out.push('_');
            }
            out.push(b.to_ascii_lowercase() as char);
        } else {
            out.push(b as char);
        }
        last_upper = current_upper;
        current_upper = next_upper;
    }
    let last = bytes[bytes.len() - 1];
    if current_upper {
        if !last_upper && bytes.len() > 1 {
            out.push('_');
        }
        out.push(last.to_ascii_lowercase() as char);
    } else {
        out.push(last as char);
    }
    out
}

fn replace_initialisms(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    'outer: while !rest.is_empty() {
        for initialism in INITIALISMS {
            if let Some(after) = rest.strip_prefix(initialism) {
                out.push_str(&initialism[..1]);
                out.push_str(&initialism[1..].to_ascii_lowercase());
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The table name GORM gives a struct: its snake_case name, pluralized.
pub fn table_name(struct_name: &str) -> String {
    plural(&db_name(struct_name))
}

const UNCOUNTABLE: [&str; 10] = [
    "equipment",
    "information",
    "rice",
    "money",
    "species",
    "series",
    "fish",
    "sheep",
    "jeans",
    "police",
];

const IRREGULAR: [(&str, &str); 6] = [
    ("person", "people"),
    ("man", "men"),
    ("child", "children"),
    ("sex", "sexes"),
    ("move", "moves"),
    ("mombie", "mombies"),
];

/// English plural by the rules of the inflection package GORM uses: uncountable words, the
/// irregular ones (as a suffix: `salesperson` → `salespeople`), then the suffix rules, the most
/// specific first.
pub fn plural(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if UNCOUNTABLE.contains(&lower.as_str()) {
        return word.to_string();
    }
    for (singular, plural) in IRREGULAR {
        if let Some(stem) = word.strip_suffix(singular) {
            return format!("{stem}{plural}");
        }
    }
    let stem = |n: usize| &word[..word.len() - n];
    let ends = |suffix: &str| lower.ends_with(suffix);
    let is_vowel = |c: char| "aeiouy".contains(c);
    let before = |n: usize| lower[..lower.len() - n].chars().last();
    if ends("quiz") {
        return format!("{word}zes");
    }
    if lower == "oxen" {
        return word.to_string();
    }
    if lower == "ox" {
        return format!("{word}en");
    }
    if lower == "mice" || lower == "lice" {
        return word.to_string();
    }
    if lower == "mouse" || lower == "louse" {
        return format!("{}ice", stem(4));
    }
    for suffix in ["matrix", "vertex", "vertix", "index", "indix", "matrex"] {
        if ends(suffix) {
            return format!("{}ices", stem(2));
        }
    }
    if ends("x") || ends("ch") || ends("ss") || ends("sh") {
        return format!("{word}es");
    }
    if ends("y") && lower.len() >= 2 {
        let prior = before(1).unwrap_or('a');
        if !is_vowel(prior) || ends("quy") {
            return format!("{}ies", stem(1));
        }
    }
    if ends("hive") || ends("drive") {
        return format!("{word}s");
    }
    if ends("fe") && before(2).is_some_and(|c| c != 'f') {
        return format!("{}ves", stem(2));
    }
    if (ends("lf") || ends("rf")) && !ends("fe") {
        return format!("{}ves", stem(1));
    }
    if ends("sis") {
        return format!("{}ses", stem(3));
    }
    if ends("ta") || ends("ia") {
        return word.to_string();
    }
    if ends("tum") || ends("ium") {
        return format!("{}a", stem(2));
    }
    if ends("buffalo") || ends("tomato") {
        return format!("{word}es");
    }
    if ends("bus") {
        return format!("{word}es");
    }
    for suffix in ["alias", "status", "campus"] {
        if ends(suffix) {
            return format!("{word}es");
        }
    }
    if ends("octopi") || ends("viri") {
        return word.to_string();
    }
    if ends("octopus") || ends("virus") {
        return format!("{}i", stem(2));
    }
    if lower == "axis" || lower == "testis" {
        return format!("{}es", stem(2));
    }
    if ends("s") {
        return word.to_string();
    }
    if lower.ends_with(|c: char| c.is_ascii_lowercase()) {
        return format!("{word}s");
    }
    word.to_string()
}

/// The singular of a plural field name, for a self-referencing many2many's second key
/// (`Friends` → `Friend`): the common English endings only.
pub fn singular(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    for (singular, plural) in IRREGULAR {
        if let Some(stem) = lower.strip_suffix(plural) {
            return format!("{}{singular}", &word[..stem.len()]);
        }
    }
    if lower.ends_with("ies") && word.len() > 3 {
        return format!("{}y", &word[..word.len() - 3]);
    }
    for suffix in ["sses", "shes", "ches", "xes", "zes"] {
        if lower.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    if lower.ends_with('s') && !lower.ends_with("ss") && word.len() > 1 {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

/// GORM's `formatName`: `prefix_table_name` with dots turned into underscores.
pub fn object_name(prefix: &str, table: &str, name: &str) -> String {
    format!("{prefix}_{table}_{name}").replace('.', "_")
}

/// GORM's tag settings: `key:value` parts split on `separator` (a `\` escapes it), keys
/// upper-cased, a value that holds the separator's neighbours (`:`) kept whole. Keys keep their
/// first place so warnings can name them in order.
pub fn tag_settings(text: &str, separator: char) -> BTreeMap<String, String> {
    let mut settings = BTreeMap::new();
    for (key, value) in tag_settings_in_order(text, separator) {
        settings.insert(key, value);
    }
    settings
}

/// [`tag_settings`] as a list, in the order written.
pub fn tag_settings_in_order(text: &str, separator: char) -> Vec<(String, String)> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&separator) {
            current.push(separator);
            chars.next();
        } else if c == separator {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(|part| match part.split_once(':') {
            Some((key, value)) => (key.trim().to_ascii_uppercase(), value.to_string()),
            None => (part.trim().to_ascii_uppercase(), part.trim().to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_follow_gorms_snake_case_and_initialisms() {
        for (go, column) in [
            ("ID", "id"),
            ("UserID", "user_id"),
            ("CreatedAt", "created_at"),
            ("HTTPURL", "http_url"),
            ("APIKey", "api_key"),
            ("ABTest", "ab_test"),
            ("OAuth2Token", "o_auth2_token"),
            ("Name", "name"),
            ("already_snake", "already_snake"),
            ("UUID", "uuid"),
            ("IPAddress", "ip_address"),
        ] {
            assert_eq!(db_name(go), column, "{go}");
        }
    }

    #[test]
    fn table_names_are_plural_with_gorms_inflections() {
        for (go, table) in [
            ("User", "users"),
            ("UserProfile", "user_profiles"),
            ("Company", "companies"),
            ("Person", "people"),
            ("Child", "children"),
            ("Address", "addresses"),
            ("Status", "statuses"),
            ("Box", "boxes"),
            ("Match", "matches"),
            ("Category", "categories"),
            ("Day", "days"),
            ("Knife", "knives"),
            ("Wolf", "wolves"),
            ("Analysis", "analyses"),
            ("Medium", "media"),
            ("Index", "indices"),
            ("Equipment", "equipment"),
            ("Information", "information"),
            ("Salesperson", "salespeople"),
            ("Bus", "buses"),
            ("Quiz", "quizzes"),
            ("Mouse", "mice"),
            ("APIKey", "api_keys"),
            ("Series", "series"),
            ("News", "news"),
        ] {
            assert_eq!(table_name(go), table, "{go}");
        }
    }

    #[test]
    fn tag_settings_split_like_gorm() {
        let settings = tag_settings("column:x;type:varchar(20);not null;default:'a\\;b'", ';');
        assert_eq!(settings["COLUMN"], "x");
        assert_eq!(settings["TYPE"], "varchar(20)");
        assert_eq!(settings["NOT NULL"], "not null");
        assert_eq!(settings["DEFAULT"], "'a;b'");
        let index = tag_settings("idx_a,unique,where:deleted_at IS NULL", ',');
        assert_eq!(index["WHERE"], "deleted_at IS NULL");
        assert!(index.contains_key("UNIQUE"));
    }
}
