//! Reading DDL: each test checks the changes produced, not a model they were applied to.

use super::statement_changes;
use crate::backend::{SchemaContext, StatementError, StatementText};
use crate::model::{
    Change, Check, Column, CommentTarget, Enum, EnumPosition, Extension, ForeignKeyAction,
    Identity, IdentityKind, Index, IndexKey, Model, PrimaryKey, QualifiedName, Sequence, Table,
    Unique, View,
};

fn read(sql: &str, model: &Model) -> Result<Vec<Change>, StatementError> {
    read_with(sql, &[], model)
}

fn read_with(
    sql: &str,
    directives: &[String],
    model: &Model,
) -> Result<Vec<Change>, StatementError> {
    let context = SchemaContext {
        default_schema: "core".to_string(),
    };
    statement_changes(StatementText { sql, directives }, model, &context)
}

fn ok(sql: &str, model: &Model) -> Vec<Change> {
    match read(sql, model) {
        Ok(changes) => changes,
        Err(e) => panic!("{sql}: {e}"),
    }
}

fn created_table(sql: &str, model: &Model) -> Table {
    match ok(sql, model).as_slice() {
        [Change::CreateTable { table, .. }] => table.clone(),
        other => panic!("expected one CreateTable, got {other:?}"),
    }
}

/// A model with `core.users (id bigint primary key, email text, role user_role)`, an index on
/// email, a unique and a check, enum `core.user_role` and sequence `core.invoice_seq`.
fn model() -> Model {
    let mut model = Model::default();
    let schema = model.schema_mut("core");
    schema.tables.insert(
        "users".into(),
        Table {
            name: "users".into(),
            columns: vec![
                Column {
                    name: "id".into(),
                    data_type: "bigint".into(),
                    nullable: false,
                    identity: Some(Identity {
                        kind: IdentityKind::Always,
                        start: None,
                        increment: None,
                    }),
                    ..Column::default()
                },
                Column {
                    name: "email".into(),
                    data_type: "text".into(),
                    nullable: true,
                    ..Column::default()
                },
                Column {
                    name: "role".into(),
                    data_type: "user_role".into(),
                    nullable: true,
                    default: Some("'member'".into()),
                    ..Column::default()
                },
            ],
            primary_key: Some(PrimaryKey {
                name: "users_pkey".into(),
                columns: vec!["id".into()],
            }),
            uniques: vec![Unique {
                name: "users_email_key".into(),
                columns: vec!["email".into()],
                nulls_not_distinct: false,
                deferrable: false,
                initially_deferred: false,
            }],
            checks: vec![Check {
                name: "users_email_check".into(),
                expression: "email <> ''".into(),
                no_inherit: false,
            }],
            indexes: vec![Index {
                name: "users_lower_idx".into(),
                keys: vec![IndexKey {
                    expression: true,
                    ..IndexKey::column("lower(email)")
                }],
                unique: false,
                method: "btree".into(),
                predicate: None,
                include: vec![],
                nulls_not_distinct: false,
            }],
            ..Table::default()
        },
    );
    schema.enums.insert(
        "user_role".into(),
        Enum {
            name: "user_role".into(),
            values: vec!["admin".into(), "member".into()],
            comment: None,
        },
    );
    schema.sequences.insert(
        "invoice_seq".into(),
        Sequence {
            name: "invoice_seq".into(),
            data_type: "bigint".into(),
            start: None,
            increment: None,
            min_value: None,
            max_value: None,
            cache: None,
            cycle: false,
            owned_by: None,
        },
    );
    model
}

fn users() -> QualifiedName {
    QualifiedName::new("core", "users")
}

fn user_column(name: &str) -> Column {
    model()
        .table(&users())
        .and_then(|t| t.column(name))
        .cloned()
        .unwrap_or_default()
}

#[test]
fn insert_statements_change_nothing() {
    for sql in [
        "INSERT INTO users (email) VALUES ('a@b.c')",
        "update users set email = null",
        "DELETE FROM users",
        "SELECT 1",
        "SET search_path TO core",
        "DO $$ BEGIN PERFORM 1; END $$",
        "GRANT SELECT ON users TO reader",
        "BEGIN",
        "COMMIT",
        "ANALYZE users",
        "-- a comment first\nINSERT INTO users DEFAULT VALUES",
    ] {
        assert_eq!(read(sql, &model()), Ok(vec![]), "{sql}");
    }
}

#[test]
fn create_table_reads_columns_and_names_constraints() {
    let table = created_table(
        "CREATE TABLE Accounts (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 2),
            owner_id int8 NOT NULL REFERENCES users ON DELETE CASCADE,
            name VARCHAR(80) NOT NULL DEFAULT 'x'::character varying COLLATE \"C\",
            balance numeric(12, 2) DEFAULT 0 CHECK (balance >= 0),
            role user_role DEFAULT 'member'::user_role,
            total numeric GENERATED ALWAYS AS (balance * 2) STORED,
            PRIMARY KEY (id),
            UNIQUE NULLS NOT DISTINCT (owner_id, name),
            CONSTRAINT accounts_named_check CHECK (id > 0)
        )",
        &model(),
    );
    assert_eq!(table.name, "accounts");
    let id = &table.columns[0];
    assert!(!id.nullable, "primary-key column is NOT NULL");
    assert_eq!(
        id.identity,
        Some(Identity {
            kind: IdentityKind::ByDefault,
            start: Some(10),
            increment: Some(2),
        })
    );
    assert_eq!(table.columns[1].data_type, "bigint");
    let name = &table.columns[2];
    assert_eq!(name.data_type, "character varying(80)");
    assert_eq!(name.default.as_deref(), Some("'x'"));
    assert_eq!(name.collation.as_deref(), Some("C"));
    assert_eq!(table.columns[3].default.as_deref(), Some("0"));
    assert_eq!(table.columns[4].data_type, "user_role");
    assert_eq!(table.columns[4].default.as_deref(), Some("'member'"));
    assert_eq!(table.columns[5].generated.as_deref(), Some("balance * 2"));
    assert_eq!(
        table.primary_key,
        Some(PrimaryKey {
            name: "accounts_pkey".into(),
            columns: vec!["id".into()],
        })
    );
    assert_eq!(table.uniques.len(), 1);
    assert_eq!(table.uniques[0].name, "accounts_owner_id_name_key");
    assert!(table.uniques[0].nulls_not_distinct);
    let check_names: Vec<&str> = table.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        check_names,
        ["accounts_balance_check", "accounts_named_check"]
    );
    assert_eq!(table.foreign_keys.len(), 1);
    let fk = &table.foreign_keys[0];
    assert_eq!(fk.name, "accounts_owner_id_fkey");
    assert_eq!(
        (fk.ref_schema.as_str(), fk.ref_table.as_str()),
        ("core", "users")
    );
    assert_eq!(
        fk.ref_columns,
        ["id"],
        "REFERENCES without columns means the primary key"
    );
    assert_eq!(fk.on_delete, ForeignKeyAction::Cascade);
}

#[test]
fn unnamed_unique_gets_postgres_name() {
    let table = created_table(
        "CREATE TABLE t (a int UNIQUE, b int, UNIQUE (a, b))",
        &model(),
    );
    let names: Vec<&str> = table.uniques.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["t_a_b_key", "t_a_key"]);
}

#[test]
fn enum_types_of_other_schemas_stay_qualified() {
    let table = created_table(
        "CREATE TABLE guard.t (a core.user_role, b guard.level, c user_role[])",
        &model(),
    );
    let types: Vec<&str> = table.columns.iter().map(|c| c.data_type.as_str()).collect();
    assert_eq!(types, ["core.user_role", "level", "core.user_role[]"]);
}

#[test]
fn quoted_identifiers_keep_their_case() {
    let changes = ok("CREATE TABLE \"Mixed\" (\"Id\" int PRIMARY KEY)", &model());
    let [Change::CreateTable { schema, table }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(schema, "core");
    assert_eq!(table.name, "Mixed");
    assert_eq!(table.columns[0].name, "Id");
    assert_eq!(
        table.primary_key.as_ref().map(|k| k.name.as_str()),
        Some("Mixed_pkey")
    );
}

#[test]
fn renamed_from_directives_reach_table_and_column() {
    let sql = "CREATE TABLE members (
        id int,
        -- bfm:renamed_from mail
        -- bfm:allow_destructive
        email text
    )";
    let directives = vec!["renamed_from users".to_string()];
    let changes = read_with(sql, &directives, &model()).unwrap_or_default();
    let [Change::CreateTable { table, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(table.renamed_from.as_deref(), Some("users"));
    assert!(!table.allow_destructive);
    assert_eq!(table.columns[0].renamed_from, None);
    assert_eq!(table.columns[1].renamed_from.as_deref(), Some("mail"));
    assert!(table.columns[1].allow_destructive);
}

#[test]
fn an_existing_table_is_refused_when_applied_unless_if_not_exists() {
    let mut m = model();
    let changes = ok("CREATE TABLE users (id int)", &m);
    let [change @ Change::CreateTable { .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(
        change.apply_to(&mut m).map_err(|e| e.message),
        Err("table core.users already exists".to_string())
    );
    assert_eq!(
        read("CREATE TABLE IF NOT EXISTS users (id int)", &model()),
        Ok(vec![])
    );
}

#[test]
fn alter_column_set_default_carries_old_column() {
    let changes = ok(
        "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'none'::text",
        &model(),
    );
    let from = user_column("email");
    let to = Column {
        default: Some("'none'".into()),
        ..from.clone()
    };
    assert_eq!(
        changes,
        vec![Change::AlterColumn {
            table: users(),
            from,
            to,
        }]
    );
}

#[test]
fn alter_column_type_and_nullability_are_read() {
    let changes = ok(
        "ALTER TABLE ONLY core.users ALTER email TYPE varchar(10) USING left(email, 10)",
        &model(),
    );
    let [Change::AlterColumn { to, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(to.data_type, "character varying(10)");
    let changes = ok(
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
        &model(),
    );
    let [Change::AlterColumn { from, to, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert!(from.nullable && !to.nullable);
    let changes = ok("ALTER TABLE users ALTER COLUMN role DROP DEFAULT", &model());
    let [Change::AlterColumn { to, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(to.default, None);
}

#[test]
fn identity_can_be_added_and_dropped() {
    let changes = ok(
        "ALTER TABLE users ALTER COLUMN email ADD GENERATED BY DEFAULT AS IDENTITY",
        &model(),
    );
    let [Change::AlterColumn { to, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(
        to.identity.as_ref().map(|i| i.kind),
        Some(IdentityKind::ByDefault)
    );
    assert!(!to.nullable);

    let changes = ok(
        "ALTER TABLE users ALTER COLUMN id DROP IDENTITY IF EXISTS",
        &model(),
    );
    let [Change::AlterColumn { from, to, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert!(from.identity.is_some());
    assert_eq!(to.identity, None);
}

#[test]
fn add_and_drop_column() {
    let changes = ok(
        "ALTER TABLE users ADD COLUMN org_id bigint REFERENCES core.users (id)",
        &model(),
    );
    assert_eq!(changes.len(), 2);
    assert!(matches!(&changes[0], Change::AddColumn { column, .. } if column.name == "org_id"));
    assert!(
        matches!(&changes[1], Change::AddForeignKey { foreign_key, .. } if foreign_key.name == "users_org_id_fkey")
    );
    assert_eq!(
        ok("ALTER TABLE users DROP COLUMN email CASCADE", &model()),
        vec![Change::DropColumn {
            table: users(),
            column: user_column("email"),
        }]
    );
    assert!(read("ALTER TABLE users DROP COLUMN nope", &model()).is_err());
    assert_eq!(
        read("ALTER TABLE users DROP COLUMN IF EXISTS nope", &model()),
        Ok(vec![])
    );
}

#[test]
fn missing_table_is_an_error_unless_if_exists() {
    assert!(read("ALTER TABLE nope ADD COLUMN a int", &model()).is_err());
    assert_eq!(
        read("ALTER TABLE IF EXISTS nope ADD COLUMN a int", &model()),
        Ok(vec![])
    );
}

#[test]
fn constraints_are_added_and_dropped_by_name() {
    let changes = ok(
        "ALTER TABLE users ADD CONSTRAINT role_ok CHECK (role <> 'admin')",
        &model(),
    );
    assert_eq!(
        changes,
        vec![Change::AddCheck {
            table: users(),
            check: Check {
                name: "role_ok".into(),
                expression: "role <> 'admin'".into(),
                no_inherit: false,
            },
        }]
    );
    let changes = ok(
        "ALTER TABLE users DROP CONSTRAINT users_email_key",
        &model(),
    );
    assert!(
        matches!(&changes[..], [Change::DropUnique { unique, .. }] if unique.name == "users_email_key")
    );
    let changes = ok("ALTER TABLE users DROP CONSTRAINT users_pkey", &model());
    assert!(matches!(&changes[..], [Change::DropPrimaryKey { .. }]));
    assert!(read("ALTER TABLE users DROP CONSTRAINT nope", &model()).is_err());
    assert_eq!(
        read("ALTER TABLE users DROP CONSTRAINT IF EXISTS nope", &model()),
        Ok(vec![])
    );
}

#[test]
fn adding_a_primary_key_makes_its_columns_not_null() {
    let changes = ok("ALTER TABLE users ADD PRIMARY KEY (email)", &model());
    assert_eq!(changes.len(), 2);
    assert!(
        matches!(&changes[0], Change::AlterColumn { to, .. } if !to.nullable && to.name == "email")
    );
    assert!(matches!(&changes[1], Change::AddPrimaryKey { key, .. } if key.name == "users_pkey"));
}

#[test]
fn renames_are_read() {
    assert_eq!(
        ok("ALTER TABLE users RENAME TO people", &model()),
        vec![Change::RenameTable {
            schema: "core".into(),
            from: "users".into(),
            to: "people".into(),
        }]
    );
    assert_eq!(
        ok("ALTER TABLE users RENAME COLUMN email TO mail", &model()),
        vec![Change::RenameColumn {
            table: users(),
            from: "email".into(),
            to: "mail".into(),
        }]
    );
}

#[test]
fn renames_of_enums_constraints_and_indexes_are_read() {
    assert_eq!(
        ok("ALTER TYPE core.user_role RENAME TO role", &model()),
        vec![Change::RenameEnum {
            schema: "core".into(),
            from: "user_role".into(),
            to: "role".into(),
        }]
    );
    assert!(read("ALTER TYPE ghost RENAME TO x", &model()).is_err());
    assert_eq!(
        ok(
            "ALTER TABLE users RENAME CONSTRAINT users_email_check TO email_present",
            &model()
        ),
        vec![Change::RenameConstraint {
            table: users(),
            from: "users_email_check".into(),
            to: "email_present".into(),
        }]
    );
    assert!(read("ALTER TABLE users RENAME CONSTRAINT ghost TO x", &model()).is_err());
    assert_eq!(
        ok(
            "ALTER INDEX core.users_lower_idx RENAME TO by_email",
            &model()
        ),
        vec![Change::RenameIndex {
            table: users(),
            from: "users_lower_idx".into(),
            to: "by_email".into(),
        }]
    );
    assert_eq!(
        ok("ALTER INDEX users_email_key RENAME TO email_key", &model()),
        vec![Change::RenameConstraint {
            table: users(),
            from: "users_email_key".into(),
            to: "email_key".into(),
        }]
    );
    assert_eq!(
        ok("ALTER INDEX IF EXISTS ghost RENAME TO x", &model()),
        vec![]
    );
    assert!(read("ALTER INDEX ghost RENAME TO x", &model()).is_err());
}

#[test]
fn identity_kind_and_options_are_altered() {
    let identity = |sql: &str| match ok(sql, &model()).as_slice() {
        [Change::AlterColumn { to, .. }] => to.identity.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        identity("ALTER TABLE users ALTER COLUMN id SET GENERATED BY DEFAULT"),
        Some(Identity {
            kind: IdentityKind::ByDefault,
            start: None,
            increment: None,
        })
    );
    assert_eq!(
        identity("ALTER TABLE users ALTER id SET INCREMENT BY 2 SET START WITH 10 RESTART"),
        Some(Identity {
            kind: IdentityKind::Always,
            start: Some(10),
            increment: Some(2),
        })
    );
    // A new increment leaves the start value where it was.
    assert_eq!(
        identity("ALTER TABLE users ALTER id SET INCREMENT BY -1"),
        Some(Identity {
            kind: IdentityKind::Always,
            start: Some(1),
            increment: Some(-1),
        })
    );
    assert_eq!(
        ok("ALTER TABLE users ALTER id RESTART WITH 100", &model()),
        vec![]
    );
    assert!(
        read(
            "ALTER TABLE users ALTER email SET GENERATED ALWAYS",
            &model()
        )
        .is_err()
    );
}

#[test]
fn a_type_change_sets_the_collation_it_names_or_resets_it() {
    let mut m = model();
    if let Some(email) = m.table_mut(&users()).and_then(|t| t.column_mut("email")) {
        email.collation = Some("C".into());
    }
    let altered = |sql: &str| match ok(sql, &m).as_slice() {
        [Change::AlterColumn { to, .. }] => (to.data_type.clone(), to.collation.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        altered("ALTER TABLE users ALTER COLUMN email TYPE text COLLATE \"POSIX\""),
        ("text".to_string(), Some("POSIX".to_string()))
    );
    assert_eq!(
        altered(
            "ALTER TABLE users ALTER email SET DATA TYPE varchar(9) COLLATE \"C\" USING left(email, 9)"
        ),
        ("character varying(9)".to_string(), Some("C".to_string()))
    );
    assert_eq!(
        altered("ALTER TABLE users ALTER email TYPE text"),
        ("text".to_string(), None)
    );
}

#[test]
fn operations_of_one_alter_table_see_the_earlier_ones() {
    let changes = ok(
        "ALTER TABLE users ADD COLUMN age integer, ALTER COLUMN age SET NOT NULL, \
         ADD CHECK (age > 0), RENAME COLUMN age TO years, ALTER COLUMN years DROP NOT NULL",
        &model(),
    );
    let mut m = model();
    for change in &changes {
        if let Err(e) = change.apply_to(&mut m) {
            panic!("{change:?}: {}", e.message);
        }
    }
    let table = m.table(&users()).cloned().unwrap_or_default();
    let years = table.column("years").cloned().unwrap_or_default();
    assert_eq!(
        (years.data_type.as_str(), years.nullable),
        ("integer", true)
    );
    let checks: Vec<(&str, &str)> = table
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.expression.as_str()))
        .collect();
    assert_eq!(
        checks,
        vec![
            ("users_age_check", "years > 0"),
            ("users_email_check", "email <> ''")
        ]
    );
}

#[test]
fn an_unnamed_check_is_named_after_its_column_only_when_it_has_one() {
    let table = created_table(
        "CREATE TABLE t (a int CHECK (a > b), b int, c text CHECK (lower(c) <> ''), \
         d int CHECK (now() IS NOT NULL), CHECK (d > 0))",
        &model(),
    );
    let names: Vec<&str> = table.checks.iter().map(|c| c.name.as_str()).collect();
    // As PostgreSQL 15 names them: the second `t_check` is numbered.
    assert_eq!(names, vec!["t_c_check", "t_check", "t_check1", "t_d_check"]);
}

#[test]
fn create_index_reads_keys_and_options() {
    let changes = ok(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users USING GIN \
         (email gin_trgm_ops, lower(email) DESC NULLS FIRST, role COLLATE \"C\" NULLS FIRST) \
         INCLUDE (id) NULLS NOT DISTINCT WHERE role <> 'admin'",
        &model(),
    );
    let [Change::CreateIndex { table, index }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(table, &users());
    assert_eq!(index.name, "users_email_idx");
    assert!(index.unique && index.nulls_not_distinct);
    assert_eq!(index.method, "gin");
    assert_eq!(index.include, ["id"]);
    assert_eq!(index.predicate.as_deref(), Some("role <> 'admin'"));
    assert_eq!(
        index.keys[0],
        IndexKey {
            opclass: Some("gin_trgm_ops".into()),
            ..IndexKey::column("email")
        }
    );
    assert_eq!(
        index.keys[1],
        IndexKey {
            expression: true,
            descending: true,
            ..IndexKey::column("lower(email)")
        }
    );
    assert_eq!(
        index.keys[2],
        IndexKey {
            collation: Some("C".into()),
            nulls_first: Some(true),
            ..IndexKey::column("role")
        }
    );
}

#[test]
fn unnamed_indexes_get_postgres_names() {
    let changes = ok("CREATE INDEX ON users (role, lower(email))", &model());
    let [Change::CreateIndex { index, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(index.name, "users_role_lower_idx");
    assert_eq!(index.method, "btree");
}

#[test]
fn unnamed_index_names_follow_postgres_figure_colname() {
    let name = |sql: &str| match ok(sql, &model()).as_slice() {
        [Change::CreateIndex { index, .. }] => index.name.clone(),
        other => panic!("{other:?}"),
    };
    // Names checked against PostgreSQL 15.
    assert_eq!(name("CREATE INDEX ON users ((id + 1))"), "users_expr_idx");
    assert_eq!(name("CREATE INDEX ON users ((id::text))"), "users_id_idx");
    assert_eq!(
        name("CREATE INDEX ON users (((id + 1)::bigint))"),
        "users_int8_idx"
    );
    assert_eq!(
        name("CREATE INDEX ON users ((lower(email)), (upper(email)))"),
        "users_lower_upper_idx"
    );
    assert_eq!(
        name("CREATE INDEX ON users ((id + 1), (id + 2))"),
        "users_expr_expr1_idx"
    );
    assert_eq!(
        name("CREATE INDEX ON users (id) INCLUDE (email)"),
        "users_id_email_idx"
    );
    assert_eq!(
        name("CREATE INDEX ON users ((CASE WHEN id > 0 THEN 1 END))"),
        "users_case_idx"
    );
    assert_eq!(
        name("CREATE INDEX ON users ((COALESCE(email, '')))"),
        "users_coalesce_idx"
    );
}

#[test]
fn drop_index_concurrently_is_read() {
    let changes = ok(
        "DROP INDEX CONCURRENTLY IF EXISTS core.users_lower_idx",
        &model(),
    );
    let [Change::DropIndex { table, index }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(table, &users());
    assert_eq!(index.name, "users_lower_idx");
    assert_eq!(read("DROP INDEX IF EXISTS nope", &model()), Ok(vec![]));
    assert!(read("DROP INDEX nope", &model()).is_err());
}

#[test]
fn drops_carry_the_dropped_object() {
    let m = model();
    let schema = &m.schemas["core"];
    assert_eq!(
        ok("DROP TABLE IF EXISTS users CASCADE", &m),
        vec![Change::DropTable {
            schema: "core".into(),
            table: schema.tables["users"].clone(),
        }]
    );
    assert_eq!(
        ok("DROP TYPE user_role", &m),
        vec![Change::DropEnum {
            schema: "core".into(),
            value: schema.enums["user_role"].clone(),
        }]
    );
    assert_eq!(
        ok("DROP SEQUENCE core.invoice_seq", &m),
        vec![Change::DropSequence {
            schema: "core".into(),
            sequence: schema.sequences["invoice_seq"].clone(),
        }]
    );
    assert!(read("DROP TABLE nope", &m).is_err());
    assert_eq!(read("DROP VIEW IF EXISTS nope", &m), Ok(vec![]));
}

#[test]
fn schemas_and_extensions_are_created() {
    assert_eq!(
        ok("CREATE SCHEMA IF NOT EXISTS Guard", &model()),
        vec![Change::CreateSchema {
            name: "guard".into()
        }]
    );
    assert_eq!(ok("CREATE SCHEMA IF NOT EXISTS core", &model()), vec![]);
    assert_eq!(
        ok(
            "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" SCHEMA public",
            &model()
        ),
        vec![Change::CreateExtension {
            extension: Extension {
                name: "uuid-ossp".into(),
                schema: Some("public".into()),
            },
        }]
    );
}

#[test]
fn enums_are_created_and_extended() {
    assert_eq!(
        ok("CREATE TYPE guard.level AS ENUM ('low', 'High')", &model()),
        vec![Change::CreateEnum {
            schema: "guard".into(),
            value: Enum {
                name: "level".into(),
                values: vec!["low".into(), "High".into()],
                comment: None,
            },
        }]
    );
    assert_eq!(
        ok(
            "ALTER TYPE user_role ADD VALUE 'owner' BEFORE 'member'",
            &model()
        ),
        vec![Change::AddEnumValue {
            schema: "core".into(),
            name: "user_role".into(),
            label: "owner".into(),
            position: EnumPosition::Before("member".into()),
        }]
    );
    assert_eq!(
        ok(
            "ALTER TYPE user_role ADD VALUE IF NOT EXISTS 'admin'",
            &model()
        ),
        vec![]
    );
    assert!(read("ALTER TYPE user_role ADD VALUE 'admin'", &model()).is_err());
}

#[test]
fn sequences_take_options_in_any_order() {
    let changes = ok(
        "CREATE SEQUENCE IF NOT EXISTS guard.s AS integer CACHE 5 START WITH 100 INCREMENT BY 1 NO CYCLE OWNED BY guard.t.id",
        &model(),
    );
    assert_eq!(
        changes,
        vec![Change::CreateSequence {
            schema: "guard".into(),
            sequence: Sequence {
                name: "s".into(),
                data_type: "integer".into(),
                start: Some(100),
                increment: None,
                min_value: None,
                max_value: None,
                cache: Some(5),
                cycle: false,
                owned_by: Some("t.id".into()),
            },
        }]
    );
    let changes = ok(
        "ALTER SEQUENCE invoice_seq INCREMENT 5 MAXVALUE 1000 CYCLE RESTART",
        &model(),
    );
    let [Change::AlterSequence { from, to, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(from.increment, None);
    assert_eq!(
        (to.increment, to.max_value, to.cycle),
        (Some(5), Some(1000), true)
    );
}

#[test]
fn views_are_created_and_replaced() {
    let changes = ok(
        "CREATE VIEW Active AS SELECT Id FROM Users WHERE Email IS NOT NULL",
        &model(),
    );
    assert_eq!(
        changes,
        vec![Change::CreateView {
            schema: "core".into(),
            view: View {
                name: "active".into(),
                definition: "SELECT id FROM users WHERE email IS NOT NULL".into(),
                materialized: false,
                comment: None,
                mysql: None,
            },
        }]
    );
    let changes = ok("CREATE MATERIALIZED VIEW m AS SELECT 1", &model());
    assert!(matches!(&changes[..], [Change::CreateView { view, .. }] if view.materialized));
}

#[test]
fn comments_carry_the_old_comment() {
    assert_eq!(
        ok("COMMENT ON TABLE users IS 'People'", &model()),
        vec![Change::SetTableComment {
            table: users(),
            from: None,
            to: Some("People".into()),
        }]
    );
    assert_eq!(
        ok("COMMENT ON COLUMN core.users.email IS NULL", &model()),
        vec![Change::SetColumnComment {
            table: users(),
            column: "email".into(),
            from: None,
            to: None,
        }]
    );
}

#[test]
fn unsupported_ddl_is_an_error() {
    let err = read(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1",
        &model(),
    );
    assert!(err.is_err_and(|e| e.message.contains("unsupported PostgreSQL DDL")));
}

#[test]
fn syntax_errors_carry_an_offset() {
    let sql = "CREATE TABLE t (\n  id int,\n  name text text\n)";
    let err = read(sql, &model()).err();
    let offset = err.as_ref().and_then(|e| e.offset);
    let Some(offset) = offset else {
        panic!("no offset in {err:?}");
    };
    assert!(
        sql[offset..].starts_with("text\n)"),
        "offset {offset} in {err:?}"
    );
}

#[test]
fn column_types_read_through_sqlparser_are_canonical() {
    let table = created_table(
        "CREATE TABLE t (
            a timestamptz, b TIMESTAMP(3) WITH TIME ZONE, c double precision, d int[],
            e text ARRAY, f bit varying(5), g \"MyType\", h serial, i interval, j char(3),
            k numeric(10,2), l float(10), m core.user_role[], n timestamp(6) without time zone,
            o int4, p varchar, q bool, r bytea
        )",
        &model(),
    );
    let types: Vec<&str> = table.columns.iter().map(|c| c.data_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "timestamp with time zone",
            "timestamp(3) with time zone",
            "double precision",
            "integer[]",
            "text[]",
            "bit varying(5)",
            "\"MyType\"",
            "serial",
            "interval",
            "character(3)",
            "numeric(10,2)",
            "real",
            "user_role[]",
            "timestamp(6) without time zone",
            "integer",
            "character varying",
            "boolean",
            "bytea",
        ]
    );
}

#[test]
fn identity_options_may_come_in_any_order() {
    let changes = ok(
        "ALTER TABLE users ALTER COLUMN email ADD GENERATED ALWAYS AS IDENTITY (START WITH 5 INCREMENT BY 1)",
        &model(),
    );
    let [Change::AlterColumn { to, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(
        to.identity,
        Some(Identity {
            kind: IdentityKind::Always,
            start: Some(5),
            increment: None,
        })
    );
}

#[test]
fn comments_on_views_schemas_and_enums_set_their_comment() {
    let mut m = model();
    let view = View {
        name: "v".into(),
        definition: "SELECT 1".into(),
        materialized: false,
        comment: Some("old".into()),
        mysql: None,
    };
    m.schema_mut("core").views.insert("v".into(), view);
    m.schema_mut("core").enums.insert(
        "mood".into(),
        Enum {
            name: "mood".into(),
            values: vec!["ok".into()],
            comment: None,
        },
    );
    assert_eq!(
        ok("COMMENT ON VIEW v IS 'numbers'", &m),
        vec![Change::SetComment {
            target: CommentTarget::View {
                name: QualifiedName::new("core", "v"),
                materialized: false,
            },
            from: Some("old".into()),
            to: Some("numbers".into()),
        }]
    );
    assert!(read("COMMENT ON MATERIALIZED VIEW v IS 'x'", &m).is_err());
    assert_eq!(
        ok("COMMENT ON SCHEMA core IS 'main'", &m),
        vec![Change::SetComment {
            target: CommentTarget::Schema {
                name: "core".into()
            },
            from: None,
            to: Some("main".into()),
        }]
    );
    assert_eq!(
        ok("COMMENT ON TYPE core.mood IS NULL", &m),
        vec![Change::SetComment {
            target: CommentTarget::Type {
                name: QualifiedName::new("core", "mood")
            },
            from: None,
            to: None,
        }]
    );
}

#[test]
fn foreign_key_deferral_and_actions_are_read() {
    let table = created_table(
        "CREATE TABLE t (
            a bigint REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
            b bigint,
            CONSTRAINT t_b_users FOREIGN KEY (b) REFERENCES core.users (id) ON UPDATE SET NULL ON DELETE RESTRICT
        )",
        &model(),
    );
    let [a, b] = table.foreign_keys.as_slice() else {
        panic!("{:?}", table.foreign_keys);
    };
    assert_eq!(a.name, "t_a_fkey");
    assert!(a.deferrable && a.initially_deferred);
    assert_eq!(b.name, "t_b_users");
    assert_eq!(b.on_update, ForeignKeyAction::SetNull);
    assert_eq!(b.on_delete, ForeignKeyAction::Restrict);
    assert!(!b.deferrable);
}

#[test]
fn unnamed_checks_with_the_same_name_are_numbered_as_the_server_does() {
    let table = created_table(
        "CREATE TABLE s (a int, b int, CHECK (a <> b), CHECK (a > 0 OR b > 0))",
        &model(),
    );
    let names: Vec<&str> = table.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["s_check", "s_check1"]);
    // `users_email_check` is taken already.
    let changes = ok("ALTER TABLE users ADD CHECK (email <> 'x')", &model());
    assert!(
        matches!(changes.as_slice(), [Change::AddCheck { check, .. }] if check.name == "users_email_check1"),
        "{changes:?}"
    );
}

#[test]
fn expressions_lose_the_casts_inspection_drops() {
    let table = created_table(
        "CREATE TABLE v (code varchar(10) CHECK (code::text ~ '[0-9]'))",
        &model(),
    );
    assert_eq!(table.checks[0].expression, "code ~ '[0-9]'");
    let table = created_table(
        "CREATE TABLE o (q integer, p numeric(10,2), \
         total numeric GENERATED ALWAYS AS (q * p * (1 - p / 100)) STORED)",
        &model(),
    );
    let server = created_table(
        "CREATE TABLE o (q integer, p numeric(10,2), total numeric GENERATED ALWAYS AS \
         ((((q)::numeric * p) * ((1)::numeric - (p / (100)::numeric)))) STORED)",
        &model(),
    );
    assert_eq!(table.columns[2].generated, server.columns[2].generated);
}

#[test]
fn a_default_operator_class_is_left_out() {
    let changes = ok(
        "CREATE INDEX users_email_ops ON users USING btree (email text_ops)",
        &model(),
    );
    let [Change::CreateIndex { index, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(index.keys[0].opclass, None);
    let changes = ok(
        "CREATE INDEX users_email_pattern ON users (email text_pattern_ops)",
        &model(),
    );
    let [Change::CreateIndex { index, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(index.keys[0].opclass.as_deref(), Some("text_pattern_ops"));
}

#[test]
fn a_view_over_star_lists_the_columns_of_its_table() {
    let changes = ok("CREATE VIEW everyone AS SELECT * FROM users", &model());
    let [Change::CreateView { view, .. }] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(view.definition, "SELECT id, email, role FROM users");
}

#[test]
fn a_materialized_view_may_say_with_data() {
    let with = ok(
        "CREATE MATERIALIZED VIEW m AS SELECT id FROM users WITH NO DATA",
        &model(),
    );
    let without = ok(
        "CREATE MATERIALIZED VIEW m AS SELECT id FROM users",
        &model(),
    );
    assert_eq!(with, without);
    assert_eq!(
        ok(
            "CREATE MATERIALIZED VIEW m AS SELECT id FROM users\nWITH DATA",
            &model()
        ),
        without
    );
}
