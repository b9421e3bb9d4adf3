//! A MySQL trigger with a `BEGIN … END` body end to end against a throwaway MariaDB: `bfm
//! generate` writes it into a migration file without `DELIMITER`, `bfm apply` sends it as one
//! statement, `bfm check` finds the live trigger equal to the schema file, a changed body is
//! dropped and created again, and `bfm down` restores the previous body.

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
    schema: bfm_triggers
";

/// A table and a trigger whose body holds semicolons, a handler, a nested block and a comment.
const SCHEMA_V1: &str = "\
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

#[tokio::test]
async fn a_compound_trigger_is_generated_applied_checked_changed_and_rolled_back() {
    let database = fresh_database().await;
    let project = Project::new(SHOP_YAML, "shop", &database.url);
    let admin = MySqlPool::connect(&database.url).await.unwrap();
    std::fs::create_dir_all(project.path("schema/shop")).unwrap();
    std::fs::write(project.path("schema/shop/schema.sql"), SCHEMA_V1).unwrap();

    assert_success(&project.bfm(&["generate", "--name", "init", "--version", "20260101000000"]));
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
        SCHEMA_V1.replace("UPPER(NEW.name)", "LOWER(NEW.name)"),
    )
    .unwrap();
    let check = project.bfm(&["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert_success(&project.bfm(&[
        "generate",
        "--name",
        "lower_names",
        "--version",
        "20260102000000",
    ]));
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
