//! MySQL inspection against a throwaway MariaDB: what it costs (catalog queries do not grow with
//! the number of tables) and what it reads of partitioned tables; `bfm inspect` writing a live
//! database out as SQL schema files that check equal to it.

#[path = "support/project.rs"]
mod project;
mod support;

use bfm::backend::mysql::inspect::{CATALOG_QUERIES, inspect};
use bfm::model::{Model, MysqlPartitioning, QualifiedName};
use project::{Project, assert_failure, assert_success, stderr};
use sqlx::Row;
use sqlx::mysql::{MySqlPool, MySqlPoolOptions};
use support::mariadb::fresh_database;

const SCHEMA: &str = "app";

/// The SELECTs this session has run (`Com_select`).
async fn selects(pool: &MySqlPool) -> i64 {
    let row = sqlx::query("SHOW SESSION STATUS LIKE 'Com_select'")
        .fetch_one(pool)
        .await
        .unwrap();
    let value: String = row.try_get(1).unwrap();
    value.parse().unwrap()
}

/// Inspects the pool's database, returning the model and the SELECTs it took.
async fn counted_inspect(pool: &MySqlPool, database: &str) -> (Model, i64) {
    let before = selects(pool).await;
    let model = inspect(pool, database, SCHEMA).await.unwrap();
    (model, selects(pool).await - before)
}

async fn run(pool: &MySqlPool, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .unwrap();
}

fn partitioning(model: &Model, table: &str) -> Option<MysqlPartitioning> {
    let table = model.table(&QualifiedName::new(SCHEMA, table)).unwrap();
    table.mysql.as_ref().and_then(|m| m.partitioning.clone())
}

#[tokio::test]
async fn catalog_queries_do_not_grow_with_tables_and_read_partitions() {
    let database = fresh_database().await;
    let name = database.url.rsplit('/').next().unwrap().to_string();
    // One connection, so that the session counter sees every query.
    let pool = MySqlPoolOptions::new()
        .max_connections(1)
        .connect(&database.url)
        .await
        .unwrap();
    run(&pool, "CREATE TABLE plain (id int PRIMARY KEY)").await;
    let (_, few) = counted_inspect(&pool, &name).await;
    for n in 0..8 {
        run(
            &pool,
            &format!(
                "CREATE TABLE sales_{n} (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y)) \
                 PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2024), \
                 PARTITION pmax VALUES LESS THAN MAXVALUE)"
            ),
        )
        .await;
    }
    run(
        &pool,
        "CREATE TABLE hashed (id int PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 3",
    )
    .await;
    run(
        &pool,
        "CREATE EVENT purge_plain ON SCHEDULE EVERY 1 HOUR DO DELETE FROM plain;\n\
         CREATE VIEW plain_ids AS SELECT id FROM plain;\n\
         CREATE TRIGGER plain_positive BEFORE INSERT ON plain FOR EACH ROW SET NEW.id = abs(NEW.id)",
    )
    .await;
    let (model, many) = counted_inspect(&pool, &name).await;
    assert_eq!(few, CATALOG_QUERIES as i64);
    assert_eq!(many, CATALOG_QUERIES as i64);
    let schema = &model.schemas[SCHEMA];
    assert_eq!(schema.events.len(), 1);
    assert_eq!(schema.views.len(), 1);
    assert_eq!(schema.triggers.get("plain").map(|t| t.len()), Some(1));

    assert_eq!(partitioning(&model, "plain"), None);
    let sales = partitioning(&model, "sales_3").expect("sales_3 is partitioned");
    assert_eq!(
        (sales.method.as_str(), sales.expression.as_str()),
        ("RANGE", "y")
    );
    let bounds: Vec<(&str, Vec<String>)> = sales
        .partitions
        .iter()
        .map(|p| (p.name.as_str(), p.values.clone()))
        .collect();
    assert_eq!(
        bounds,
        [
            ("p0", vec!["2024".to_string()]),
            ("pmax", vec!["MAXVALUE".to_string()])
        ]
    );
    let hashed = partitioning(&model, "hashed").expect("hashed is partitioned");
    assert_eq!(hashed.partitions.len(), 3);
    pool.close().await;
}

/// Every kind of object the MySQL backend manages, as a team's database may already hold it.
const EXISTING: &str = "\
CREATE TABLE customers (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL,
  UNIQUE KEY customers_email (email)) COMMENT 'who buys';
CREATE TABLE sales (id bigint NOT NULL, y int NOT NULL, customer_id bigint NOT NULL,
  PRIMARY KEY (id, y)) PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2025),
  PARTITION pmax VALUES LESS THAN MAXVALUE);
CREATE VIEW customer_emails AS SELECT id, email FROM customers WHERE email <> '';
CREATE TRIGGER customers_lower BEFORE INSERT ON customers FOR EACH ROW
  SET NEW.email = lower(NEW.email);
CREATE EVENT purge_sales ON SCHEDULE EVERY 1 DAY DO DELETE FROM sales WHERE y < 2000;
";

#[tokio::test]
async fn inspect_writes_sql_files_that_check_equal_and_refuses_yaml() {
    let database = fresh_database().await;
    let name = database.url.rsplit('/').next().unwrap().to_string();
    let pool = MySqlPool::connect(&database.url).await.unwrap();
    run(&pool, EXISTING).await;
    let yaml = format!(
        "state:\n  backend: sqlite\n  path: .bfm/state.db\nconnections:\n  shop:\n    \
         backend: mysql\n    schema: {name}\n"
    );
    let project = Project::new(&yaml, "shop", &database.url);

    let refused = project.bfm(&["inspect"]);
    assert_failure(&refused);
    assert!(
        stderr(&refused).contains("--format sql"),
        "{}",
        stderr(&refused)
    );

    let out = project.path("schema/shop");
    let out_arg = out.to_str().unwrap();
    assert_success(&project.bfm(&["inspect", "--format", "sql", "--out", out_arg]));
    let mut written = String::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        written.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for expected in [
        "CREATE TABLE `customers`",
        "PARTITION BY RANGE",
        "CREATE VIEW",
        "CREATE TRIGGER",
        "CREATE EVENT",
    ] {
        assert!(
            written.contains(expected),
            "{expected} missing from:\n{written}"
        );
    }
    assert!(
        !written.contains(&name),
        "the database name is written:\n{written}"
    );
    // The files load back to the live database's model.
    assert_success(&project.bfm(&["check"]));
    pool.close().await;
}
