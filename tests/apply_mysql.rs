//! A MySQL connection end to end against a throwaway MariaDB: `bfm generate` renders the schema
//! files with the MySQL dialect, `bfm apply` runs the migrations statement by statement and
//! records them, `bfm check` finds the live database equal to the schema files, a second change
//! is generated and applied, and `bfm down` undoes it.

#[path = "support/project.rs"]
mod project;
mod support;

use project::{Project, assert_success, stdout};
use sqlx::mysql::MySqlPool;
use support::mariadb::fresh_database;

const SHOP_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  shop:
    backend: mysql
    schema: bfm_shop
";

const TABLES_V1: &str = "\
CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(255) NOT NULL,
  UNIQUE KEY customers_email (email)
);
CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  status ENUM('new', 'paid') NOT NULL DEFAULT 'new',
  CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
);
";

/// The columns of `table` in `bfm_shop`, in their order.
async fn columns(pool: &MySqlPool, table: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
         WHERE table_schema = 'bfm_shop' AND table_name = ? ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn generated_mysql_migrations_apply_check_and_roll_back() {
    let database = fresh_database().await;
    let project = Project::new(SHOP_YAML, "shop", &database.url);
    let admin = MySqlPool::connect(&database.url).await.unwrap();
    std::fs::create_dir_all(project.path("schema/shop")).unwrap();
    std::fs::write(project.path("schema/shop/tables.sql"), TABLES_V1).unwrap();

    assert_success(&project.bfm(&["generate", "--name", "init", "--version", "20260101000000"]));
    let apply = project.bfm(&["apply"]);
    assert_success(&apply);
    assert!(stdout(&apply).contains("applied"), "{}", stdout(&apply));
    assert_eq!(columns(&admin, "customers").await, ["id", "email"]);
    assert_eq!(
        columns(&admin, "orders").await,
        ["id", "customer_id", "status"]
    );
    let records = project.records("shop", "bfm_shop").await;
    assert!(!records.is_empty());
    assert!(
        records
            .iter()
            .all(|r| r.status.as_str() == "applied" && r.backend == "mysql"),
        "{records:?}"
    );
    assert_success(&project.bfm(&["check"]));
    let status = project.bfm(&["status"]);
    assert_success(&status);
    assert!(stdout(&status).contains("applied"), "{}", stdout(&status));

    // A second change: a new column with an index.
    std::fs::write(
        project.path("schema/shop/tables.sql"),
        TABLES_V1.replace(
            "  email VARCHAR(255) NOT NULL,\n",
            "  email VARCHAR(255) NOT NULL,\n  name VARCHAR(100) NULL,\n  KEY customers_name (name),\n",
        ),
    )
    .unwrap();
    let check = project.bfm(&["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert_success(&project.bfm(&[
        "generate",
        "--name",
        "add_name",
        "--version",
        "20260102000000",
    ]));
    assert_success(&project.bfm(&["apply"]));
    assert_eq!(columns(&admin, "customers").await, ["id", "email", "name"]);
    assert_success(&project.bfm(&["check"]));

    assert_success(&project.bfm(&["down"]));
    assert_eq!(columns(&admin, "customers").await, ["id", "email"]);
    admin.close().await;
}

const VIEWS_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  shop:
    backend: mysql
    schema: bfm_views
";

/// The dependent view comes first in the file: the plan must still create what it reads first.
const VIEWS_V1: &str = "\
CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(255) NOT NULL
);
CREATE SQL SECURITY INVOKER VIEW paid_customers AS
  SELECT c.email FROM customers c JOIN paid_orders p ON p.customer_id = c.id;
CREATE VIEW paid_orders AS SELECT id, customer_id FROM bfm_views.orders WHERE status = 'paid';
CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  status VARCHAR(10) NOT NULL
);
";

/// The columns of a table or view of `bfm_views`, and whether a view runs as its invoker.
async fn view_facts(pool: &MySqlPool, view: &str) -> (Vec<String>, String) {
    let columns = sqlx::query_scalar(
        "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
         WHERE table_schema = 'bfm_views' AND table_name = ? ORDER BY ordinal_position",
    )
    .bind(view)
    .fetch_all(pool)
    .await
    .unwrap();
    let security: String = sqlx::query_scalar(
        "SELECT CAST(security_type AS CHAR) FROM information_schema.views \
         WHERE table_schema = 'bfm_views' AND table_name = ?",
    )
    .bind(view)
    .fetch_one(pool)
    .await
    .unwrap();
    (columns, security)
}

#[tokio::test]
async fn views_are_created_in_dependency_order_checked_changed_and_rolled_back() {
    let database = fresh_database().await;
    let project = Project::new(VIEWS_YAML, "shop", &database.url);
    let admin = MySqlPool::connect(&database.url).await.unwrap();
    std::fs::create_dir_all(project.path("schema/shop")).unwrap();
    std::fs::write(project.path("schema/shop/tables.sql"), VIEWS_V1).unwrap();

    assert_success(&project.bfm(&["generate", "--name", "init", "--version", "20260101000000"]));
    assert_success(&project.bfm(&["apply"]));
    assert_eq!(
        view_facts(&admin, "paid_customers").await,
        (vec!["email".to_string()], "INVOKER".to_string())
    );
    assert_eq!(
        view_facts(&admin, "paid_orders").await.0,
        ["id", "customer_id"]
    );
    // The server's rewritten VIEW_DEFINITION compares equal to the written query.
    assert_success(&project.bfm(&["check"]));

    std::fs::write(
        project.path("schema/shop/tables.sql"),
        VIEWS_V1.replace(
            "SELECT id, customer_id FROM",
            "SELECT id, customer_id, status FROM",
        ),
    )
    .unwrap();
    let check = project.bfm(&["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert_success(&project.bfm(&[
        "generate",
        "--name",
        "paid_status",
        "--version",
        "20260102000000",
    ]));
    assert_success(&project.bfm(&["apply"]));
    assert_eq!(
        view_facts(&admin, "paid_orders").await.0,
        ["id", "customer_id", "status"]
    );
    assert_success(&project.bfm(&["check"]));

    assert_success(&project.bfm(&["down"]));
    assert_eq!(
        view_facts(&admin, "paid_orders").await.0,
        ["id", "customer_id"]
    );
    admin.close().await;
}
