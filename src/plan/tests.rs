//! The planner's behaviour, on changes built by hand.

use super::*;
use crate::model::{
    Change, Column, Enum, ForeignKey, ForeignKeyAction, Index, IndexKey, PrimaryKey, Sequence,
    Table, View,
};

fn assessed(change: Change) -> AssessedChange {
    AssessedChange {
        change,
        hazards: Vec::new(),
        permitted_by_schema: false,
    }
}

fn name(table: &str) -> QualifiedName {
    QualifiedName::new("core", table)
}

fn column(name: &str, data_type: &str) -> Column {
    Column {
        name: name.into(),
        data_type: data_type.into(),
        nullable: true,
        ..Column::default()
    }
}

fn table(name: &str, columns: &[(&str, &str)]) -> Table {
    Table {
        name: name.into(),
        columns: columns.iter().map(|(n, t)| column(n, t)).collect(),
        primary_key: Some(PrimaryKey {
            name: format!("{name}_pkey"),
            columns: vec!["id".into()],
        }),
        ..Table::default()
    }
}

fn create_table(name: &str, columns: &[(&str, &str)]) -> Change {
    Change::CreateTable {
        schema: "core".into(),
        table: table(name, columns),
    }
}

fn foreign_key(table: &str, column: &str, referenced: &str) -> ForeignKey {
    ForeignKey {
        name: format!("{table}_{column}_fkey"),
        columns: vec![column.into()],
        ref_schema: "core".into(),
        ref_table: referenced.into(),
        ref_columns: vec!["id".into()],
        on_delete: ForeignKeyAction::NoAction,
        on_update: ForeignKeyAction::NoAction,
        deferrable: false,
        initially_deferred: false,
    }
}

fn add_foreign_key(table: &str, column: &str, referenced: &str) -> Change {
    Change::AddForeignKey {
        table: name(table),
        foreign_key: foreign_key(table, column, referenced),
    }
}

fn view(name: &str, definition: &str) -> View {
    View {
        name: name.into(),
        definition: definition.into(),
        materialized: false,
        comment: None,
        mysql: None,
    }
}

fn index(name: &str, column: &str) -> Index {
    Index {
        name: name.into(),
        keys: vec![IndexKey::column(column)],
        unique: false,
        method: "btree".into(),
        predicate: None,
        include: Vec::new(),
        nulls_not_distinct: false,
    }
}

fn role_enum(values: &[&str]) -> Enum {
    Enum {
        name: "user_role".into(),
        values: values.iter().map(|v| v.to_string()).collect(),
        comment: None,
    }
}

fn planned(changes: Vec<Change>) -> Plan {
    match plan(changes.into_iter().map(assessed).collect()) {
        Ok(plan) => plan,
        Err(error) => panic!("planning failed: {error}"),
    }
}

/// Each file as `subject: change, change…`.
fn outline(plan: &Plan) -> Vec<String> {
    plan.files
        .iter()
        .map(|file| {
            let changes: Vec<String> = file.changes.iter().map(|c| c.change.describe()).collect();
            format!("{}: {}", file.object, changes.join(", "))
        })
        .collect()
}

#[test]
fn creates_referenced_table_before_foreign_key() {
    let plan = planned(vec![
        create_table("orders", &[("id", "bigint"), ("user_id", "bigint")]),
        add_foreign_key("orders", "user_id", "users"),
        create_table("users", &[("id", "bigint")]),
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.users: create table core.users",
            "core.orders: create table core.orders, \
             add foreign key orders_user_id_fkey to core.orders",
        ]
    );
}

#[test]
fn drops_index_before_dropping_its_column() {
    let plan = planned(vec![
        Change::DropColumn {
            table: name("users"),
            column: column("email", "text"),
        },
        Change::DropIndex {
            table: name("users"),
            index: index("users_email_idx", "email"),
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.users: drop index users_email_idx on core.users, \
             drop column core.users.email"
        ]
    );
}

#[test]
fn mutual_foreign_keys_are_deferred_to_a_later_file() {
    let plan = planned(vec![
        add_foreign_key("b", "a_id", "a"),
        add_foreign_key("a", "b_id", "b"),
        create_table("b", &[("id", "bigint"), ("a_id", "bigint")]),
        create_table("a", &[("id", "bigint"), ("b_id", "bigint")]),
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.a: create table core.a",
            "core.b: create table core.b, add foreign key b_a_id_fkey to core.b",
            "core.a: add foreign key a_b_id_fkey to core.a",
        ]
    );
}

#[test]
fn enum_is_created_before_the_table_using_it() {
    let plan = planned(vec![
        create_table("users", &[("id", "bigint"), ("role", "user_role")]),
        Change::CreateEnum {
            schema: "core".into(),
            value: role_enum(&["admin", "member"]),
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.user_role: create enum core.user_role",
            "core.users: create table core.users",
        ]
    );
}

#[test]
fn enum_is_recreated_after_dropping_a_column_that_uses_it() {
    let plan = planned(vec![
        Change::RecreateEnum {
            schema: "core".into(),
            from: role_enum(&["admin", "member", "guest"]),
            to: role_enum(&["admin", "member"]),
            columns: Vec::new(),
        },
        Change::DropColumn {
            table: name("users"),
            column: column("legacy_role", "user_role[]"),
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.users: drop column core.users.legacy_role",
            "core.user_role: recreate enum core.user_role",
        ]
    );
}

#[test]
fn view_is_dropped_before_and_recreated_after_its_table_changes() {
    let definition = "SELECT id, email FROM core.users WHERE active";
    let plan = planned(vec![
        Change::CreateView {
            schema: "core".into(),
            view: view("active_users", definition),
        },
        Change::AlterColumn {
            table: name("users"),
            from: column("email", "character varying(100)"),
            to: column("email", "text"),
        },
        Change::DropView {
            schema: "core".into(),
            view: view("active_users", definition),
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.active_users: drop view core.active_users",
            "core.users: alter type on core.users.email",
            "core.active_users: create view core.active_users",
        ]
    );
}

#[test]
fn views_on_views_are_created_and_dropped_in_mention_order() {
    // By name alone `a_summary` would come first; it reads `z_base`, so it must wait.
    let created = planned(vec![
        Change::CreateView {
            schema: "core".into(),
            view: view("a_summary", "SELECT count(*) FROM z_base"),
        },
        Change::CreateView {
            schema: "core".into(),
            view: view("z_base", "SELECT id FROM core.users"),
        },
    ]);
    assert_eq!(
        outline(&created),
        vec![
            "core.z_base: create view core.z_base",
            "core.a_summary: create view core.a_summary",
        ]
    );
    let dropped = planned(vec![
        Change::DropView {
            schema: "core".into(),
            view: view("z_summary", "SELECT count(*) FROM core.a_base"),
        },
        Change::DropView {
            schema: "core".into(),
            view: view("a_base", "SELECT id FROM core.users"),
        },
    ]);
    assert_eq!(
        outline(&dropped),
        vec![
            "core.z_summary: drop view core.z_summary",
            "core.a_base: drop view core.a_base",
        ]
    );
}

#[test]
fn drops_foreign_key_before_the_table_it_references() {
    let mut users = table("users", &[("id", "bigint")]);
    users.indexes.push(index("users_id_idx", "id"));
    let plan = planned(vec![
        Change::DropTable {
            schema: "core".into(),
            table: users,
        },
        Change::DropTable {
            schema: "core".into(),
            table: table("accounts", &[("id", "bigint"), ("user_id", "bigint")]),
        },
        Change::DropForeignKey {
            table: name("accounts"),
            foreign_key: foreign_key("accounts", "user_id", "users"),
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.accounts: drop foreign key accounts_user_id_fkey from core.accounts, \
             drop table core.accounts",
            "core.users: drop table core.users",
        ]
    );
}

#[test]
fn adds_a_column_before_the_index_and_foreign_key_using_it() {
    let plan = planned(vec![
        Change::CreateIndex {
            table: name("orders"),
            index: index("orders_user_id_idx", "user_id"),
        },
        add_foreign_key("orders", "user_id", "users"),
        Change::AddColumn {
            table: name("orders"),
            column: column("user_id", "bigint"),
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.orders: add column core.orders.user_id, \
             create index orders_user_id_idx on core.orders, \
             add foreign key orders_user_id_fkey to core.orders"
        ]
    );
}

#[test]
fn sequence_owned_by_the_column_using_it_is_created_first() {
    let mut users = table("users", &[("id", "bigint")]);
    users.columns[0].default = Some("nextval('core.users_id_seq'::regclass)".into());
    let plan = planned(vec![
        Change::CreateTable {
            schema: "core".into(),
            table: users,
        },
        Change::CreateSequence {
            schema: "core".into(),
            sequence: Sequence {
                name: "users_id_seq".into(),
                data_type: "bigint".into(),
                start: None,
                increment: None,
                min_value: None,
                max_value: None,
                cache: None,
                cycle: false,
                owned_by: Some("users.id".into()),
            },
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.users_id_seq: create sequence core.users_id_seq",
            "core.users: create table core.users",
        ]
    );
}

#[test]
fn renamed_table_shares_a_file_with_its_later_changes() {
    let plan = planned(vec![
        Change::AddColumn {
            table: name("users"),
            column: column("email", "text"),
        },
        Change::RenameTable {
            schema: "core".into(),
            from: "people".into(),
            to: "users".into(),
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec!["core.users: rename table core.people to users, add column core.users.email"]
    );
}

#[test]
fn schemas_and_extensions_come_first_and_go_last() {
    let plan = planned(vec![
        Change::DropSchema {
            name: "legacy".into(),
        },
        Change::CreateTable {
            schema: "billing".into(),
            table: table("invoices", &[("id", "bigint"), ("email", "citext")]),
        },
        Change::DropTable {
            schema: "legacy".into(),
            table: table("old", &[("id", "bigint")]),
        },
        Change::CreateExtension {
            extension: crate::model::Extension {
                name: "citext".into(),
                schema: None,
            },
        },
        Change::CreateSchema {
            name: "billing".into(),
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "billing: create schema billing",
            "citext: create extension citext",
            "legacy.old: drop table legacy.old",
            "billing.invoices: create table billing.invoices",
            "legacy: drop schema legacy",
        ]
    );
}

#[test]
fn keeps_added_columns_in_their_declared_order() {
    let plan = planned(vec![
        Change::AddColumn {
            table: name("users"),
            column: column("zip", "text"),
        },
        Change::AddColumn {
            table: name("users"),
            column: column("city", "text"),
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec!["core.users: add column core.users.zip, add column core.users.city"]
    );
}

fn mixed_changes() -> Vec<Change> {
    vec![
        Change::CreateEnum {
            schema: "core".into(),
            value: role_enum(&["admin", "member"]),
        },
        create_table("users", &[("id", "bigint"), ("role", "user_role")]),
        create_table("teams", &[("id", "bigint"), ("owner_id", "bigint")]),
        add_foreign_key("teams", "owner_id", "users"),
        add_foreign_key("users", "team_id", "teams"),
        Change::AddColumn {
            table: name("users"),
            column: column("team_id", "bigint"),
        },
        Change::DropView {
            schema: "core".into(),
            view: view(
                "team_sizes",
                "SELECT team_id, count(*) FROM accounts GROUP BY 1",
            ),
        },
        Change::DropColumn {
            table: name("accounts"),
            column: column("team_id", "bigint"),
        },
        Change::DropIndex {
            table: name("accounts"),
            index: index("accounts_team_id_idx", "team_id"),
        },
        Change::CreateView {
            schema: "core".into(),
            view: view("admins", "SELECT id FROM core.users WHERE role = 'admin'"),
        },
        Change::CreateSchema {
            name: "core".into(),
        },
    ]
}

#[test]
fn order_does_not_depend_on_input_order() {
    let expected = planned(mixed_changes());
    let count = mixed_changes().len();
    for rotation in 1..count {
        let mut changes = mixed_changes();
        changes.rotate_left(rotation);
        assert_eq!(planned(changes), expected, "rotated by {rotation}");
    }
    let mut reversed = mixed_changes();
    reversed.reverse();
    assert_eq!(planned(reversed), expected);
    let mut interleaved = mixed_changes();
    interleaved.sort_by_key(|c| c.describe().len());
    assert_eq!(planned(interleaved), expected);
}

#[test]
fn plans_a_mixed_change_set_in_dependency_order() {
    assert_eq!(
        outline(&planned(mixed_changes())),
        vec![
            "core: create schema core",
            "core.team_sizes: drop view core.team_sizes",
            "core.accounts: drop index accounts_team_id_idx on core.accounts, \
             drop column core.accounts.team_id",
            "core.user_role: create enum core.user_role",
            "core.teams: create table core.teams",
            "core.users: create table core.users, add column core.users.team_id, \
             add foreign key users_team_id_fkey to core.users",
            "core.teams: add foreign key teams_owner_id_fkey to core.teams",
            "core.admins: create view core.admins",
        ]
    );
}

#[test]
fn reports_a_cycle_naming_the_changes() {
    let result = plan(
        vec![
            Change::CreateView {
                schema: "core".into(),
                view: view("a", "SELECT * FROM b"),
            },
            Change::CreateView {
                schema: "core".into(),
                view: view("b", "SELECT * FROM a"),
            },
        ]
        .into_iter()
        .map(assessed)
        .collect(),
    );
    match result {
        Err(PlanError::Cycle(message)) => {
            assert_eq!(message, "create view core.a, create view core.b")
        }
        other => panic!("expected a cycle, got {other:?}"),
    }
}

#[test]
fn an_empty_change_list_plans_no_files() {
    assert!(planned(Vec::new()).is_empty());
}

#[test]
fn drops_a_column_before_the_sequence_its_default_draws_from() {
    let owned = Sequence {
        name: "users_id_seq".into(),
        data_type: "bigint".into(),
        start: None,
        increment: None,
        min_value: None,
        max_value: None,
        cache: None,
        cycle: false,
        owned_by: Some("users.legacy_id".into()),
    };
    let plan = planned(vec![
        Change::DropSequence {
            schema: "core".into(),
            sequence: owned,
        },
        Change::DropColumn {
            table: name("users"),
            column: Column {
                default: Some("nextval('users_id_seq'::regclass)".into()),
                ..column("legacy_id", "bigint")
            },
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.users: drop column core.users.legacy_id",
            "core.users_id_seq: drop sequence core.users_id_seq",
        ]
    );
}

#[test]
fn foreign_key_waits_for_the_unique_key_it_references() {
    let unique = crate::model::Unique {
        name: "accounts_code_key".into(),
        columns: vec!["code".into()],
        nulls_not_distinct: false,
        deferrable: false,
        initially_deferred: false,
    };
    let mut foreign_key = foreign_key("access", "account_code", "accounts");
    foreign_key.ref_columns = vec!["code".into()];
    let plan = planned(vec![
        Change::AddForeignKey {
            table: name("access"),
            foreign_key,
        },
        Change::AddUnique {
            table: name("accounts"),
            unique,
        },
    ]);
    assert_eq!(
        outline(&plan),
        vec![
            "core.accounts: add unique accounts_code_key to core.accounts",
            "core.access: add foreign key access_account_code_fkey to core.access",
        ]
    );
}
