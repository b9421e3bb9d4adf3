//! `bfm import gorm`: GORM model structs (Go source) into a bfm [`Model`].
//!
//! The Go files are parsed with the tree-sitter Go grammar ([`go`]); the model follows what
//! GORM's `AutoMigrate` with its PostgreSQL driver creates, so that the imported schema and a
//! database AutoMigrate made compare equal:
//! - names: GORM's default naming strategy ([`naming`]): snake_case columns, plural snake_case
//!   tables, `idx_<table>_<column>` indexes, `uni_<table>_<column>` unique constraints,
//!   `chk_<table>_<column>` checks, `fk_<table>_<relation>` foreign keys;
//! - types: the PostgreSQL driver's `DataTypeOf`: `bool` → boolean, integers by bit size
//!   (smallint/integer/bigint, an unsigned type one bit wider), the auto-increment primary key
//!   as smallserial/serial/bigserial, floats → decimal (numeric(p,s) with `precision`/`scale`),
//!   strings → text or varchar(size), `time.Time` → timestamptz, `[]byte` → bytea, a `type:`
//!   tag taken as written;
//! - nullability: a column is NOT NULL only when tagged `not null`, a primary key or serial —
//!   pointers and non-pointers alike, as GORM does.
//!
//! What cannot be mapped becomes a [`Warning`] naming file:line, never a silent drop.

mod go;
mod naming;

pub use go::Place;

use crate::backend::postgres::Postgres;
use crate::backend::postgres::expr::{normalize_default, normalize_expression};
use crate::backend::{ConstraintKind, Dialect};
use crate::model::{
    Check, Column, ForeignKey, ForeignKeyAction, Index, IndexKey, Model, PrimaryKey, QualifiedName,
    Table, Unique,
};
use go::{GoField, GoPackage, GoStruct, GoType, tag_value};
use naming::{db_name, object_name, tag_settings, tag_settings_in_order};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Something in the Go source the importer could not carry into the model.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    pub place: Place,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// The result of an import: the model, its tables in the order found, and the warnings.
#[derive(Debug, Default)]
pub struct GormImport {
    pub model: Model,
    pub tables: Vec<QualifiedName>,
    pub warnings: Vec<Warning>,
}

/// Imports the GORM models of `files` (path and text, in the order given) into `schema`.
pub fn import(files: &[(PathBuf, String)], schema: &str) -> GormImport {
    let mut package = GoPackage::default();
    for (path, text) in files {
        go::read_file(&mut package, path, text);
    }
    let mut importer = Importer::new(&package, schema);
    for place in &package.syntax_errors {
        importer.warn(
            place,
            "Go syntax error: the declarations around it may be incomplete",
        );
    }
    importer.run();
    let mut warnings = importer.warnings;
    warnings.sort();
    warnings.dedup();
    GormImport {
        model: importer.model,
        tables: importer.order,
        warnings,
    }
}

/// A column-bearing field after embedding is resolved.
#[derive(Debug, Clone)]
struct Field {
    go_name: String,
    column: String,
    ty: GoType,
    settings: BTreeMap<String, String>,
    place: Place,
    /// The whole gorm tag, for index settings (read in their own order).
    gorm_tag: String,
}

impl Field {
    fn has(&self, key: &str) -> bool {
        self.settings.contains_key(key)
    }

    fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str)
    }

    fn is_primary(&self) -> bool {
        self.has("PRIMARYKEY") || self.has("PRIMARY_KEY")
    }
}

/// A model struct: its table and its fields (embedded ones inlined).
#[derive(Debug, Clone)]
struct ModelInfo {
    table: QualifiedName,
    fields: Vec<Field>,
    /// Fields that point at other models (relations), with their tag settings.
    relations: Vec<Field>,
    primary: Vec<String>,
    /// The auto-increment primary key column, when GORM makes one.
    serial: Option<String>,
}

/// What a Go type maps to, before sizes and tags.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Bool,
    Int(u32),
    Uint(u32),
    Float,
    String,
    Time,
    Bytes,
    /// A database type a known library type declares (`datatypes.JSON` → jsonb).
    Database(&'static str),
}

struct Importer<'p> {
    package: &'p GoPackage,
    schema: String,
    structs: BTreeMap<&'p str, &'p GoStruct>,
    models: BTreeMap<String, ModelInfo>,
    model: Model,
    order: Vec<QualifiedName>,
    warnings: Vec<Warning>,
    /// Foreign keys found, with whether each came from a belongs-to relation (GORM skips a
    /// belongs-to constraint the other side already declares).
    foreign_keys: Vec<(QualifiedName, ForeignKey, bool)>,
}

impl<'p> Importer<'p> {
    fn new(package: &'p GoPackage, schema: &str) -> Self {
        let mut structs = BTreeMap::new();
        let mut warnings = Vec::new();
        for item in &package.structs {
            if structs.insert(item.name.as_str(), item).is_some() {
                warnings.push(Warning {
                    place: item.place.clone(),
                    message: format!(
                        "struct {} is declared more than once: the last one is used",
                        item.name
                    ),
                });
            }
        }
        Importer {
            package,
            schema: schema.to_string(),
            structs,
            models: BTreeMap::new(),
            model: Model::default(),
            order: Vec::new(),
            warnings,
            foreign_keys: Vec::new(),
        }
    }

    fn warn(&mut self, place: &Place, message: impl Into<String>) {
        self.warnings.push(Warning {
            place: place.clone(),
            message: message.into(),
        });
    }

    fn run(&mut self) {
        let names = self.model_names();
        for name in &names {
            self.read_model(name);
        }
        for name in &names {
            self.build_table(name);
        }
        for name in &names {
            self.build_relations(name);
        }
        self.add_foreign_keys();
        for schema in self.model.schemas.values_mut() {
            for table in schema.tables.values_mut() {
                table.sort_constraints();
            }
        }
    }

    /// The struct a type names when it is one of ours (`T`, `*T`, `pkg.T` of a package in the
    /// directory).
    fn local_struct(&self, ty: &GoType) -> Option<&'p GoStruct> {
        match ty.pointee() {
            GoType::Named(name) => self.structs.get(name.as_str()).copied(),
            GoType::Qualified { package, name } if !is_library_package(package) => {
                self.structs.get(name.as_str()).copied()
            }
            _ => None,
        }
    }

    /// The structs that are models: those with gorm tags, an embedded `gorm.Model` or a
    /// `TableName()` method, and those another model's relations point at — less the structs
    /// only ever embedded into others (a `Base` with the common columns).
    fn model_names(&self) -> Vec<String> {
        let mut embedded_only = BTreeSet::new();
        for item in self.structs.values() {
            for field in &item.fields {
                let settings = gorm_settings(&field.tag);
                if (field.embedded || settings.contains_key("EMBEDDED"))
                    && let Some(target) = self.local_struct(&field.ty)
                {
                    embedded_only.insert(target.name.as_str());
                }
            }
        }
        let mut models: BTreeSet<&str> = BTreeSet::new();
        for item in self.structs.values() {
            let tagged = item.fields.iter().any(|f| {
                tag_value(&f.tag, "gorm").is_some()
                    || matches!(f.ty.pointee(), GoType::Qualified { package, name }
                        if package == "gorm" && name == "Model")
            });
            let named = self.package.table_names.contains_key(&item.name);
            if named || (tagged && !embedded_only.contains(item.name.as_str())) {
                models.insert(item.name.as_str());
            }
        }
        // Relation targets are models too, and theirs in turn.
        let mut queue: Vec<&str> = models.iter().copied().collect();
        while let Some(name) = queue.pop() {
            let Some(item) = self.structs.get(name) else {
                continue;
            };
            for field in &item.fields {
                let settings = gorm_settings(&field.tag);
                if field.embedded
                    || settings.contains_key("EMBEDDED")
                    || settings.contains_key("SERIALIZER")
                    || is_skipped(&settings)
                {
                    continue;
                }
                let target = match &field.ty.pointee() {
                    GoType::Slice(inner) => self.local_struct(inner),
                    other => self.local_struct(other),
                };
                if let Some(target) = target
                    && !embedded_only.contains(target.name.as_str())
                    && models.insert(target.name.as_str())
                {
                    queue.push(target.name.as_str());
                }
            }
        }
        // In source order, so tables and warnings come out in the order a reader meets them.
        let mut ordered: Vec<String> = Vec::new();
        for item in &self.package.structs {
            if models.contains(item.name.as_str()) && !ordered.contains(&item.name) {
                ordered.push(item.name.clone());
            }
        }
        ordered
    }

    fn table_name_of(&mut self, item: &GoStruct) -> QualifiedName {
        let default = naming::table_name(&item.name);
        let name = match self.package.table_names.get(&item.name) {
            Some(method) => match &method.value {
                Some(value) => value.clone(),
                None => {
                    let place = method.place.clone();
                    self.warn(
                        &place,
                        format!(
                            "TableName() of {} does not return a string literal or constant: \
                             using GORM's default name {default}",
                            item.name
                        ),
                    );
                    default
                }
            },
            None => default,
        };
        match name.split_once('.') {
            Some((schema, table)) => QualifiedName::new(schema, table),
            None => QualifiedName::new(self.schema.clone(), name),
        }
    }

    /// Reads a model's fields (inlining embedded structs) and its primary key.
    fn read_model(&mut self, name: &str) {
        let Some(item) = self.structs.get(name).copied() else {
            return;
        };
        let table = self.table_name_of(item);
        let mut fields = Vec::new();
        let mut relations = Vec::new();
        self.flatten(item, "", &mut fields, &mut relations, &mut Vec::new());
        let mut primary: Vec<String> = fields
            .iter()
            .filter(|f| f.is_primary())
            .map(|f| f.column.clone())
            .collect();
        if primary.is_empty() && fields.iter().any(|f| f.column == "id") {
            primary.push("id".into());
        }
        // GORM's prioritized primary field: `id` when it is a key, else the only key, else the
        // key tagged autoIncrement. An integer one becomes serial unless autoIncrement:false.
        let prioritized = if primary.iter().any(|c| c == "id") {
            Some("id".to_string())
        } else if primary.len() == 1 {
            primary.first().cloned()
        } else {
            fields
                .iter()
                .find(|f| primary.contains(&f.column) && auto_increment(f) == Some(true))
                .map(|f| f.column.clone())
        };
        let serial = prioritized.filter(|column| {
            fields.iter().any(|f| {
                &f.column == column
                    && auto_increment(f) != Some(false)
                    && matches!(self.kind_of(&f.ty), Some(Kind::Int(_) | Kind::Uint(_)))
                    && !f.has("TYPE")
            })
        });
        self.models.insert(
            name.to_string(),
            ModelInfo {
                table,
                fields,
                relations,
                primary,
                serial,
            },
        );
    }

    /// The column fields of `item`, embedded structs inlined with their prefix.
    fn flatten(
        &mut self,
        item: &'p GoStruct,
        prefix: &str,
        fields: &mut Vec<Field>,
        relations: &mut Vec<Field>,
        seen: &mut Vec<String>,
    ) {
        if seen.contains(&item.name) {
            self.warn(&item.place, format!("struct {} embeds itself", item.name));
            return;
        }
        seen.push(item.name.clone());
        for field in &item.fields {
            let gorm_tag = tag_value(&field.tag, "gorm").unwrap_or_default();
            let settings = tag_settings(&gorm_tag, ';');
            if is_skipped(&settings) {
                continue;
            }
            if !field.embedded && !is_exported(&field.name) {
                continue;
            }
            self.check_tags(field, &gorm_tag);
            if is_gorm_model(&field.ty) && field.embedded {
                fields.extend(gorm_model_fields(prefix, &field.place));
                continue;
            }
            let embedded = field.embedded || settings.contains_key("EMBEDDED");
            if embedded {
                match self.local_struct(&field.ty) {
                    Some(inner) => {
                        let inner_prefix = format!(
                            "{prefix}{}",
                            settings.get("EMBEDDEDPREFIX").cloned().unwrap_or_default()
                        );
                        self.flatten(inner, &inner_prefix, fields, relations, seen);
                    }
                    None => self.warn(
                        &field.place,
                        format!(
                            "embedded {} is not a struct declared in the imported files: its \
                             columns are not imported",
                            field.ty
                        ),
                    ),
                }
                continue;
            }
            let column = settings
                .get("COLUMN")
                .cloned()
                .unwrap_or_else(|| db_name(&field.name));
            let resolved = Field {
                go_name: field.name.clone(),
                column: format!("{prefix}{column}"),
                ty: field.ty.clone(),
                settings,
                place: field.place.clone(),
                gorm_tag,
            };
            let is_relation = !resolved.has("SERIALIZER")
                && match field.ty.pointee() {
                    GoType::Slice(inner) => self.local_struct(inner).is_some(),
                    other => self.local_struct(other).is_some() && !resolved.has("TYPE"),
                };
            if is_relation {
                relations.push(resolved);
            } else {
                fields.push(resolved);
            }
        }
        seen.pop();
    }

    /// Warns about tag keys that change the schema in ways bfm cannot follow, and unknown ones.
    fn check_tags(&mut self, field: &GoField, gorm_tag: &str) {
        for (key, value) in tag_settings_in_order(gorm_tag, ';') {
            let message = match key.as_str() {
                "COLUMN" | "TYPE" | "SIZE" | "PRECISION" | "SCALE" | "PRIMARYKEY"
                | "PRIMARY_KEY" | "UNIQUE" | "DEFAULT" | "NOT NULL" | "NOTNULL" | "NULL"
                | "AUTOINCREMENT" | "AUTO_INCREMENT" | "EMBEDDED" | "EMBEDDEDPREFIX"
                | "AUTOCREATETIME" | "AUTOUPDATETIME" | "INDEX" | "UNIQUEINDEX" | "CHECK"
                | "COMMENT" | "-" | "->" | "<-" | "FOREIGNKEY" | "REFERENCES" | "MANY2MANY"
                | "JOINFOREIGNKEY" | "JOINREFERENCES" | "CONSTRAINT" | "READONLY" => continue,
                "POLYMORPHIC" | "POLYMORPHICTYPE" | "POLYMORPHICID" | "POLYMORPHICVALUE" => {
                    format!(
                        "field {}: polymorphic associations are not imported (tag {key}:{value})",
                        field.name
                    )
                }
                "SERIALIZER" => {
                    if gorm_settings(&field.tag).contains_key("TYPE") {
                        continue;
                    }
                    format!(
                        "field {}: serializer:{value} stores a value whose column type depends \
                         on the serializer: add a `type:` tag (the column is not imported)",
                        field.name
                    )
                }
                "AUTOINCREMENTINCREMENT" => format!(
                    "field {}: autoIncrementIncrement:{value} is not imported (the sequence \
                     keeps an increment of 1)",
                    field.name
                ),
                _ => format!("field {}: unknown gorm tag {key:?} ignored", field.name),
            };
            self.warn(&field.place, message);
        }
    }

    /// What a Go type maps to, following named types declared in the files.
    fn kind_of(&self, ty: &GoType) -> Option<Kind> {
        self.kind_of_depth(ty, 0)
    }

    fn kind_of_depth(&self, ty: &GoType, depth: usize) -> Option<Kind> {
        if depth > 8 {
            return None;
        }
        match ty {
            GoType::Pointer(inner) => self.kind_of_depth(inner, depth + 1),
            GoType::Named(name) => builtin_kind(name).or_else(|| {
                self.package
                    .named_types
                    .get(name)
                    .and_then(|under| self.kind_of_depth(under, depth + 1))
            }),
            GoType::Qualified { package, name } => library_kind(package, name).or_else(|| {
                if is_library_package(package) {
                    None
                } else {
                    self.package
                        .named_types
                        .get(name)
                        .and_then(|under| self.kind_of_depth(under, depth + 1))
                }
            }),
            GoType::Slice(inner) => match inner.as_ref() {
                GoType::Named(name) if name == "byte" || name == "uint8" => Some(Kind::Bytes),
                _ => None,
            },
            GoType::Other(_) => None,
        }
    }

    /// The column of `field` in `table`, or a warning saying why there is none.
    fn column(&mut self, field: &Field, serial: bool) -> Option<Column> {
        let kind = match field.setting("TYPE") {
            Some(declared) => match declared.to_ascii_lowercase().as_str() {
                "bool" => Some(Kind::Bool),
                "int" => Some(Kind::Int(64)),
                "uint" => Some(Kind::Uint(64)),
                "float" => Some(Kind::Float),
                "string" => Some(Kind::String),
                "time" => Some(Kind::Time),
                "bytes" => Some(Kind::Bytes),
                _ => None,
            },
            None => self.kind_of(&field.ty),
        };
        let number = |key: &str| {
            field
                .setting(key)
                .and_then(|v| v.trim().parse::<u32>().ok())
        };
        let raw_type = match (&kind, field.setting("TYPE")) {
            (None, Some(declared)) => declared.trim().to_string(),
            (None, None) => {
                // A serializer field was warned about with its tag.
                if !field.has("SERIALIZER") {
                    let message = format!(
                        "field {} has type {}, which has no PostgreSQL type GORM knows: add a \
                         `type:` tag (the column is not imported)",
                        field.go_name, field.ty
                    );
                    self.warn(&field.place, message);
                }
                return None;
            }
            (Some(kind), _) => match kind {
                Kind::Bool => "boolean".into(),
                Kind::Int(bits) | Kind::Uint(bits) => {
                    let mut size = number("SIZE").unwrap_or(*bits);
                    if matches!(kind, Kind::Uint(_)) {
                        size += 1;
                    }
                    let auto = serial || auto_increment(field) == Some(true);
                    match (auto, size) {
                        (true, ..=16) => "smallserial".into(),
                        (true, ..=32) => "serial".into(),
                        (true, _) => "bigserial".into(),
                        (false, ..=16) => "smallint".into(),
                        (false, ..=32) => "integer".into(),
                        (false, _) => "bigint".into(),
                    }
                }
                Kind::Float => match (number("PRECISION"), number("SCALE")) {
                    (Some(p), Some(s)) if s > 0 => format!("numeric({p},{s})"),
                    (Some(p), _) if p > 0 => format!("numeric({p})"),
                    _ => "decimal".into(),
                },
                Kind::String => match number("SIZE") {
                    Some(size) if size > 0 => format!("varchar({size})"),
                    _ => "text".into(),
                },
                Kind::Time => match number("PRECISION") {
                    Some(p) if p > 0 => format!("timestamptz({p})"),
                    _ => "timestamptz".into(),
                },
                Kind::Bytes => "bytea".into(),
                Kind::Database(name) => (*name).into(),
            },
        };
        let data_type = match Postgres.normalize_type(&raw_type) {
            Ok(t) => t,
            Err(error) => {
                self.warn(
                    &field.place,
                    format!(
                        "field {}: type {raw_type:?} is not a PostgreSQL type ({}): the column \
                         is not imported",
                        field.go_name, error.message
                    ),
                );
                return None;
            }
        };
        let is_serial = data_type.ends_with("serial");
        let not_null = field.has("NOT NULL") || field.has("NOTNULL") || field.is_primary();
        let default = if is_serial {
            None
        } else {
            self.default_of(field, kind.as_ref(), &data_type)
        };
        if let Some(Kind::Int(_) | Kind::Uint(_)) = kind
            && auto_increment(field) == Some(true)
            && !is_serial
        {
            self.warn(
                &field.place,
                "autoIncrement with a `type:` tag is not imported",
            );
        }
        Some(Column {
            name: field.column.clone(),
            data_type,
            nullable: !(not_null || is_serial),
            default,
            comment: field
                .setting("COMMENT")
                .map(|c| c.trim_matches('\'').to_string()),
            ..Column::default()
        })
    }

    /// The column default as GORM writes it: a Go literal of a bool, number or string field
    /// quoted as SQL, anything with parentheses (a function call) or of another type as SQL.
    fn default_of(
        &mut self,
        field: &Field,
        kind: Option<&Kind>,
        data_type: &str,
    ) -> Option<String> {
        let raw = field.setting("DEFAULT")?.trim().to_string();
        if raw.is_empty() || raw == "(-)" || raw.eq_ignore_ascii_case("null") {
            return None;
        }
        let is_call = raw.contains('(') && raw.contains(')');
        let sql = match kind {
            Some(Kind::String) if !is_call => {
                let text = raw.trim_matches('\'').trim_matches('"');
                format!("'{}'", text.replace('\'', "''"))
            }
            Some(Kind::Bool) if !is_call => match raw.to_ascii_lowercase().as_str() {
                "true" | "1" | "t" => "true".into(),
                "false" | "0" | "f" => "false".into(),
                _ => raw.clone(),
            },
            _ => raw.clone(),
        };
        match normalize_expression(&sql) {
            Ok(_) => Some(normalize_default(&sql, data_type)),
            Err(error) => {
                self.warn(
                    &field.place,
                    format!(
                        "field {}: default {raw:?} is not an SQL expression ({}): not imported",
                        field.go_name, error.message
                    ),
                );
                None
            }
        }
    }

    /// The table of a model: columns, primary key, unique constraints, checks and indexes.
    fn build_table(&mut self, name: &str) {
        let Some(info) = self.models.get(name).cloned() else {
            return;
        };
        if self.model.table(&info.table).is_some() {
            let place = self.structs[name].place.clone();
            self.warn(
                &place,
                format!(
                    "table {} is declared by more than one struct: the first one is kept",
                    info.table
                ),
            );
            return;
        }
        let table_name = info.table.name.clone();
        let mut table = Table {
            name: table_name.clone(),
            ..Table::default()
        };
        let mut indexes: BTreeMap<String, IndexDraft> = BTreeMap::new();
        for field in &info.fields {
            if table.column(&field.column).is_some() {
                self.warn(
                    &field.place,
                    format!(
                        "column {} is declared twice: the first one is kept",
                        field.column
                    ),
                );
                continue;
            }
            let serial = info.serial.as_deref() == Some(field.column.as_str());
            let Some(column) = self.column(field, serial) else {
                continue;
            };
            table.columns.push(column);
            if field.has("UNIQUE") && !field.is_primary() {
                table.uniques.push(Unique {
                    name: object_name("uni", &table_name, &field.column),
                    columns: vec![field.column.clone()],
                    nulls_not_distinct: false,
                    deferrable: false,
                    initially_deferred: false,
                });
            }
            if let Some(check) = field.setting("CHECK") {
                self.add_check(&mut table, field, check);
            }
            self.collect_indexes(field, &table_name, &mut indexes);
        }
        let primary: Vec<String> = info
            .primary
            .iter()
            .filter(|c| table.column(c).is_some())
            .cloned()
            .collect();
        if !primary.is_empty() {
            for column in &mut table.columns {
                if primary.contains(&column.name) {
                    column.nullable = false;
                }
            }
            table.primary_key = Some(PrimaryKey {
                name: Postgres.default_name(&table_name, &primary, ConstraintKind::PrimaryKey),
                columns: primary,
            });
        }
        for (name, draft) in indexes {
            if let Some(index) = self.index(&table, name, draft) {
                table.indexes.push(index);
            }
        }
        self.order.push(info.table.clone());
        self.model
            .schema_mut(&info.table.schema)
            .tables
            .insert(table_name, table);
    }

    fn add_check(&mut self, table: &mut Table, field: &Field, text: &str) {
        let parts: Vec<&str> = text.split(',').collect();
        let (name, expression) = if parts.len() > 1 && is_constraint_name(parts[0]) {
            (parts[0].to_string(), parts[1..].join(","))
        } else {
            let expression = if parts[0].is_empty() {
                parts[1..].join(",")
            } else {
                text.to_string()
            };
            (object_name("chk", &table.name, &field.column), expression)
        };
        match normalize_expression(&expression) {
            Ok(expression) => table.checks.push(Check {
                name,
                expression,
                no_inherit: false,
            }),
            Err(error) => self.warn(
                &field.place,
                format!(
                    "field {}: check {expression:?} is not an SQL expression ({}): not imported",
                    field.go_name, error.message
                ),
            ),
        }
    }

    /// The `index` / `uniqueIndex` settings of a field, gathered by index name.
    fn collect_indexes(
        &mut self,
        field: &Field,
        table: &str,
        indexes: &mut BTreeMap<String, IndexDraft>,
    ) {
        for part in field.gorm_tag.split(';') {
            let (key, value) = part.split_once(':').unwrap_or((part, ""));
            let key = key.trim().to_ascii_uppercase();
            if key != "INDEX" && key != "UNIQUEINDEX" {
                continue;
            }
            let (name, rest) = value.split_once(',').unwrap_or((value, ""));
            let settings = tag_settings(rest, ',');
            let name = if name.trim().is_empty() {
                let sub = settings
                    .get("COMPOSITE")
                    .cloned()
                    .unwrap_or_else(|| field.go_name.clone());
                object_name("idx", table, &db_name(&sub))
            } else {
                name.trim().to_string()
            };
            let unique = key == "UNIQUEINDEX" || settings.contains_key("UNIQUE");
            let draft = indexes.entry(name).or_default();
            draft.place.get_or_insert_with(|| field.place.clone());
            draft.unique |= unique;
            if let Some(class) = settings.get("CLASS") {
                if class.eq_ignore_ascii_case("unique") {
                    draft.unique = true;
                } else {
                    self.warn(
                        &field.place,
                        format!("index class {class} is MySQL's: imported as a plain index"),
                    );
                }
            }
            for key in ["TYPE", "USING"] {
                if let Some(method) = settings.get(key) {
                    draft.method = Some(method.trim().to_ascii_lowercase());
                }
            }
            if let Some(predicate) = settings.get("WHERE") {
                draft.predicate = Some(predicate.clone());
            }
            if settings.contains_key("LENGTH") {
                self.warn(
                    &field.place,
                    "index length is MySQL's prefix length: PostgreSQL indexes the whole column",
                );
            }
            let priority = settings
                .get("PRIORITY")
                .and_then(|p| p.trim().parse::<i64>().ok())
                .unwrap_or(10);
            draft.keys.push(KeyDraft {
                priority,
                column: field.column.clone(),
                expression: settings.get("EXPRESSION").cloned(),
                descending: settings
                    .get("SORT")
                    .is_some_and(|s| s.trim().eq_ignore_ascii_case("desc")),
                collation: settings.get("COLLATE").cloned(),
            });
        }
    }

    fn index(&mut self, table: &Table, name: String, mut draft: IndexDraft) -> Option<Index> {
        let place = draft.place.clone().unwrap_or_else(|| Place {
            file: PathBuf::new(),
            line: 0,
            column: 0,
        });
        draft.keys.sort_by_key(|k| k.priority);
        let mut keys = Vec::new();
        for key in draft.keys {
            if table.column(&key.column).is_none() {
                continue;
            }
            let mut index_key = match key.expression {
                Some(expression) => match normalize_expression(&expression) {
                    Ok(expression) => IndexKey {
                        expression: true,
                        ..IndexKey::column(expression)
                    },
                    Err(error) => {
                        self.warn(
                            &place,
                            format!(
                                "index {name}: expression {expression:?} ({})",
                                error.message
                            ),
                        );
                        continue;
                    }
                },
                None => IndexKey::column(key.column),
            };
            index_key.descending = key.descending;
            index_key.collation = key.collation;
            keys.push(index_key);
        }
        if keys.is_empty() {
            return None;
        }
        let predicate = match draft.predicate {
            Some(text) => match normalize_expression(&text) {
                Ok(p) => Some(p),
                Err(error) => {
                    self.warn(
                        &place,
                        format!(
                            "index {name}: where {text:?} is not an SQL expression ({}): \
                             imported without it",
                            error.message
                        ),
                    );
                    None
                }
            },
            None => None,
        };
        let name = if name.len() > 63 {
            self.warn(
                &place,
                format!("index name {name} is longer than PostgreSQL's 63 bytes: truncated"),
            );
            name[..63].to_string()
        } else {
            name
        };
        Some(Index {
            name,
            keys,
            unique: draft.unique,
            method: draft.method.unwrap_or_else(|| "btree".into()),
            predicate,
            include: Vec::new(),
            nulls_not_distinct: false,
        })
    }

    /// The foreign keys and join tables of one model's relation fields.
    fn build_relations(&mut self, name: &str) {
        let Some(info) = self.models.get(name).cloned() else {
            return;
        };
        for field in &info.relations {
            if field.has("POLYMORPHIC") || field.has("POLYMORPHICTYPE") {
                continue;
            }
            let constraint = field.setting("CONSTRAINT").unwrap_or("");
            let (target_type, many) = match field.ty.pointee() {
                GoType::Slice(inner) => (inner.as_ref().clone(), true),
                other => (other.clone(), false),
            };
            let Some(target) = self.local_struct(&target_type) else {
                continue;
            };
            let Some(target_info) = self.models.get(&target.name).cloned() else {
                continue;
            };
            if let Some(join) = field.setting("MANY2MANY") {
                self.many_to_many(name, &info, field, &target.name, &target_info, join);
                continue;
            }
            if constraint.trim() == "-" {
                continue;
            }
            let foreign_names = list(field.setting("FOREIGNKEY"));
            let reference_names = list(field.setting("REFERENCES"));
            // Belongs to: the owner holds `<Field><TargetKey>` (or the foreignKey fields).
            if !many {
                let references = match lookup(&target_info, &reference_names) {
                    Some(columns) => columns,
                    None => target_info.primary.clone(),
                };
                let foreign = if foreign_names.is_empty() {
                    target_info
                        .primary
                        .iter()
                        .map(|pk| {
                            let go = go_name_of(&target_info, pk);
                            format!("{}{go}", field.go_name)
                        })
                        .collect()
                } else {
                    foreign_names.clone()
                };
                if let Some(columns) = lookup(&info, &foreign)
                    && columns.len() == references.len()
                {
                    let fk_name = constraint_name(constraint).unwrap_or_else(|| {
                        object_name("fk", &info.table.name, &db_name(&field.go_name))
                    });
                    self.push_foreign_key(
                        &info.table,
                        fk_name,
                        columns,
                        &target_info.table,
                        references,
                        constraint,
                        true,
                    );
                    continue;
                }
            }
            // Has one / has many: the target holds `<Owner><OwnerKey>` (or the foreignKey fields).
            let references = match lookup(&info, &reference_names) {
                Some(columns) => columns,
                None => info.primary.clone(),
            };
            let foreign: Vec<String> = if foreign_names.is_empty() {
                info.primary
                    .iter()
                    .map(|pk| format!("{name}{}", go_name_of(&info, pk)))
                    .collect()
            } else {
                foreign_names
            };
            match lookup(&target_info, &foreign) {
                Some(columns) if columns.len() == references.len() && !columns.is_empty() => {
                    let fk_name = constraint_name(constraint).unwrap_or_else(|| {
                        object_name("fk", &info.table.name, &db_name(&field.go_name))
                    });
                    self.push_foreign_key(
                        &target_info.table,
                        fk_name,
                        columns,
                        &info.table,
                        references,
                        constraint,
                        false,
                    );
                }
                _ => self.warn(
                    &field.place,
                    format!(
                        "relation {}: no foreign key field {} found in {} or {}: the foreign \
                         key is not imported",
                        field.go_name,
                        foreign.join(", "),
                        name,
                        target.name
                    ),
                ),
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_foreign_key(
        &mut self,
        table: &QualifiedName,
        name: String,
        columns: Vec<String>,
        target: &QualifiedName,
        ref_columns: Vec<String>,
        constraint: &str,
        belongs_to: bool,
    ) {
        let settings = tag_settings(constraint, ',');
        let action = |key: &str| {
            settings
                .get(key)
                .map(|v| parse_action(v))
                .unwrap_or_default()
        };
        let foreign_key = ForeignKey {
            name,
            columns,
            ref_schema: target.schema.clone(),
            ref_table: target.name.clone(),
            ref_columns,
            on_delete: action("ONDELETE"),
            on_update: action("ONUPDATE"),
            deferrable: false,
            initially_deferred: false,
        };
        self.foreign_keys
            .push((table.clone(), foreign_key, belongs_to));
    }

    fn many_to_many(
        &mut self,
        owner: &str,
        info: &ModelInfo,
        field: &Field,
        target: &str,
        target_info: &ModelInfo,
        join: &str,
    ) {
        let join_name = if join.to_ascii_lowercase() == join {
            join.to_string()
        } else {
            naming::plural(&db_name(join))
        };
        let join_table = QualifiedName::new(info.table.schema.clone(), join_name.clone());
        if self.model.table(&join_table).is_some() {
            return;
        }
        let own_keys = match lookup(info, &list(field.setting("FOREIGNKEY"))) {
            Some(columns) => columns,
            None => info.primary.clone(),
        };
        let target_keys = match lookup(target_info, &list(field.setting("REFERENCES"))) {
            Some(columns) => columns,
            None => target_info.primary.clone(),
        };
        let self_referencing = owner == target;
        let own_names = list(field.setting("JOINFOREIGNKEY"));
        let target_names = list(field.setting("JOINREFERENCES"));
        let mut columns = Vec::new();
        let mut own_columns = Vec::new();
        let mut target_columns = Vec::new();
        for (i, key) in own_keys.iter().enumerate() {
            let name = own_names
                .get(i)
                .map(|n| db_name(n))
                .unwrap_or_else(|| db_name(&format!("{owner}{}", go_name_of(info, key))));
            own_columns.push(name.clone());
            columns.push((name, info, key));
        }
        for (i, key) in target_keys.iter().enumerate() {
            let stem = if self_referencing {
                naming::singular(&field.go_name)
            } else {
                target.to_string()
            };
            let name = target_names
                .get(i)
                .map(|n| db_name(n))
                .unwrap_or_else(|| db_name(&format!("{stem}{}", go_name_of(target_info, key))));
            target_columns.push(name.clone());
            columns.push((name, target_info, key));
        }
        let mut table = Table {
            name: join_name.clone(),
            ..Table::default()
        };
        for (name, side, key) in &columns {
            let Some(source) = self
                .model
                .table(&side.table)
                .and_then(|t| t.column(key))
                .cloned()
            else {
                self.warn(
                    &field.place,
                    format!(
                        "many2many {join}: key {key} of {} was not imported",
                        side.table
                    ),
                );
                return;
            };
            table.columns.push(Column {
                name: name.clone(),
                data_type: without_serial(&source.data_type),
                nullable: false,
                ..Column::default()
            });
        }
        let all: Vec<String> = columns.iter().map(|(n, ..)| n.clone()).collect();
        table.primary_key = Some(PrimaryKey {
            name: Postgres.default_name(&join_name, &all, ConstraintKind::PrimaryKey),
            columns: all,
        });
        let constraint = field.setting("CONSTRAINT").unwrap_or("").to_string();
        self.order.push(join_table.clone());
        self.model
            .schema_mut(&join_table.schema)
            .tables
            .insert(join_name.clone(), table);
        if constraint.trim() == "-" {
            return;
        }
        let target_label = if self_referencing {
            db_name(&field.go_name)
        } else {
            db_name(target)
        };
        self.push_foreign_key(
            &join_table,
            object_name("fk", &join_name, &db_name(owner)),
            own_columns,
            &info.table,
            own_keys,
            &constraint,
            false,
        );
        self.push_foreign_key(
            &join_table,
            object_name("fk", &join_name, &target_label),
            target_columns,
            &target_info.table,
            target_keys,
            &constraint,
            false,
        );
    }

    /// Adds the foreign keys found, skipping a belongs-to constraint that a has-one/has-many
    /// of the other side already declares over the same columns (as GORM does).
    fn add_foreign_keys(&mut self) {
        let foreign_keys = std::mem::take(&mut self.foreign_keys);
        let same = |a: &(QualifiedName, ForeignKey, bool),
                    b: &(QualifiedName, ForeignKey, bool)| {
            a.0 == b.0
                && a.1.columns == b.1.columns
                && a.1.ref_table == b.1.ref_table
                && a.1.ref_schema == b.1.ref_schema
                && a.1.ref_columns == b.1.ref_columns
        };
        for (i, entry) in foreign_keys.iter().enumerate() {
            let (table_name, foreign_key, belongs_to) = entry;
            if *belongs_to
                && foreign_keys
                    .iter()
                    .any(|other| !other.2 && same(entry, other))
            {
                continue;
            }
            if foreign_keys[..i]
                .iter()
                .any(|other| same(entry, other) && other.1.name == foreign_key.name)
            {
                continue;
            }
            if let Some(table) = self.model.table_mut(table_name) {
                table.foreign_keys.push(foreign_key.clone());
            }
        }
    }
}

#[derive(Debug, Default)]
struct IndexDraft {
    place: Option<Place>,
    unique: bool,
    method: Option<String>,
    predicate: Option<String>,
    keys: Vec<KeyDraft>,
}

#[derive(Debug)]
struct KeyDraft {
    priority: i64,
    column: String,
    expression: Option<String>,
    descending: bool,
    collation: Option<String>,
}

fn gorm_settings(tag: &str) -> BTreeMap<String, String> {
    tag_settings(&tag_value(tag, "gorm").unwrap_or_default(), ';')
}

/// `gorm:"-"`, `-:all` and `-:migration` keep a field out of the table.
fn is_skipped(settings: &BTreeMap<String, String>) -> bool {
    settings
        .get("-")
        .is_some_and(|v| matches!(v.trim(), "-" | "" | "all" | "migration"))
}

fn is_exported(name: &str) -> bool {
    name.chars().next().is_some_and(char::is_uppercase)
}

fn is_gorm_model(ty: &GoType) -> bool {
    matches!(ty.pointee(), GoType::Qualified { package, name } if package == "gorm" && name == "Model")
}

/// `autoIncrement` / `autoIncrement:false` as written, `None` when not tagged.
fn auto_increment(field: &Field) -> Option<bool> {
    let value = field
        .setting("AUTOINCREMENT")
        .or_else(|| field.setting("AUTO_INCREMENT"))?;
    Some(!value.trim().eq_ignore_ascii_case("false"))
}

/// `gorm.Model`'s four fields, as GORM declares them.
fn gorm_model_fields(prefix: &str, place: &Place) -> Vec<Field> {
    let field = |go: &str, ty: GoType, tag: &str| Field {
        go_name: go.to_string(),
        column: format!("{prefix}{}", db_name(go)),
        ty,
        settings: tag_settings(tag, ';'),
        place: place.clone(),
        gorm_tag: tag.to_string(),
    };
    let qualified = |package: &str, name: &str| GoType::Qualified {
        package: package.into(),
        name: name.into(),
    };
    vec![
        field("ID", GoType::Named("uint".into()), "primarykey"),
        field("CreatedAt", qualified("time", "Time"), ""),
        field("UpdatedAt", qualified("time", "Time"), ""),
        field("DeletedAt", qualified("gorm", "DeletedAt"), "index"),
    ]
}

fn builtin_kind(name: &str) -> Option<Kind> {
    Some(match name {
        "bool" => Kind::Bool,
        "int" | "int64" => Kind::Int(64),
        "int32" | "rune" => Kind::Int(32),
        "int16" => Kind::Int(16),
        "int8" => Kind::Int(8),
        "uint" | "uint64" | "uintptr" => Kind::Uint(64),
        "uint32" => Kind::Uint(32),
        "uint16" => Kind::Uint(16),
        "uint8" | "byte" => Kind::Uint(8),
        "float32" | "float64" => Kind::Float,
        "string" => Kind::String,
        _ => return None,
    })
}

/// Packages whose types are not models of the project.
fn is_library_package(package: &str) -> bool {
    matches!(
        package,
        "time"
            | "sql"
            | "gorm"
            | "uuid"
            | "datatypes"
            | "json"
            | "pq"
            | "decimal"
            | "pgtype"
            | "null"
            | "driver"
            | "soft_delete"
            | "big"
            | "net"
    )
}

/// The library types GORM maps, as it maps them with the PostgreSQL driver. A `sql.Null*` is
/// its value's type; a `uuid.UUID` (google or gofrs) is stored as its string, text, unless a
/// `type:uuid` tag says otherwise.
fn library_kind(package: &str, name: &str) -> Option<Kind> {
    Some(match (package, name) {
        ("time", "Time") | ("gorm", "DeletedAt") | ("sql", "NullTime") => Kind::Time,
        ("sql", "NullString") => Kind::String,
        ("sql", "NullInt64") => Kind::Int(64),
        ("sql", "NullInt32") => Kind::Int(32),
        ("sql", "NullInt16") => Kind::Int(16),
        ("sql", "NullByte") => Kind::Uint(8),
        ("sql", "NullFloat64") => Kind::Float,
        ("sql", "NullBool") => Kind::Bool,
        ("uuid", "UUID") => Kind::String,
        ("json", "RawMessage") => Kind::Bytes,
        ("datatypes", "JSON" | "JSONMap" | "JSONType" | "JSONSlice") => Kind::Database("jsonb"),
        ("datatypes", "Date") => Kind::Database("date"),
        ("datatypes", "Time") => Kind::Database("time"),
        ("datatypes", "UUID") => Kind::Database("uuid"),
        _ => return None,
    })
}

fn without_serial(data_type: &str) -> String {
    match data_type {
        "smallserial" => "smallint".into(),
        "serial" => "integer".into(),
        "bigserial" => "bigint".into(),
        other => other.into(),
    }
}

/// `foreignKey:A,B` → `[A, B]`.
fn list(value: Option<&str>) -> Vec<String> {
    value
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The columns of `names` (Go field names or column names) in a model; `None` when `names` is
/// empty or one is missing.
fn lookup(info: &ModelInfo, names: &[String]) -> Option<Vec<String>> {
    if names.is_empty() {
        return None;
    }
    names
        .iter()
        .map(|name| {
            info.fields
                .iter()
                .find(|f| &f.go_name == name || &f.column == name)
                .map(|f| f.column.clone())
        })
        .collect()
}

/// The Go name of a model's column (`id` → `ID`).
fn go_name_of(info: &ModelInfo, column: &str) -> String {
    info.fields
        .iter()
        .find(|f| f.column == column)
        .map(|f| f.go_name.clone())
        .unwrap_or_else(|| column.to_string())
}

/// The name in `constraint:name,OnDelete:…` when the first part is one.
fn constraint_name(constraint: &str) -> Option<String> {
    let (first, _) = constraint.split_once(',')?;
    is_constraint_name(first).then(|| first.to_string())
}

/// GORM's test for a name before the first comma: letters, `-` and `_` only.
fn is_constraint_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_')
}

fn parse_action(text: &str) -> ForeignKeyAction {
    match text.trim().to_ascii_uppercase().as_str() {
        "CASCADE" => ForeignKeyAction::Cascade,
        "SET NULL" => ForeignKeyAction::SetNull,
        "SET DEFAULT" => ForeignKeyAction::SetDefault,
        "RESTRICT" => ForeignKeyAction::Restrict,
        _ => ForeignKeyAction::NoAction,
    }
}

#[cfg(test)]
mod tests;
