use super::*;
use crate::model::{ForeignKeyAction, Table};

const FIXTURES: [(&str, &str); 3] = [
    (
        "tests/import/gorm/shop/legacy.go",
        include_str!("../../../tests/import/gorm/shop/legacy.go"),
    ),
    (
        "tests/import/gorm/shop/order.go",
        include_str!("../../../tests/import/gorm/shop/order.go"),
    ),
    (
        "tests/import/gorm/shop/user.go",
        include_str!("../../../tests/import/gorm/shop/user.go"),
    ),
];

fn shop() -> GormImport {
    let files: Vec<(PathBuf, String)> = FIXTURES
        .iter()
        .map(|(path, text)| (PathBuf::from(path), text.to_string()))
        .collect();
    import(&files, "core")
}

fn table<'m>(import: &'m GormImport, name: &str) -> &'m Table {
    import
        .model
        .table(&QualifiedName::new("core", name))
        .unwrap_or_else(|| panic!("no table {name}: {:?}", import.tables))
}

fn column_types(table: &Table) -> Vec<(String, String, bool)> {
    table
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.data_type.clone(), c.nullable))
        .collect()
}

fn owned(rows: &[(&str, &str, bool)]) -> Vec<(String, String, bool)> {
    rows.iter()
        .map(|(n, t, null)| (n.to_string(), t.to_string(), *null))
        .collect()
}

#[test]
fn imports_every_model_and_join_table_and_no_embedded_struct() {
    let import = shop();
    let mut names: Vec<&str> = import.tables.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "api_keys",
            "attachments",
            "comments",
            "companies",
            "languages",
            "order_items",
            "profiles",
            "shop_orders",
            "user_friends",
            "user_languages",
            "users",
        ]
    );
}

#[test]
fn gorm_model_gives_id_timestamps_and_an_indexed_deleted_at() {
    let import = shop();
    let users = table(&import, "users");
    assert_eq!(
        column_types(users)[..5],
        owned(&[
            ("id", "bigserial", false),
            ("created_at", "timestamp with time zone", true),
            ("updated_at", "timestamp with time zone", true),
            ("deleted_at", "timestamp with time zone", true),
            ("email", "character varying(255)", false),
        ])[..]
    );
    let key = users.primary_key.as_ref().expect("a primary key");
    assert_eq!(
        (key.name.as_str(), key.columns.as_slice()),
        ("users_pkey", &["id".to_string()][..])
    );
    let deleted = users
        .indexes
        .iter()
        .find(|i| i.name == "idx_users_deleted_at")
        .expect("deleted_at index");
    assert_eq!(deleted.keys[0].target, "deleted_at");
    assert!(!users.columns.iter().any(|c| c.name == "password"));
}

#[test]
fn types_and_nullability_follow_gorms_postgres_driver() {
    let import = shop();
    let users = table(&import, "users");
    assert_eq!(
        column_types(users)[5..],
        owned(&[
            ("name", "text", true),
            ("age", "bigint", true),
            ("nickname", "text", true),
            ("active", "boolean", false),
            ("settings", "jsonb", true),
            ("last_login", "timestamp with time zone", true),
            ("company_id", "bigint", true),
        ])[..]
    );
    assert_eq!(
        users.column("active").unwrap().default.as_deref(),
        Some("true")
    );
    assert_eq!(
        users.column("settings").unwrap().default.as_deref(),
        Some("'{}'")
    );
    assert_eq!(
        users.column("nickname").unwrap().comment.as_deref(),
        Some("shown instead of the name")
    );
    let orders = table(&import, "shop_orders");
    assert_eq!(
        column_types(orders),
        owned(&[
            ("id", "bigserial", false),
            ("user_id", "bigint", false),
            ("placed_at", "timestamp with time zone", true),
            ("status", "character varying(20)", true),
            ("amount", "numeric(10,2)", false),
            ("total", "numeric", true),
            ("quantity", "integer", true),
            ("tags", "text[]", true),
            ("ship_street", "character varying(200)", true),
            ("ship_city", "character varying(100)", true),
            ("created_at", "timestamp with time zone", false),
            ("updated_at", "timestamp with time zone", true),
        ])
    );
    assert_eq!(
        orders.column("status").unwrap().default.as_deref(),
        Some("'pending'")
    );
    assert_eq!(
        orders.column("amount").unwrap().default.as_deref(),
        Some("0")
    );
    assert_eq!(
        orders.column("created_at").unwrap().default.as_deref(),
        Some("now()")
    );
    let items = table(&import, "order_items");
    assert_eq!(
        column_types(items),
        owned(&[
            ("id", "bigserial", false),
            ("order_id", "bigint", false),
            ("sku", "character varying(64)", false),
            ("count", "smallint", true),
        ])
    );
    let companies = table(&import, "companies");
    assert_eq!(
        column_types(companies),
        owned(&[
            ("id", "bigserial", false),
            ("name", "character varying(100)", true),
            ("http_url", "text", true),
        ])
    );
    let profiles = table(&import, "profiles");
    assert_eq!(profiles.column("avatar").unwrap().data_type, "bytea");
}

#[test]
fn composite_keys_are_not_serial() {
    let import = shop();
    let keys = table(&import, "api_keys");
    assert_eq!(
        column_types(keys),
        owned(&[
            ("user_id", "bigint", false),
            ("label", "character varying(40)", false),
            ("secret", "bytea", false),
            ("expires_at", "timestamp with time zone", true),
        ])
    );
    assert_eq!(
        keys.primary_key.as_ref().unwrap().columns,
        ["user_id", "label"]
    );
}

#[test]
fn indexes_are_named_composite_partial_sorted_and_gin() {
    let import = shop();
    let users = table(&import, "users");
    let name_age = users
        .indexes
        .iter()
        .find(|i| i.name == "idx_users_name_age")
        .expect("composite index");
    let targets: Vec<&str> = name_age.keys.iter().map(|k| k.target.as_str()).collect();
    assert_eq!(targets, ["name", "age"]);
    let orders = table(&import, "shop_orders");
    let names: Vec<&str> = orders.indexes.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "idx_orders_open",
            "idx_orders_user_placed",
            "idx_shop_orders_city",
            "idx_shop_orders_tags",
        ]
    );
    let open = &orders.indexes[0];
    assert_eq!(open.predicate.as_deref(), Some("status <> 'done'"));
    let placed = &orders.indexes[1];
    assert!(!placed.keys[0].descending && placed.keys[1].descending);
    assert_eq!(orders.indexes[3].method, "gin");
    let companies = table(&import, "companies");
    assert!(companies.indexes[0].unique);
    assert_eq!(companies.indexes[0].name, "idx_companies_name");
}

#[test]
fn unique_and_check_constraints_get_gorms_names() {
    let import = shop();
    let users = table(&import, "users");
    assert_eq!(users.uniques[0].name, "uni_users_email");
    assert_eq!(users.checks[0].name, "chk_users_age");
    assert_eq!(users.checks[0].expression, "age >= 0");
    let orders = table(&import, "shop_orders");
    assert_eq!(orders.checks[0].name, "positive_quantity");
    assert_eq!(orders.checks[0].expression, "quantity > 0");
}

#[test]
fn relations_become_foreign_keys_with_their_actions() {
    let import = shop();
    let users = table(&import, "users");
    let company = &users.foreign_keys[0];
    assert_eq!(company.name, "fk_users_company");
    assert_eq!(
        (
            company.columns.as_slice(),
            company.ref_table.as_str(),
            company.ref_columns.as_slice()
        ),
        (
            &["company_id".to_string()][..],
            "companies",
            &["id".to_string()][..]
        )
    );
    assert_eq!(company.on_delete, ForeignKeyAction::SetNull);
    assert_eq!(company.on_update, ForeignKeyAction::Cascade);
    let orders = table(&import, "shop_orders");
    let user = &orders.foreign_keys[0];
    assert_eq!(user.name, "fk_users_orders");
    assert_eq!(user.on_delete, ForeignKeyAction::Cascade);
    let profiles = table(&import, "profiles");
    assert_eq!(profiles.foreign_keys[0].name, "fk_users_profile");
    // The belongs-to (OrderItem.Order) and the has-many (Order.Items) name the same key:
    // GORM keeps the has-many's constraint.
    let items = table(&import, "order_items");
    assert_eq!(items.foreign_keys.len(), 1);
    assert_eq!(items.foreign_keys[0].name, "fk_shop_orders_items");
    let keys = table(&import, "api_keys");
    assert_eq!(keys.foreign_keys[0].name, "fk_users_api_keys");
}

#[test]
fn many2many_makes_a_join_table_with_both_keys() {
    let import = shop();
    let join = table(&import, "user_languages");
    assert_eq!(
        column_types(join),
        owned(&[
            ("user_id", "bigint", false),
            ("language_code", "character varying(8)", false),
        ])
    );
    assert_eq!(
        join.primary_key.as_ref().unwrap().columns,
        ["user_id", "language_code"]
    );
    let names: Vec<&str> = join.foreign_keys.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["fk_user_languages_language", "fk_user_languages_user"]
    );
    let friends = table(&import, "user_friends");
    let columns: Vec<&str> = friends.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["user_id", "friend_id"]);
    assert_eq!(friends.foreign_keys[0].name, "fk_user_friends_friends");
}

#[test]
fn what_cannot_be_mapped_is_a_warning_naming_file_and_line() {
    let import = shop();
    let messages: Vec<String> = import.warnings.iter().map(ToString::to_string).collect();
    let expect = |needle: &str| {
        assert!(
            messages.iter().any(|m| m.contains(needle)),
            "no warning with {needle:?} in {messages:#?}"
        );
    };
    expect("legacy.go:12:2: field Price has type decimal.Decimal");
    expect("legacy.go:13:2: field Extra has type map[string]any");
    expect("legacy.go:14:2: field Payload: serializer:json");
    expect("legacy.go:16:2: field Commentable: unknown gorm tag \"FANCY\"");
    expect("legacy.go:17:2: field Attachments: polymorphic associations");
    expect("legacy.go:32:9: TableName() of Comment does not return a string literal");
    let comments = table(&import, "comments");
    let columns: Vec<&str> = comments.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        columns,
        [
            "id",
            "created_at",
            "updated_at",
            "deleted_at",
            "body",
            "commentable_id",
            "commentable"
        ]
    );
}

#[test]
fn output_does_not_depend_on_file_order() {
    let mut files: Vec<(PathBuf, String)> = FIXTURES
        .iter()
        .map(|(path, text)| (PathBuf::from(path), text.to_string()))
        .collect();
    let first = import(&files, "core");
    files.reverse();
    let second = import(&files, "core");
    assert_eq!(first.model, second.model);
    assert_eq!(first.warnings, second.warnings);
}
