//! The diff's key properties on hand-built models: applying `diff(current, desired)` to `current`
//! gives `desired` (without intent), and the inverted changes bring it back.

use super::{AssessedChange, HazardKind, assess, diff};
use crate::model::{
    Change, Check, Column, EnumPosition, Extension, ForeignKey, ForeignKeyAction, Identity,
    IdentityKind, Index, IndexKey, Model, PrimaryKey, QualifiedName, Schema, Sequence, Table,
    Unique, View,
};

pub(crate) fn column(name: &str, data_type: &str, nullable: bool) -> Column {
    Column {
        name: name.to_string(),
        data_type: data_type.to_string(),
        nullable,
        ..Column::default()
    }
}

fn organizations() -> Table {
    Table {
        name: "organizations".to_string(),
        columns: vec![
            Column {
                identity: Some(Identity {
                    kind: IdentityKind::Always,
                    start: None,
                    increment: None,
                }),
                ..column("id", "bigint", false)
            },
            column("slug", "character varying(63)", false),
            Column {
                comment: Some("Display name".to_string()),
                ..column("name", "text", true)
            },
        ],
        primary_key: Some(PrimaryKey {
            name: "organizations_pkey".to_string(),
            columns: vec!["id".to_string()],
        }),
        uniques: vec![Unique {
            name: "organizations_slug_key".to_string(),
            columns: vec!["slug".to_string()],
            nulls_not_distinct: false,
            deferrable: false,
            initially_deferred: false,
        }],
        comment: Some("Tenants".to_string()),
        ..Table::default()
    }
}

fn users() -> Table {
    Table {
        name: "users".to_string(),
        columns: vec![
            column("id", "bigint", false),
            column("org_id", "bigint", false),
            column("email", "character varying(255)", false),
            Column {
                default: Some("'member'".to_string()),
                ..column("role", "user_role", false)
            },
            Column {
                default: Some("now()".to_string()),
                ..column("created_at", "timestamp with time zone", false)
            },
        ],
        primary_key: Some(PrimaryKey {
            name: "users_pkey".to_string(),
            columns: vec!["id".to_string()],
        }),
        checks: vec![Check {
            name: "users_email_check".to_string(),
            expression: "email <> ''".to_string(),
            no_inherit: false,
        }],
        foreign_keys: vec![ForeignKey {
            name: "users_org_id_fkey".to_string(),
            columns: vec!["org_id".to_string()],
            ref_schema: "core".to_string(),
            ref_table: "organizations".to_string(),
            ref_columns: vec!["id".to_string()],
            on_delete: ForeignKeyAction::Cascade,
            on_update: ForeignKeyAction::NoAction,
            deferrable: false,
            initially_deferred: false,
        }],
        indexes: vec![Index {
            name: "users_lower_idx".to_string(),
            keys: vec![IndexKey {
                expression: true,
                ..IndexKey::column("lower(email)")
            }],
            unique: true,
            method: "btree".to_string(),
            predicate: None,
            include: Vec::new(),
            nulls_not_distinct: false,
        }],
        ..Table::default()
    }
}

pub(crate) fn view(name: &str, definition: &str) -> View {
    View {
        name: name.to_string(),
        definition: definition.to_string(),
        materialized: false,
        comment: None,
        mysql: None,
    }
}

/// A small but complete schema: an extension, an enum, a sequence, two tables joined by a
/// foreign key, and a view.
pub(crate) fn fixture() -> Model {
    let mut model = Model::default();
    model.extensions.insert(
        "pgcrypto".to_string(),
        Extension {
            name: "pgcrypto".to_string(),
            schema: None,
        },
    );
    let core = model.schema_mut("core");
    core.enums.insert(
        "user_role".to_string(),
        crate::model::Enum {
            name: "user_role".to_string(),
            values: vec!["admin".to_string(), "member".to_string()],
            comment: None,
        },
    );
    core.sequences.insert(
        "invoice_numbers".to_string(),
        Sequence {
            name: "invoice_numbers".to_string(),
            data_type: "bigint".to_string(),
            start: Some(1000),
            increment: None,
            min_value: None,
            max_value: None,
            cache: None,
            cycle: false,
            owned_by: None,
        },
    );
    for table in [organizations(), users()] {
        core.tables.insert(table.name.clone(), table);
    }
    core.views.insert(
        "active_users".to_string(),
        view(
            "active_users",
            "SELECT id, email FROM core.users WHERE role = 'member'",
        ),
    );
    model
}

pub(crate) fn core(model: &mut Model) -> &mut Schema {
    model.schema_mut("core")
}

pub(crate) fn table<'m>(model: &'m mut Model, name: &str) -> &'m mut Table {
    let found = model.table_mut(&QualifiedName::new("core", name));
    found.unwrap_or_else(|| panic!("fixture has table {name}"))
}

/// Applies `changes` in order, failing the test with the change that does not fit.
pub(crate) fn applied(model: &Model, changes: &[Change]) -> Model {
    let mut model = model.clone();
    for change in changes {
        if let Err(error) = change.apply_to(&mut model) {
            panic!("{} does not apply: {error}", change.describe());
        }
    }
    model
}

/// The key properties, checked on one pair of models; returns the diff for further checks.
pub(crate) fn converges(current: &Model, desired: &Model) -> Vec<Change> {
    let changes = diff(current, desired);
    let start = current.without_intent();
    let reached = applied(&start, &changes);
    assert_eq!(reached, desired.without_intent(), "diff: {changes:#?}");
    assert_eq!(
        diff(&reached, desired),
        Vec::new(),
        "a second diff is empty"
    );
    let down = Change::inverse_all(&changes, &start).unwrap_or_else(|e| panic!("{e}"));
    let back = applied(&reached, &down);
    if changes
        .iter()
        .any(|c| matches!(c, Change::DropColumn { .. }))
    {
        // A dropped column comes back last, as in PostgreSQL.
        assert_eq!(
            columns_sorted(back),
            columns_sorted(start),
            "the inverse goes back"
        );
    } else {
        assert_eq!(back, start, "the inverse goes back");
    }
    changes
}

fn columns_sorted(mut model: Model) -> Model {
    for table in model
        .schemas
        .values_mut()
        .flat_map(|s| s.tables.values_mut())
    {
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    model
}

pub(crate) fn assessed(current: &Model, desired: &Model) -> Vec<AssessedChange> {
    assess(diff(current, desired), current, desired)
}

/// The hazard kinds of the one assessed change `describe`d as `what`.
pub(crate) fn kinds_of(assessed: &[AssessedChange], what: &str) -> Vec<HazardKind> {
    let found = assessed.iter().find(|a| a.change.describe() == what);
    let found = found.unwrap_or_else(|| panic!("no change `{what}` in {assessed:#?}"));
    found.hazards.iter().map(|h| h.kind).collect()
}

fn described(changes: &[Change]) -> Vec<String> {
    changes.iter().map(Change::describe).collect()
}

#[test]
fn identical_models_have_no_diff() {
    assert_eq!(diff(&fixture(), &fixture()), Vec::new());
}

#[test]
fn creates_everything_from_nothing_with_foreign_keys_apart() {
    let changes = converges(&Model::default(), &fixture());
    assert_eq!(
        described(&changes),
        [
            "create schema core",
            "create extension pgcrypto",
            "create enum core.user_role",
            "create sequence core.invoice_numbers",
            "create table core.organizations",
            "create table core.users",
            "add foreign key users_org_id_fkey to core.users",
            "create view core.active_users",
        ]
    );
    let created_users = changes.iter().find_map(|c| match c {
        Change::CreateTable { table, .. } if table.name == "users" => Some(table),
        _ => None,
    });
    assert!(created_users.is_some_and(|t| t.foreign_keys.is_empty()));
}

#[test]
fn drops_everything_down_to_nothing() {
    let changes = converges(&fixture(), &Model::default());
    assert_eq!(
        changes.first(),
        Some(&Change::DropExtension {
            extension: Extension {
                name: "pgcrypto".to_string(),
                schema: None
            }
        })
    );
    assert_eq!(
        changes.last(),
        Some(&Change::DropSchema {
            name: "core".to_string()
        })
    );
}

#[test]
fn column_changes_converge() {
    let current = fixture();
    let mut desired = fixture();
    let users = table(&mut desired, "users");
    users.columns.push(column("nickname", "text", true));
    users.columns.retain(|c| c.name != "org_id");
    users.foreign_keys.clear();
    if let Some(created) = users.column_mut("created_at") {
        created.data_type = "timestamp(3) with time zone".to_string();
        created.comment = Some("When the row was made".to_string());
    }
    if let Some(role) = users.column_mut("role") {
        role.default = Some("'admin'".to_string());
    }
    users.comment = Some("People".to_string());
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "drop foreign key users_org_id_fkey from core.users",
            "drop column core.users.org_id",
            "set default on core.users.role",
            "alter type on core.users.created_at",
            "add column core.users.nickname",
            "set comment on column core.users.created_at",
            "set comment on table core.users",
            "drop view core.active_users",
            "create view core.active_users",
        ]
    );
}

#[test]
fn changed_constraints_and_indexes_are_dropped_and_added_under_their_name() {
    let current = fixture();
    let mut desired = fixture();
    let users = table(&mut desired, "users");
    users.checks[0].expression = "length(email) > 3".to_string();
    users.indexes[0].predicate = Some("role = 'member'".to_string());
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "drop index users_lower_idx on core.users",
            "drop check users_email_check from core.users",
            "add check users_email_check to core.users",
            "create index users_lower_idx on core.users",
        ]
    );
}

#[test]
fn declared_renames_become_renames_and_keep_references() {
    let current = fixture();
    let mut desired = fixture();
    let schema = core(&mut desired);
    let mut orgs = schema.tables.remove("organizations").unwrap_or_default();
    orgs.name = "tenants".to_string();
    orgs.renamed_from = Some("organizations".to_string());
    schema.tables.insert("tenants".to_string(), orgs);
    let users = table(&mut desired, "users");
    users.foreign_keys[0].ref_table = "tenants".to_string();
    users.checks[0].expression = "email_address <> ''".to_string();
    users.indexes[0].keys[0].target = "lower(email_address)".to_string();
    if let Some(email) = users.column_mut("email") {
        email.name = "email_address".to_string();
        email.renamed_from = Some("email".to_string());
    }
    core(&mut desired).views.insert(
        "active_users".to_string(),
        view(
            "active_users",
            "SELECT id, email_address FROM core.users WHERE role = 'member'",
        ),
    );
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "rename table core.organizations to tenants",
            "rename column core.users.email to email_address",
            "drop view core.active_users",
            "create view core.active_users",
        ]
    );
}

#[test]
fn renames_are_never_guessed() {
    let current = fixture();
    let mut desired = fixture();
    if let Some(email) = table(&mut desired, "users").column_mut("email") {
        email.name = "email_address".to_string();
    }
    let changes = diff(&current, &desired);
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::DropColumn { .. }))
    );
    assert!(
        !changes
            .iter()
            .any(|c| matches!(c, Change::RenameColumn { .. }))
    );
}

#[test]
fn a_declared_rename_whose_old_name_is_gone_is_no_rename() {
    let current = fixture();
    let mut desired = fixture();
    if let Some(email) = table(&mut desired, "users").column_mut("email") {
        email.renamed_from = Some("mail".to_string());
    }
    assert_eq!(diff(&current, &desired), Vec::new());
}

#[test]
fn new_enum_labels_are_added_at_their_positions() {
    let current = fixture();
    let mut desired = fixture();
    let labels = ["owner", "admin", "guest", "member", "viewer"];
    if let Some(role) = core(&mut desired).enums.get_mut("user_role") {
        role.values = labels.map(String::from).to_vec();
    }
    let changes = converges(&current, &desired);
    let positions: Vec<(&str, &EnumPosition)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddEnumValue {
                label, position, ..
            } => Some((label.as_str(), position)),
            _ => None,
        })
        .collect();
    assert_eq!(
        positions,
        [
            ("owner", &EnumPosition::Before("admin".to_string())),
            ("guest", &EnumPosition::Before("member".to_string())),
            ("viewer", &EnumPosition::Last),
        ]
    );
}

#[test]
fn reordered_enum_labels_recreate_the_enum_with_its_columns() {
    let current = fixture();
    let mut desired = fixture();
    if let Some(role) = core(&mut desired).enums.get_mut("user_role") {
        role.values.reverse();
    }
    let changes = converges(&current, &desired);
    let [Change::RecreateEnum { columns, .. }] = changes.as_slice() else {
        panic!("expected one recreation: {changes:#?}");
    };
    assert_eq!(columns.len(), 1);
    assert_eq!(columns[0].table, QualifiedName::new("core", "users"));
    assert_eq!(columns[0].column, "role");
}

#[test]
fn sequences_and_extensions_converge() {
    let current = fixture();
    let mut desired = fixture();
    if let Some(sequence) = core(&mut desired).sequences.get_mut("invoice_numbers") {
        sequence.increment = Some(10);
    }
    desired.extensions.insert(
        "pgcrypto".to_string(),
        Extension {
            name: "pgcrypto".to_string(),
            schema: Some("extensions".to_string()),
        },
    );
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "drop extension pgcrypto",
            "create extension pgcrypto",
            "alter sequence core.invoice_numbers",
        ]
    );
}

#[test]
fn a_view_whose_columns_grow_at_the_end_is_replaced() {
    let current = fixture();
    let mut desired = fixture();
    core(&mut desired).views.insert(
        "active_users".to_string(),
        view(
            "active_users",
            "SELECT id, email, role FROM core.users WHERE role <> 'admin'",
        ),
    );
    let changes = converges(&current, &desired);
    assert_eq!(described(&changes), ["replace view core.active_users"]);
}

#[test]
fn a_view_whose_columns_change_order_is_dropped_and_created() {
    let current = fixture();
    let mut desired = fixture();
    core(&mut desired).views.insert(
        "active_users".to_string(),
        view("active_users", "SELECT email, id FROM core.users"),
    );
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "drop view core.active_users",
            "create view core.active_users"
        ]
    );
}

#[test]
fn a_view_that_becomes_materialized_is_dropped_and_created() {
    let current = fixture();
    let mut desired = fixture();
    if let Some(view) = core(&mut desired).views.get_mut("active_users") {
        view.materialized = true;
    }
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "drop view core.active_users",
            "create materialized view core.active_users"
        ]
    );
}

#[test]
fn views_over_views_are_recreated_when_the_view_below_is() {
    let mut current = fixture();
    core(&mut current).views.insert(
        "admins".to_string(),
        view("admins", "SELECT id FROM core.active_users"),
    );
    let mut desired = current.clone();
    if let Some(email) = table(&mut desired, "users").column_mut("email") {
        email.data_type = "text".to_string();
    }
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "alter type on core.users.email",
            "drop view core.active_users",
            "create view core.active_users",
            "drop view core.admins",
            "create view core.admins",
        ]
    );
}

#[test]
fn a_column_only_commented_leaves_views_alone() {
    let current = fixture();
    let mut desired = fixture();
    if let Some(email) = table(&mut desired, "users").column_mut("email") {
        email.comment = Some("Login".to_string());
    }
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        ["set comment on column core.users.email"]
    );
}

#[test]
fn a_new_primary_key_over_a_nullable_column_sets_it_not_null_first() {
    let mut current = fixture();
    let users = table(&mut current, "users");
    users.primary_key = None;
    if let Some(id) = users.column_mut("id") {
        id.nullable = true;
    }
    let changes = converges(&current, &fixture());
    assert_eq!(
        described(&changes),
        [
            "set not null on core.users.id",
            "add primary key users_pkey to core.users"
        ]
    );
}

#[test]
fn new_schemas_come_first_and_empty_ones_go_last() {
    let mut current = fixture();
    current.schema_mut("legacy");
    let mut desired = fixture();
    desired.schema_mut("audit");
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        ["create schema audit", "drop schema legacy"]
    );
}

#[test]
fn assess_keeps_every_change_in_order() {
    let assessed = assessed(&Model::default(), &fixture());
    let changes: Vec<Change> = assessed.into_iter().map(|a| a.change).collect();
    assert_eq!(changes, diff(&Model::default(), &fixture()));
}

#[test]
fn a_dropped_table_takes_the_foreign_keys_to_it_along_in_canonical_order() {
    let current = fixture();
    let mut desired = fixture();
    core(&mut desired).tables.remove("organizations");
    table(&mut desired, "users").foreign_keys.clear();
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "drop table core.organizations",
            "drop foreign key users_org_id_fkey from core.users",
        ]
    );
}

#[test]
fn a_table_in_a_new_schema_comes_after_its_schema() {
    let current = fixture();
    let mut desired = fixture();
    let notes = Table {
        name: "notes".to_string(),
        columns: vec![column("body", "text", true)],
        ..Table::default()
    };
    desired
        .schema_mut("audit")
        .tables
        .insert("notes".to_string(), notes);
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        ["create schema audit", "create table audit.notes"]
    );
}

#[test]
fn constraints_and_indexes_that_only_change_name_are_renamed() {
    let current = fixture();
    let mut desired = fixture();
    let schema = core(&mut desired);
    let mut orgs = schema.tables.remove("organizations").unwrap_or_default();
    orgs.name = "tenants".to_string();
    orgs.renamed_from = Some("organizations".to_string());
    if let Some(key) = &mut orgs.primary_key {
        key.name = "tenants_pkey".to_string();
    }
    orgs.uniques[0].name = "tenants_slug_key".to_string();
    schema.tables.insert("tenants".to_string(), orgs);
    let users = table(&mut desired, "users");
    users.foreign_keys[0].ref_table = "tenants".to_string();
    users.foreign_keys[0].name = "users_tenant_fkey".to_string();
    users.indexes[0].name = "users_email_lower_idx".to_string();
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "rename table core.organizations to tenants",
            "rename constraint organizations_pkey on core.tenants to tenants_pkey",
            "rename constraint organizations_slug_key on core.tenants to tenants_slug_key",
            "rename constraint users_org_id_fkey on core.users to users_tenant_fkey",
            "rename index users_lower_idx on core.users to users_email_lower_idx",
        ]
    );
    assert!(
        assess(changes, &current, &desired)
            .iter()
            .all(|a| a.hazards.is_empty())
    );
}

#[test]
fn a_constraint_changed_in_name_and_definition_is_dropped_and_added() {
    let current = fixture();
    let mut desired = fixture();
    let users = table(&mut desired, "users");
    users.checks[0].name = "users_email_present".to_string();
    users.checks[0].expression = "length(email) > 0".to_string();
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "drop check users_email_check from core.users",
            "add check users_email_present to core.users",
        ]
    );
}

#[test]
fn comments_on_schemas_enums_and_views_are_set_alone() {
    let current = fixture();
    let mut desired = fixture();
    let schema = core(&mut desired);
    schema.comment = Some("Core data".to_string());
    if let Some(role) = schema.enums.get_mut("user_role") {
        role.comment = Some("What a user may do".to_string());
    }
    if let Some(active) = schema.views.get_mut("active_users") {
        active.comment = Some("Members only".to_string());
    }
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "set comment on schema core",
            "set comment on enum core.user_role",
            "set comment on view core.active_users",
        ]
    );
}

#[test]
fn new_objects_carry_their_comments_once() {
    let current = fixture();
    let mut desired = fixture();
    let audit = desired.schema_mut("audit");
    audit.comment = Some("Audit trail".to_string());
    audit.enums.insert(
        "action".to_string(),
        crate::model::Enum {
            name: "action".to_string(),
            values: vec!["insert".to_string()],
            comment: Some("What happened".to_string()),
        },
    );
    audit.views.insert(
        "recent".to_string(),
        View {
            comment: Some("Last day".to_string()),
            ..view("recent", "SELECT 1")
        },
    );
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "create schema audit",
            "set comment on schema audit",
            "create enum audit.action",
            "create view audit.recent",
        ]
    );
}

#[test]
fn a_dropped_schema_loses_its_comment_first_so_the_inverse_restores_it() {
    let mut current = fixture();
    current.schema_mut("audit").comment = Some("Audit trail".to_string());
    let changes = converges(&current, &fixture());
    assert_eq!(
        described(&changes),
        ["set comment on schema audit", "drop schema audit"]
    );
}

#[test]
fn an_enum_given_labels_and_a_comment_adds_the_labels_then_comments() {
    let current = fixture();
    let mut desired = fixture();
    if let Some(role) = core(&mut desired).enums.get_mut("user_role") {
        role.values.push("guest".to_string());
        role.comment = Some("What a user may do".to_string());
    }
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "add value 'guest' to enum core.user_role",
            "set comment on enum core.user_role",
        ]
    );
}

#[test]
fn mysql_checks_and_foreign_keys_under_a_new_name_are_dropped_and_added() {
    let mut current = fixture();
    table(&mut current, "users").mysql = Some(crate::model::MysqlTable::default());
    let mut desired = current.clone();
    let users = table(&mut desired, "users");
    users.checks[0].name = "users_email_present".to_string();
    users.foreign_keys[0].name = "users_org_fk".to_string();
    users.indexes[0].name = "users_email_lower_idx".to_string();
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "rename index users_lower_idx on core.users to users_email_lower_idx",
            "drop foreign key users_org_id_fkey from core.users",
            "drop check users_email_check from core.users",
            "add check users_email_present to core.users",
            "add foreign key users_org_fk to core.users",
        ]
    );
}

/// The fixture's users with a MySQL slot and a column check on `email`, as MariaDB names it.
fn mysql_users_with_column_check() -> Model {
    let mut model = fixture();
    let users = table(&mut model, "users");
    users.mysql = Some(crate::model::MysqlTable::default());
    users.checks = vec![Check {
        name: "email".to_string(),
        expression: "email <> ''".to_string(),
        no_inherit: false,
    }];
    model
}

#[test]
fn mysql_column_checks_are_dropped_and_added_around_their_altered_column() {
    let current = mysql_users_with_column_check();
    let mut desired = current.clone();
    table(&mut desired, "users").columns[2].data_type = "character varying(300)".to_string();
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "drop check email from core.users",
            "alter type on core.users.email",
            "add check email to core.users",
            "drop view core.active_users",
            "create view core.active_users",
        ]
    );
}

#[test]
fn mysql_column_check_removed_restates_its_column() {
    let current = mysql_users_with_column_check();
    let mut desired = current.clone();
    table(&mut desired, "users").checks.clear();
    let changes = converges(&current, &desired);
    assert_eq!(
        described(&changes),
        [
            "drop check email from core.users",
            "alter column on core.users.email",
        ]
    );
}
