//! A MySQL connection end to end against a throwaway MariaDB: `bfm generate` renders the schema
//! files with the MySQL dialect, `bfm apply` runs the migrations statement by statement and
//! records them, `bfm check` finds the live database equal to the schema files, a second change
//! is generated and applied, and `bfm down` undoes it. Events, partitions, views and triggers
//! go through the same loop, each test on a database of its own.

#[path = "support/project.rs"]
mod project;
mod support;

use project::{Project, assert_success, stdout};
use sqlx::mysql::MySqlPool;
use std::process::Output;
use support::mariadb::{TestDatabase, fresh_database};

/// A throwaway database on the test server, a project whose connection `shop` manages the
/// database `schema` in it, and a pool to look at the server with.
struct Shop {
    project: Project,
    admin: MySqlPool,
    /// Last, so that the database is dropped after the project and the pool are gone.
    _database: TestDatabase,
}

/// A [`Shop`] whose schema file `schema/shop/<file>` holds `text`. The tests of this file run
/// at the same time on one server, so each passes a `schema` of its own.
async fn shop(schema: &str, file: &str, text: &str) -> Shop {
    let database = fresh_database().await;
    let yaml = format!(
        "state:\n  backend: sqlite\n  path: .bfm/state.db\nconnections:\n  shop:\n    \
         backend: mysql\n    schema: {schema}\n"
    );
    let project = Project::new(&yaml, "shop", &database.url);
    let admin = MySqlPool::connect(&database.url).await.unwrap();
    std::fs::create_dir_all(project.path("schema/shop")).unwrap();
    std::fs::write(project.path(&format!("schema/shop/{file}")), text).unwrap();
    Shop {
        project,
        admin,
        _database: database,
    }
}

/// `bfm generate` of a migration named `name` with version `version`.
fn generate(project: &Project, name: &str, version: &str) -> Output {
    project.bfm(&["generate", "--name", name, "--version", version])
}

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
    let Shop {
        project,
        admin,
        _database,
    } = shop("bfm_shop", "tables.sql", TABLES_V1).await;

    assert_success(&generate(&project, "init", "20260101000000"));
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
    assert_success(&generate(&project, "add_name", "20260102000000"));
    assert_success(&project.bfm(&["apply"]));
    assert_eq!(columns(&admin, "customers").await, ["id", "email", "name"]);
    assert_success(&project.bfm(&["check"]));

    assert_success(&project.bfm(&["down"]));
    assert_eq!(columns(&admin, "customers").await, ["id", "email"]);
    admin.close().await;
}

const EVENTS_V1: &str = "\
CREATE TABLE jobs (id BIGINT NOT NULL PRIMARY KEY, done_at DATETIME NULL);
CREATE DEFINER = CURRENT_USER EVENT purge_jobs
ON SCHEDULE EVERY 1 DAY
COMMENT 'nightly'
DO BEGIN
  DELETE FROM jobs WHERE done_at < NOW() - INTERVAL 30 DAY;
  DELETE FROM jobs WHERE done_at IS NULL AND id < 0;
END;
";

/// The comment and interval of each event of `bfm_jobs`, by name.
async fn events(pool: &MySqlPool) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT CAST(event_name AS CHAR), CAST(event_comment AS CHAR), \
         CAST(CONCAT(interval_value, ' ', interval_field) AS CHAR) \
         FROM information_schema.events WHERE event_schema = 'bfm_jobs' ORDER BY event_name",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn scheduled_events_are_created_altered_checked_and_rolled_back() {
    let Shop {
        project,
        admin,
        _database,
    } = shop("bfm_jobs", "jobs.sql", EVENTS_V1).await;

    assert_success(&generate(&project, "init", "20260101000000"));
    assert_success(&project.bfm(&["apply"]));
    let created = vec![(
        "purge_jobs".to_string(),
        "nightly".to_string(),
        "1 DAY".to_string(),
    )];
    assert_eq!(events(&admin).await, created);
    // The live event, its implicit STARTS included, equals the schema file.
    assert_success(&project.bfm(&["check"]));

    std::fs::write(
        project.path("schema/shop/jobs.sql"),
        EVENTS_V1
            .replace("EVERY 1 DAY", "EVERY 2 HOUR")
            .replace("'nightly'", "'hourly'"),
    )
    .unwrap();
    let check = project.bfm(&["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert_success(&generate(&project, "hourly", "20260102000000"));
    // The replayed migration files (the event's BEGIN … END body and the ALTER EVENT read
    // back) equal the schema files: nothing left to generate.
    let again = generate(&project, "again", "20260103000000");
    assert_success(&again);
    assert!(
        stdout(&again).contains("nothing to generate"),
        "{}",
        stdout(&again)
    );
    assert_success(&project.bfm(&["apply"]));
    assert_eq!(
        events(&admin).await,
        [(
            "purge_jobs".to_string(),
            "hourly".to_string(),
            "2 HOUR".to_string()
        )]
    );
    assert_success(&project.bfm(&["check"]));

    assert_success(&project.bfm(&["down"]));
    assert_eq!(events(&admin).await, created);
    admin.close().await;
}

const PARTITIONS_V1: &str = "\
CREATE TABLE events (
  id BIGINT NOT NULL,
  year_num INT NOT NULL,
  PRIMARY KEY (id, year_num)
)
PARTITION BY RANGE (year_num)
(PARTITION p2022 VALUES LESS THAN (2023),
 PARTITION p2023 VALUES LESS THAN (2024));
";

/// The partitions of `table` in `bfm_events`, in their order.
async fn partitions(pool: &MySqlPool, table: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT CAST(partition_name AS CHAR) FROM information_schema.partitions \
         WHERE table_schema = 'bfm_events' AND table_name = ? AND partition_name IS NOT NULL \
         ORDER BY partition_ordinal_position",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn partitions_are_created_added_and_dropped_only_when_allowed() {
    let Shop {
        project,
        admin,
        _database,
    } = shop("bfm_events", "tables.sql", PARTITIONS_V1).await;
    let schema_file = project.path("schema/shop/tables.sql");
    assert_success(&generate(&project, "init", "20260101000000"));
    assert_success(&project.bfm(&["apply"]));
    assert_eq!(partitions(&admin, "events").await, ["p2022", "p2023"]);
    assert_success(&project.bfm(&["check"]));

    // A partition added after the last one.
    let added = PARTITIONS_V1.replace(
        "(2024));",
        "(2024),\n PARTITION p2024 VALUES LESS THAN (2025));",
    );
    std::fs::write(&schema_file, &added).unwrap();
    assert_eq!(project.bfm(&["check"]).status.code(), Some(1));
    assert_success(&generate(&project, "p2024", "20260102000000"));
    assert_success(&project.bfm(&["apply"]));
    assert_eq!(
        partitions(&admin, "events").await,
        ["p2022", "p2023", "p2024"]
    );
    assert_success(&project.bfm(&["check"]));

    // Dropping one deletes its rows: refused without --allow-destructive.
    let dropped = added.replace(" PARTITION p2023 VALUES LESS THAN (2024),\n", "");
    assert_ne!(dropped, added);
    std::fs::write(&schema_file, &dropped).unwrap();
    let args = [
        "generate",
        "--name",
        "drop_p2023",
        "--version",
        "20260103000000",
    ];
    let refused = project.bfm(&args);
    assert_ne!(refused.status.code(), Some(0), "{}", stdout(&refused));
    assert_success(&project.bfm(&[&args[..], &["--allow-destructive"]].concat()));
    assert_success(&project.bfm(&["apply"]));
    assert_eq!(partitions(&admin, "events").await, ["p2022", "p2024"]);
    assert_success(&project.bfm(&["check"]));

    // Down restores the dropped partition (empty), partitioning the table anew since it was
    // not the last one.
    assert_success(&project.bfm(&["down"]));
    assert_eq!(
        partitions(&admin, "events").await,
        ["p2022", "p2023", "p2024"]
    );
    admin.close().await;
}

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
    let Shop {
        project,
        admin,
        _database,
    } = shop("bfm_views", "tables.sql", VIEWS_V1).await;

    assert_success(&generate(&project, "init", "20260101000000"));
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
    assert_success(&generate(&project, "paid_status", "20260102000000"));
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

/// A table and a trigger whose body holds semicolons, a handler, a nested block and a comment.
const TRIGGERS_V1: &str = "\
CREATE TABLE items (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(50),
  sort_order INT NOT NULL DEFAULT 0
);
CREATE TRIGGER items_before_insert BEFORE INSERT ON items FOR EACH ROW
BEGIN
  -- number new rows after the last one; keep the name upper case
  DECLARE CONTINUE HANDLER FOR SQLSTATE '23000' BEGIN END;
  IF NEW.sort_order IS NULL OR NEW.sort_order = 0 THEN
    SET NEW.sort_order = (SELECT COALESCE(MAX(sort_order) + 1, 1) FROM items);
  END IF;
  SET NEW.name = UPPER(NEW.name);
END;
";

async fn trigger_body(pool: &MySqlPool) -> Option<String> {
    sqlx::query_scalar(
        "SELECT CAST(action_statement AS CHAR) FROM information_schema.triggers \
         WHERE trigger_schema = 'bfm_triggers' AND trigger_name = 'items_before_insert'",
    )
    .fetch_optional(pool)
    .await
    .unwrap()
}

/// Inserts a row with `id` and returns the name and order the trigger gave it.
async fn insert(pool: &MySqlPool, id: i32) -> (String, i32) {
    sqlx::query("INSERT INTO bfm_triggers.items (id, name) VALUES (?, 'box')")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query_as("SELECT name, sort_order FROM bfm_triggers.items WHERE id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A trigger with a `BEGIN … END` body: `bfm generate` writes it into a migration file without
/// `DELIMITER`, `bfm apply` sends it as one statement, `bfm check` finds the live trigger equal to
/// the schema file, a changed body is dropped and created again, and `bfm down` restores the
/// previous body.
#[tokio::test]
async fn a_compound_trigger_is_generated_applied_checked_changed_and_rolled_back() {
    let Shop {
        project,
        admin,
        _database,
    } = shop("bfm_triggers", "schema.sql", TRIGGERS_V1).await;

    assert_success(&generate(&project, "init", "20260101000000"));
    let apply = project.bfm(&["apply"]);
    assert_success(&apply);
    let body = trigger_body(&admin).await.expect("the trigger exists");
    assert!(body.starts_with("BEGIN") && body.ends_with("END"), "{body}");
    assert_eq!(insert(&admin, 1).await, ("BOX".to_string(), 1));
    assert_eq!(insert(&admin, 2).await, ("BOX".to_string(), 2));
    // The live trigger inspects equal to the schema file.
    let check = project.bfm(&["check"]);
    assert_success(&check);

    std::fs::write(
        project.path("schema/shop/schema.sql"),
        TRIGGERS_V1.replace("UPPER(NEW.name)", "LOWER(NEW.name)"),
    )
    .unwrap();
    let check = project.bfm(&["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert_success(&generate(&project, "lower_names", "20260102000000"));
    assert_success(&project.bfm(&["apply"]));
    assert!(
        trigger_body(&admin)
            .await
            .unwrap()
            .contains("LOWER(NEW.name)")
    );
    assert_eq!(insert(&admin, 3).await, ("box".to_string(), 3));
    assert_success(&project.bfm(&["check"]));

    assert_success(&project.bfm(&["down"]));
    assert_eq!(trigger_body(&admin).await, Some(body));
    assert_eq!(insert(&admin, 4).await, ("BOX".to_string(), 4));
    admin.close().await;
}
