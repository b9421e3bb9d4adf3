//! `bfm-schema-gen --tables N --seed S --out DIR [--schemas K]`: writes a realistic PostgreSQL
//! schema of N tables for benchmarks, the same for the same arguments.
//!
//! The tables are spread over K schemas (default 4) and carry what real schemas carry: bigint
//! identity or uuid keys, foreign keys to earlier tables of the same schema (with an index
//! each), text/varchar/numeric/timestamptz/jsonb/boolean/array and enum columns, defaults,
//! NOT NULL, checks, unique constraints, partial indexes, GIN indexes on jsonb, comments, and a
//! view for about every 50 tables. Foreign keys only point backwards, so the file order is a
//! valid creation order.
//!
//! Two forms are written from the same statements:
//! - `DIR/create.sql`, one plain script for `psql -f` (it creates the schemas too);
//! - a bfm project: `DIR/bfm.yaml` with one PostgreSQL connection per schema (host and database
//!   come from the `{CONN}_DB_*` variables) and `DIR/schema/<schema>/` with `types.sql`, one file
//!   per table and `views.sql`.
//!
//! Connections own one schema each, so foreign keys, enums and views stay inside their schema.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: bfm-schema-gen --tables N --seed S --out DIR [--schemas K]";

/// Schema names, in the order they are used.
const SCHEMAS: &[&str] = &[
    "sales",
    "billing",
    "inventory",
    "support",
    "identity",
    "analytics",
    "logistics",
    "catalog",
];

/// What table names are made of: an entity, optionally after a qualifier.
const ENTITIES: &[&str] = &[
    "accounts",
    "addresses",
    "agreements",
    "allocations",
    "approvals",
    "assets",
    "batches",
    "bookings",
    "budgets",
    "campaigns",
    "carriers",
    "channels",
    "claims",
    "contacts",
    "contracts",
    "coupons",
    "credits",
    "customers",
    "deliveries",
    "devices",
    "discounts",
    "documents",
    "entries",
    "events",
    "exports",
    "fees",
    "invoices",
    "items",
    "jobs",
    "leads",
    "ledgers",
    "licenses",
    "locations",
    "messages",
    "notes",
    "offers",
    "orders",
    "packages",
    "partners",
    "payments",
    "payouts",
    "policies",
    "prices",
    "products",
    "quotes",
    "rates",
    "receipts",
    "refunds",
    "reports",
    "requests",
    "reviews",
    "routes",
    "schedules",
    "segments",
    "shipments",
    "suppliers",
    "tasks",
    "tickets",
    "transfers",
    "vendors",
];

const QUALIFIERS: &[&str] = &[
    "archived",
    "billing",
    "customer",
    "daily",
    "draft",
    "external",
    "internal",
    "monthly",
    "partner",
    "pending",
    "primary",
    "recurring",
    "regional",
    "retail",
    "scheduled",
    "shared",
    "supplier",
    "tax",
    "team",
    "trial",
    "vendor",
    "warehouse",
    "wholesale",
    "yearly",
];

/// Enum types every schema defines, with their values; the first value is the usual default.
const ENUMS: &[(&str, &[&str])] = &[
    (
        "record_status",
        &["active", "suspended", "archived", "deleted"],
    ),
    ("priority_level", &["low", "normal", "high", "urgent"]),
    (
        "payment_method",
        &["card", "bank_transfer", "invoice", "wallet", "cash"],
    ),
    ("visibility", &["private", "team", "organization", "public"]),
    (
        "approval_state",
        &["draft", "submitted", "approved", "rejected"],
    ),
];

/// A view is added after every this many tables (of all schemas).
const TABLES_PER_VIEW: usize = 50;

/// SplitMix64: small, fast and the same on every platform, so a seed always gives one schema.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Options {
    tables: usize,
    seed: u64,
    out: PathBuf,
    schemas: usize,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut tables = None;
    let mut seed = None;
    let mut out = None;
    let mut schemas = 4;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--tables" => tables = Some(number()? as usize),
            "--seed" => seed = Some(number()?),
            "--out" => out = Some(PathBuf::from(value)),
            "--schemas" => schemas = number()? as usize,
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    if !(1..=SCHEMAS.len()).contains(&schemas) {
        return Err(format!("--schemas must be 1 to {}", SCHEMAS.len()));
    }
    match (tables, seed, out) {
        (Some(tables), Some(seed), Some(out)) if tables > 0 => Ok(Options {
            tables,
            seed,
            out,
            schemas,
        }),
        _ => Err(USAGE.to_string()),
    }
}

/// A table already generated, as later tables and views need to know it.
struct TableInfo {
    name: String,
    /// `bigint` or `uuid`.
    id_type: &'static str,
    /// Its foreign keys: (column, referenced table).
    references: Vec<(String, String)>,
}

/// One generated file: where it goes under `schema/<schema>/` and its SQL.
struct SchemaFile {
    schema: &'static str,
    file: String,
    sql: String,
}

/// The whole generated schema, in creation order.
struct Generated {
    schemas: Vec<&'static str>,
    files: Vec<SchemaFile>,
}

/// `count` distinct table names, shuffled by the seed; a numeric suffix once the words run out.
fn table_names(rng: &mut Rng, count: usize) -> Vec<String> {
    let mut words: Vec<String> = ENTITIES.iter().map(|e| e.to_string()).collect();
    for qualifier in QUALIFIERS {
        for entity in ENTITIES {
            words.push(format!("{qualifier}_{entity}"));
        }
    }
    rng.shuffle(&mut words);
    (0..count)
        .map(|i| {
            let word = &words[i % words.len()];
            match i / words.len() {
                0 => word.clone(),
                round => format!("{word}_{}", round + 1),
            }
        })
        .collect()
}

fn generate(options: &Options) -> Generated {
    let mut rng = Rng(options.seed);
    let schemas: Vec<&'static str> = SCHEMAS[..options.schemas].to_vec();
    let names = table_names(&mut rng, options.tables);
    let mut files: Vec<SchemaFile> = schemas
        .iter()
        .map(|schema| SchemaFile {
            schema,
            file: "types.sql".to_string(),
            sql: enum_types(schema),
        })
        .collect();
    let mut tables: Vec<Vec<TableInfo>> = schemas.iter().map(|_| Vec::new()).collect();
    let mut views: Vec<String> = schemas.iter().map(|_| String::new()).collect();
    for (i, name) in names.into_iter().enumerate() {
        let slot = i % schemas.len();
        let schema = schemas[slot];
        let (sql, info) = table(&mut rng, schema, name, &tables[slot]);
        files.push(SchemaFile {
            schema,
            file: format!("{}.sql", info.name),
            sql,
        });
        if (i + 1) % TABLES_PER_VIEW == 0 {
            views[slot].push_str(&view(schema, &info));
        }
        tables[slot].push(info);
    }
    for (schema, sql) in schemas.iter().zip(views) {
        if !sql.is_empty() {
            files.push(SchemaFile {
                schema,
                file: "views.sql".to_string(),
                sql,
            });
        }
    }
    Generated { schemas, files }
}

fn enum_types(schema: &str) -> String {
    let mut sql = String::new();
    for (name, values) in ENUMS {
        let values: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
        let _ = writeln!(
            sql,
            "CREATE TYPE {schema}.{name} AS ENUM ({});\n",
            values.join(", ")
        );
    }
    sql
}

/// A column beyond the key and the foreign keys.
struct Column {
    name: &'static str,
    sql_type: String,
    not_null: bool,
    default: Option<String>,
    check: Option<String>,
    comment: Option<&'static str>,
}

impl Column {
    fn new(name: &'static str, sql_type: &str) -> Column {
        Column {
            name,
            sql_type: sql_type.to_string(),
            not_null: false,
            default: None,
            check: None,
            comment: None,
        }
    }

    fn not_null(mut self) -> Column {
        self.not_null = true;
        self
    }

    fn default(mut self, expression: &str) -> Column {
        self.default = Some(expression.to_string());
        self
    }

    fn check(mut self, expression: &str) -> Column {
        self.check = Some(expression.to_string());
        self
    }

    fn comment(mut self, text: &'static str) -> Column {
        self.comment = Some(text);
        self
    }
}

/// The optional columns a table picks from; `name` and `created_at` are always there.
fn optional_columns(rng: &mut Rng, schema: &str) -> Vec<Column> {
    let enum_type = |rng: &mut Rng| {
        let (name, values) = ENUMS[rng.below(ENUMS.len())];
        (format!("{schema}.{name}"), values[0])
    };
    let (status_type, status_default) = enum_type(rng);
    let mut columns = vec![
        Column::new("code", "varchar(32)")
            .not_null()
            .comment("Short code shown to users, unique"),
        Column::new("status", &status_type)
            .not_null()
            .default(&format!("'{status_default}'")),
        Column::new("amount", "numeric(12,2)")
            .not_null()
            .default("0")
            .check("amount >= 0"),
        Column::new("quantity", "integer")
            .not_null()
            .default("1")
            .check("quantity > 0"),
        Column::new("is_active", "boolean")
            .not_null()
            .default("true"),
        Column::new("metadata", "jsonb")
            .not_null()
            .default("'{}'")
            .comment("Free-form attributes from integrations"),
        Column::new("description", "text"),
        Column::new("email", "varchar(255)").check("email LIKE '%@%'"),
        Column::new("priority", "smallint").check("priority BETWEEN 0 AND 9"),
        Column::new("score", "double precision"),
        Column::new("tags", "text[]")
            .not_null()
            .default("'{}'")
            .comment("Labels for search"),
        Column::new("external_ref", "uuid"),
        Column::new("starts_on", "date"),
        Column::new("currency", "char(3)")
            .not_null()
            .default("'EUR'"),
        Column::new("updated_at", "timestamptz")
            .not_null()
            .default("now()"),
        Column::new("deleted_at", "timestamptz").comment("Soft delete: NULL while the row is live"),
    ];
    if rng.chance(40) {
        let (kind_type, kind_default) = enum_type(rng);
        columns.push(
            Column::new("kind", &kind_type)
                .not_null()
                .default(&format!("'{kind_default}'")),
        );
    }
    rng.shuffle(&mut columns);
    columns.truncate(4 + rng.below(9));
    columns.sort_by_key(|c| c.name);
    columns
}

const ON_DELETE: &[&str] = &["CASCADE", "SET NULL", "RESTRICT", "NO ACTION"];

fn table(rng: &mut Rng, schema: &str, name: String, earlier: &[TableInfo]) -> (String, TableInfo) {
    let qualified = format!("{schema}.{name}");
    let id_type = if rng.chance(70) { "bigint" } else { "uuid" };
    let mut lines = vec![match id_type {
        "bigint" => "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY".to_string(),
        _ => "id uuid PRIMARY KEY DEFAULT gen_random_uuid()".to_string(),
    }];
    let mut constraints = Vec::new();
    let mut after = String::new();
    let mut references = Vec::new();
    for parent in pick_parents(rng, earlier) {
        let column = format!("{}_id", parent.name);
        let action = ON_DELETE[rng.below(ON_DELETE.len())];
        let not_null = action != "SET NULL" && rng.chance(70);
        lines.push(format!(
            "{column} {}{}",
            parent.id_type,
            if not_null { " NOT NULL" } else { "" }
        ));
        constraints.push(format!(
            "CONSTRAINT {name}_{column}_fkey FOREIGN KEY ({column}) REFERENCES {schema}.{} (id) \
             ON DELETE {action}",
            parent.name
        ));
        let _ = writeln!(
            after,
            "CREATE INDEX {name}_{column}_idx ON {qualified} ({column});"
        );
        references.push((column, parent.name.clone()));
    }
    lines.push("name text NOT NULL".to_string());
    let columns = optional_columns(rng, schema);
    for column in &columns {
        lines.push(column_sql(column));
    }
    lines.push("created_at timestamptz NOT NULL DEFAULT now()".to_string());
    lines.append(&mut constraints);
    for column in columns.iter().filter(|c| c.check.is_some()) {
        lines.push(format!(
            "CONSTRAINT {name}_{}_check CHECK ({})",
            column.name,
            column.check.as_deref().unwrap_or_default()
        ));
    }
    let has = |wanted: &str| columns.iter().any(|c| c.name == wanted);
    if has("code") {
        lines.push(format!("CONSTRAINT {name}_code_key UNIQUE (code)"));
    }
    if let Some((parent_column, _)) = references.first()
        && rng.chance(30)
    {
        lines.push(format!(
            "CONSTRAINT {name}_{parent_column}_name_key UNIQUE ({parent_column}, name)"
        ));
    }
    after.push_str(&indexes(&name, &qualified, &has));
    let mut sql = format!(
        "CREATE TABLE {qualified} (\n    {}\n);\n\n",
        lines.join(",\n    ")
    );
    sql.push_str(&after);
    let _ = writeln!(
        sql,
        "\nCOMMENT ON TABLE {qualified} IS '{} of the {schema} domain';",
        name.replace('_', " ")
    );
    for column in &columns {
        if let Some(text) = column.comment {
            let _ = writeln!(
                sql,
                "COMMENT ON COLUMN {qualified}.{} IS '{text}';",
                column.name
            );
        }
    }
    sql.push('\n');
    let info = TableInfo {
        name,
        id_type,
        references,
    };
    (sql, info)
}

/// Up to three distinct earlier tables to reference, newer ones more often (as real schemas
/// mostly point at their neighbours).
fn pick_parents<'a>(rng: &mut Rng, earlier: &'a [TableInfo]) -> Vec<&'a TableInfo> {
    if earlier.is_empty() {
        return Vec::new();
    }
    let wanted = [0, 1, 1, 2, 2, 3][rng.below(6)];
    let window = earlier.len().min(40);
    let mut parents: Vec<&TableInfo> = Vec::new();
    for _ in 0..wanted {
        let candidate = if rng.chance(70) {
            &earlier[earlier.len() - 1 - rng.below(window)]
        } else {
            &earlier[rng.below(earlier.len())]
        };
        if !parents.iter().any(|p| p.name == candidate.name) {
            parents.push(candidate);
        }
    }
    parents
}

fn column_sql(column: &Column) -> String {
    let mut sql = format!("{} {}", column.name, column.sql_type);
    if column.not_null {
        sql.push_str(" NOT NULL");
    }
    if let Some(default) = &column.default {
        sql.push_str(" DEFAULT ");
        sql.push_str(default);
    }
    sql
}

/// The secondary indexes a table's columns call for: GIN on jsonb, partial indexes on live
/// rows, a unique e-mail among live rows.
fn indexes(name: &str, qualified: &str, has: &dyn Fn(&str) -> bool) -> String {
    let mut sql = String::new();
    if has("metadata") {
        let _ = writeln!(
            sql,
            "CREATE INDEX {name}_metadata_idx ON {qualified} USING gin (metadata);"
        );
    }
    let live = if has("deleted_at") {
        Some("deleted_at IS NULL")
    } else if has("is_active") {
        Some("is_active")
    } else {
        None
    };
    if let Some(predicate) = live {
        let _ = writeln!(
            sql,
            "CREATE INDEX {name}_created_at_idx ON {qualified} (created_at) WHERE {predicate};"
        );
        if has("email") {
            let _ = writeln!(
                sql,
                "CREATE UNIQUE INDEX {name}_email_key ON {qualified} (email) WHERE {predicate};"
            );
        }
    }
    if has("status") {
        let _ = writeln!(
            sql,
            "CREATE INDEX {name}_status_created_at_idx ON {qualified} (status, created_at DESC);"
        );
    }
    sql
}

/// A reporting view over a table: joined with its first parent when it has one.
fn view(schema: &str, table: &TableInfo) -> String {
    let name = &table.name;
    match table.references.first() {
        Some((column, parent)) => format!(
            "CREATE VIEW {schema}.{name}_overview AS\n    SELECT t.id, t.name, t.created_at, \
             p.name AS {parent}_name\n    FROM {schema}.{name} t\n    JOIN {schema}.{parent} p \
             ON p.id = t.{column};\n\nCOMMENT ON VIEW {schema}.{name}_overview IS \
             '{name} with their {parent}';\n\n"
        ),
        None => format!(
            "CREATE VIEW {schema}.{name}_recent AS\n    SELECT t.id, t.name, t.created_at\n    \
             FROM {schema}.{name} t\n    WHERE t.created_at > now() - interval '30 days';\n\n"
        ),
    }
}

fn bfm_yaml(schemas: &[&str]) -> String {
    let mut yaml = String::from(
        "# Generated by bfm-schema-gen for benchmarks. Host and database come from the\n\
         # {CONN}_DB_HOST, _PORT, _USERNAME and _NAME variables.\n\
         schema_dir: schema\ngenerated_dir: generated\n\nstate:\n  backend: sqlite\n  \
         path: .bfm/state.db\n\nconnections:\n",
    );
    for schema in schemas {
        let _ = writeln!(
            yaml,
            "  {schema}:\n    backend: postgresql\n    schema: {schema}"
        );
    }
    yaml
}

fn create_sql(generated: &Generated) -> String {
    let mut sql =
        String::from("-- Generated by bfm-schema-gen: load with psql -v ON_ERROR_STOP=1 -f\n\n");
    for schema in &generated.schemas {
        let _ = writeln!(sql, "CREATE SCHEMA {schema};");
    }
    sql.push('\n');
    for file in &generated.files {
        sql.push_str(&file.sql);
    }
    sql
}

fn write(generated: &Generated, out: &Path) -> std::io::Result<()> {
    for schema in &generated.schemas {
        std::fs::create_dir_all(out.join("schema").join(schema))?;
    }
    std::fs::write(out.join("bfm.yaml"), bfm_yaml(&generated.schemas))?;
    std::fs::write(out.join("create.sql"), create_sql(generated))?;
    for file in &generated.files {
        std::fs::write(
            out.join("schema").join(file.schema).join(&file.file),
            &file.sql,
        )?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("bfm-schema-gen: {message}");
            return ExitCode::from(2);
        }
    };
    let generated = generate(&options);
    if let Err(e) = write(&generated, &options.out) {
        eprintln!(
            "bfm-schema-gen: cannot write {}: {e}",
            options.out.display()
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(tables: usize, seed: u64) -> Options {
        Options {
            tables,
            seed,
            out: PathBuf::from("unused"),
            schemas: 4,
        }
    }

    fn tables_of(generated: &Generated) -> Vec<&SchemaFile> {
        generated
            .files
            .iter()
            .filter(|f| f.sql.starts_with("CREATE TABLE"))
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_schema_and_another_seed_another() {
        let first = create_sql(&generate(&options(120, 7)));
        assert_eq!(first, create_sql(&generate(&options(120, 7))));
        assert_ne!(first, create_sql(&generate(&options(120, 8))));
    }

    #[test]
    fn writes_the_requested_number_of_tables_with_unique_names() {
        let generated = generate(&options(2500, 1));
        let mut names: Vec<(&str, &str)> = tables_of(&generated)
            .iter()
            .map(|f| (f.schema, f.file.as_str()))
            .collect();
        assert_eq!(names.len(), 2500);
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 2500);
    }

    #[test]
    fn foreign_keys_only_reference_tables_created_before() {
        let sql = create_sql(&generate(&options(300, 3)));
        let mut created = Vec::new();
        for line in sql.lines() {
            if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                created.push(rest.trim_end_matches(" (").to_string());
            }
            if let Some((_, target)) = line.split_once(" REFERENCES ") {
                let table = target.split(' ').next().unwrap_or_default();
                let own = created.last().map(String::as_str);
                assert!(
                    created[..created.len() - 1].iter().any(|t| t == table),
                    "{own:?} references {table}, not created before"
                );
            }
        }
        assert!(sql.contains(" REFERENCES "));
    }

    #[test]
    fn identifiers_fit_postgresql_limit() {
        let sql = create_sql(&generate(&options(5000, 11)));
        for word in sql.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            assert!(word.len() <= 63, "identifier too long: {word}");
        }
    }

    #[test]
    fn has_views_enums_gin_and_partial_indexes_and_comments() {
        let generated = generate(&options(200, 5));
        let sql = create_sql(&generated);
        assert_eq!(sql.matches("CREATE VIEW ").count(), 4);
        assert_eq!(sql.matches("CREATE TYPE ").count(), 4 * ENUMS.len());
        assert!(sql.contains("USING gin (metadata)"));
        assert!(sql.contains(") WHERE "));
        assert!(sql.contains("COMMENT ON COLUMN "));
        assert!(generated.files.iter().any(|f| f.file == "views.sql"));
    }

    #[test]
    fn project_has_one_connection_per_schema() {
        let yaml = bfm_yaml(&["sales", "billing"]);
        assert!(yaml.contains("  sales:\n    backend: postgresql\n    schema: sales\n"));
        assert!(yaml.contains("  billing:\n    backend: postgresql\n    schema: billing\n"));
    }

    #[test]
    fn arguments_are_parsed_and_checked() {
        let args = |text: &str| -> Vec<String> { text.split(' ').map(String::from).collect() };
        assert_eq!(
            parse_args(&args("--tables 10 --seed 3 --out x --schemas 1")),
            Ok(Options {
                tables: 10,
                seed: 3,
                out: PathBuf::from("x"),
                schemas: 1
            })
        );
        assert!(parse_args(&args("--tables 10 --seed 3")).is_err());
        assert!(parse_args(&args("--tables ten --seed 3 --out x")).is_err());
        assert!(parse_args(&args("--tables 10 --seed 3 --out x --schemas 9")).is_err());
    }
}
