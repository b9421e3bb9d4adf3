use super::*;

fn parsed(sql: &str) -> Result<MysqlPartitioning, StatementError> {
    let span = find_clause(sql).expect("the statement has a PARTITION BY clause");
    parse_clause(sql, span)
}

fn partition(name: &str, values: &[&str]) -> MysqlPartition {
    MysqlPartition {
        name: name.to_string(),
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

fn catalog(method: &str, expression: &str, rows: &[(&str, Option<&str>)]) -> Vec<CatalogPartition> {
    rows.iter()
        .map(|(name, description)| CatalogPartition {
            method: method.to_string(),
            expression: expression.to_string(),
            name: name.to_string(),
            description: description.map(str::to_string),
        })
        .collect()
}

const BY_YEAR: &str = "CREATE TABLE users (\n  joined date NOT NULL\n) ENGINE=InnoDB\n\
    /*!50100 PARTITION BY RANGE (YEAR(`joined`))\n\
    (PARTITION p2021 VALUES LESS THAN (2022),\n PARTITION pmax VALUES LESS THAN MAXVALUE) */";

#[test]
fn reads_a_range_clause_inside_a_versioned_comment() {
    let span = find_clause(BY_YEAR).unwrap();
    assert_eq!(&BY_YEAR[..span.cut], BY_YEAR.split("/*!").next().unwrap());
    assert_eq!(
        parse_clause(BY_YEAR, span).unwrap(),
        MysqlPartitioning {
            method: "RANGE".into(),
            expression: "year(joined)".into(),
            partitions: vec![
                partition("p2021", &["2022"]),
                partition("pmax", &["MAXVALUE"])
            ],
        }
    );
}

#[test]
fn reads_range_columns_and_list_columns_bounds_as_the_catalog_prints_them() {
    let range = parsed(
        "CREATE TABLE o (d date, r varchar(9)) PARTITION BY RANGE COLUMNS (d, `r`) \
         (PARTITION p1 VALUES LESS THAN ('2024-04-01', \"x\"), \
          PARTITION p_max VALUES LESS THAN (MAXVALUE, MAXVALUE))",
    )
    .unwrap();
    assert_eq!(range.method, "RANGE COLUMNS");
    assert_eq!(range.expression, "d,r");
    assert_eq!(range.partitions[0].values, ["'2024-04-01'", "'x'"]);
    assert_eq!(range.partitions[1].values, ["MAXVALUE", "MAXVALUE"]);
    let list = parsed(
        "CREATE TABLE l (a int, b char(1)) PARTITION BY LIST COLUMNS (a, b) \
         (PARTITION `p one` VALUES IN ((1, 'x'), (2, 'y')))",
    )
    .unwrap();
    assert_eq!(
        list.partitions,
        [partition("p one", &["(1,'x')", "(2,'y')"])]
    );
    let from_server = from_catalog(&catalog(
        "LIST COLUMNS",
        "`a`,`b`",
        &[("p one", Some("(1,'x'),(2,'y')"))],
    ))
    .unwrap();
    assert_eq!(from_server, Some(list));
}

#[test]
fn hash_and_key_partitions_are_numbered_as_the_server_names_them() {
    let hash = parsed("CREATE TABLE c (id int) PARTITION BY HASH (id + 1) PARTITIONS 3").unwrap();
    assert_eq!(hash.method, "HASH");
    assert_eq!(hash.expression, "id + 1");
    let names: Vec<&str> = hash.partitions.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["p0", "p1", "p2"]);
    let key = parsed("CREATE TABLE m (s int, r int) PARTITION BY LINEAR KEY (s, r)").unwrap();
    assert_eq!(
        key,
        MysqlPartitioning {
            method: "LINEAR KEY".into(),
            expression: "s,r".into(),
            partitions: vec![partition("p0", &[])],
        }
    );
    let from_server = from_catalog(&catalog("LINEAR KEY", "`s`,`r`", &[("p0", None)])).unwrap();
    assert_eq!(from_server, Some(key));
}

#[test]
fn a_list_clause_reads_like_its_catalog_rows() {
    let list = parsed(
        "CREATE TABLE r (c int) PARTITION BY LIST (c) \
         (PARTITION p_north VALUES IN (1, 2, -3) ENGINE = InnoDB, PARTITION p_null VALUES IN (NULL))",
    )
    .unwrap();
    let from_server = from_catalog(&catalog(
        "LIST",
        "`c`",
        &[("p_north", Some("1,2,-3")), ("p_null", Some("NULL"))],
    ))
    .unwrap();
    assert_eq!(from_server, Some(list));
}

#[test]
fn ignores_partition_by_inside_strings_comments_and_parentheses() {
    let sql = "CREATE TABLE t (c int COMMENT 'PARTITION BY x', d int) -- PARTITION BY y\n";
    assert_eq!(find_clause(sql), None);
    assert_eq!(find_clause("CREATE TABLE partition_by (id int)"), None);
}

#[test]
fn an_error_names_the_offset_in_the_statement() {
    let sql = "CREATE TABLE t (c int)\nPARTITION BY RANGE (c)\n(PARTITION p0 VALUES LESS (10))";
    let error = parsed(sql).unwrap_err();
    assert_eq!(error.message, "PARTITION BY: expected THAN, found `(`");
    assert_eq!(error.offset, Some(sql.find("(10)").unwrap()));
}

#[test]
fn an_error_in_the_expression_is_placed_inside_it() {
    let sql = "CREATE TABLE t (c int) PARTITION BY HASH (c +)";
    let error = parsed(sql).unwrap_err();
    let offset = error.offset.expect("an offset");
    assert!(offset >= sql.find("(c +)").unwrap(), "{error:?}");
}

#[test]
fn refuses_what_bfm_does_not_manage_with_the_usual_wording() {
    let sub = parsed(
        "CREATE TABLE t (c int, d int) PARTITION BY RANGE (c) SUBPARTITION BY HASH (d) \
         (PARTITION p0 VALUES LESS THAN (1))",
    )
    .unwrap_err();
    assert!(
        sub.message
            .starts_with("unsupported MySQL DDL: bfm does not manage subpartitions")
    );
    let bound = parsed(
        "CREATE TABLE t (d date) PARTITION BY RANGE (to_days(d)) \
         (PARTITION p0 VALUES LESS THAN (to_days('2024-01-01')))",
    )
    .unwrap_err();
    assert!(
        bound
            .message
            .contains("partition bounds other than literals"),
        "{bound:?}"
    );
}

#[test]
fn a_rendered_clause_reads_back_the_same() {
    for sql in [
        BY_YEAR,
        "CREATE TABLE c (id int) PARTITION BY LINEAR HASH (id) PARTITIONS 4",
        "CREATE TABLE c (id int) PARTITION BY KEY () PARTITIONS 2",
        "CREATE TABLE c (id int) PARTITION BY HASH (id) (PARTITION a, PARTITION b)",
        "CREATE TABLE l (a int, b char(1)) PARTITION BY LIST COLUMNS (a, b) \
         (PARTITION `p one` VALUES IN ((1, 'x'), (2, 'y')))",
    ] {
        let partitioning = parsed(sql).unwrap();
        let rendered = format!("CREATE TABLE t (id int) {}", clause(&partitioning));
        assert_eq!(parsed(&rendered).unwrap(), partitioning, "{rendered}");
    }
}

fn by_year(years: &[u32]) -> MysqlPartitioning {
    MysqlPartitioning {
        method: "RANGE".into(),
        expression: "year_num".into(),
        partitions: years
            .iter()
            .map(|y| partition(&format!("p{y}"), &[&(y + 1).to_string()]))
            .collect(),
    }
}

#[test]
fn partitions_added_at_the_end_or_dropped_are_altered_one_by_one() {
    let (two, three) = (by_year(&[2022, 2023]), by_year(&[2022, 2023, 2024]));
    assert_eq!(
        statements("`t`", Some(&two), Some(&three)),
        ["ALTER TABLE `t` ADD PARTITION (PARTITION `p2024` VALUES LESS THAN (2025))"]
    );
    assert_eq!(
        statements("`t`", Some(&three), Some(&by_year(&[2022, 2024]))),
        ["ALTER TABLE `t` DROP PARTITION `p2023`"]
    );
}

#[test]
fn other_changes_partition_the_table_anew_or_remove_partitioning() {
    let moved = by_year(&[2023, 2022]);
    assert_eq!(
        statements("`t`", Some(&by_year(&[2022, 2023])), Some(&moved)),
        [format!("ALTER TABLE `t` {}", clause(&moved))]
    );
    assert_eq!(
        statements("`t`", Some(&moved), None),
        ["ALTER TABLE `t` REMOVE PARTITIONING"]
    );
    assert_eq!(
        statements("`t`", Some(&moved), Some(&moved)),
        Vec::<String>::new()
    );
}

#[test]
fn alter_table_adds_and_drops_partitions_of_the_current_partitioning() {
    let sql = "ALTER TABLE `db`.t ADD PARTITION (PARTITION p2024 VALUES LESS THAN (2025))";
    let (name, at) = alter_target(sql).unwrap();
    assert_eq!(name, ["db", "t"]);
    let two = by_year(&[2022, 2023]);
    assert_eq!(
        alter(sql, at, Some(&two)).unwrap(),
        Some(by_year(&[2022, 2023, 2024]))
    );
    let sql = "ALTER TABLE t DROP PARTITION p2022";
    let (_, at) = alter_target(sql).unwrap();
    assert_eq!(alter(sql, at, Some(&two)).unwrap(), Some(by_year(&[2023])));
    let sql = "ALTER TABLE t DROP PARTITION nope";
    let (_, at) = alter_target(sql).unwrap();
    let error = alter(sql, at, Some(&two)).unwrap_err();
    assert_eq!(error.offset, Some(sql.find("nope").unwrap()));
    let sql = "ALTER TABLE t REMOVE PARTITIONING";
    let (_, at) = alter_target(sql).unwrap();
    assert_eq!(alter(sql, at, Some(&two)).unwrap(), None);
}

#[test]
fn only_partition_operations_of_alter_table_are_read_here() {
    let operation = |sql: &str| {
        let (_, at) = alter_target(sql).unwrap();
        is_partition_operation(sql, at)
    };
    assert!(!operation(
        "ALTER TABLE t ADD COLUMN c int COMMENT 'partition by'"
    ));
    assert!(operation("ALTER TABLE t PARTITION BY HASH (id)"));
    let sql = "ALTER TABLE t COALESCE PARTITION 2";
    assert!(operation(sql));
    let (_, at) = alter_target(sql).unwrap();
    let error = alter(sql, at, Some(&by_year(&[2022]))).unwrap_err();
    assert_eq!(
        error.message,
        "unsupported MySQL DDL: bfm does not manage this partition operation"
    );
}

#[test]
fn a_clause_error_in_a_schema_file_names_its_line_and_column() {
    use crate::backend::SchemaContext;
    use crate::backend::mysql::Mysql;
    use crate::source::{LoadError, LoadOptions, load_sql_text};
    let text = "CREATE TABLE a (id int);\n\nCREATE TABLE t (y int)\nPARTITION BY RANGE (y)\n\
                (PARTITION p0 VALUES LESS (10));\n";
    let context = SchemaContext {
        default_schema: "app".to_string(),
    };
    let options = LoadOptions {
        dialect: &Mysql,
        context: &context,
    };
    match load_sql_text(text, std::path::Path::new("s.sql"), options) {
        Err(LoadError::Invalid { location, .. }) => {
            assert_eq!((location.line, location.column), (5, 27));
        }
        other => panic!("expected an invalid-input error, got {other:?}"),
    }
}

#[test]
fn a_partitioned_schema_file_loads_its_partitioning_on_the_table() {
    use crate::backend::SchemaContext;
    use crate::backend::mysql::Mysql;
    use crate::model::QualifiedName;
    use crate::source::{LoadOptions, load_sql_text};
    let text = "CREATE TABLE t (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y))\n\
                PARTITION BY RANGE (y) (PARTITION p2022 VALUES LESS THAN (2023));\n\
                ALTER TABLE t ADD PARTITION (PARTITION p2023 VALUES LESS THAN (2024));\n";
    let context = SchemaContext {
        default_schema: "app".to_string(),
    };
    let options = LoadOptions {
        dialect: &Mysql,
        context: &context,
    };
    let model = load_sql_text(text, std::path::Path::new("s.sql"), options).unwrap();
    let table = model.table(&QualifiedName::new("app", "t")).unwrap();
    let partitioning = table.mysql.as_ref().and_then(|m| m.partitioning.clone());
    let mut expected = by_year(&[2022, 2023]);
    expected.expression = "y".into();
    assert_eq!(partitioning, Some(expected));
}

#[test]
fn bounds_are_spelled_as_the_server_prints_them() {
    let list = parsed(
        "CREATE TABLE q (n int) PARTITION BY LIST (n) (PARTITION a VALUES IN (-1, +2, 003))",
    )
    .unwrap();
    assert_eq!(list.partitions[0].values, ["-1", "2", "3"]);
    let strings = parsed(
        "CREATE TABLE q (s text) PARTITION BY LIST COLUMNS (s) \
         (PARTITION a VALUES IN ('O''Brien', 'x\\\\y', \"dq\"))",
    )
    .unwrap();
    let from_server = from_catalog(&catalog(
        "LIST COLUMNS",
        "`s`",
        &[("a", Some("'O''Brien','x\\\\y','dq'"))],
    ))
    .unwrap();
    assert_eq!(from_server, Some(strings));
}

#[test]
fn partition_by_among_other_alter_table_operations_is_refused() {
    use crate::backend::mysql::Mysql;
    use crate::backend::{Dialect, SchemaContext, StatementText};
    let context = SchemaContext {
        default_schema: "app".to_string(),
    };
    let mut model = crate::model::Model::default();
    for sql in [
        "CREATE TABLE t (id int NOT NULL, PRIMARY KEY (id))",
        "ALTER TABLE t ADD COLUMN c int COMMENT 'partition by'",
    ] {
        let statement = StatementText {
            sql,
            directives: &[],
        };
        for change in Mysql
            .statement_changes(statement, &model, &context)
            .unwrap()
        {
            change.apply_to(&mut model).unwrap();
        }
    }
    let statement = StatementText {
        sql: "ALTER TABLE t ADD COLUMN d int, PARTITION BY HASH (id)",
        directives: &[],
    };
    let error = Mysql
        .statement_changes(statement, &model, &context)
        .unwrap_err();
    assert!(
        error
            .message
            .starts_with("unsupported MySQL DDL: bfm does not manage PARTITION BY combined"),
        "{error:?}"
    );
}

#[test]
fn a_partitioning_column_the_table_lacks_is_an_error_when_loading() {
    let mut table = crate::model::Table {
        name: "t".into(),
        columns: vec![crate::model::Column {
            name: "Region".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let key = parsed("CREATE TABLE t (x int) PARTITION BY KEY (region)").unwrap();
    assert_eq!(check_columns(&key, &table), Ok(()));
    table.columns[0].name = "area".into();
    let error = check_columns(&key, &table).unwrap_err();
    assert_eq!(
        error.message,
        "PARTITION BY KEY: table t has no column region"
    );
}
