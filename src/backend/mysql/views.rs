//! MySQL/MariaDB views: `CREATE [OR REPLACE] [ALGORITHM=…] [DEFINER=…] [SQL SECURITY …] VIEW
//! name [(columns)] AS query [WITH [CASCADED|LOCAL] CHECK OPTION]`, `ALTER VIEW` and `DROP
//! VIEW` read into the model, rendered back, and read from `information_schema.VIEWS`. The query
//! is kept in the canonical form of [`super::query`], so written and stored text compare equal;
//! the definer is left to the server.

use super::ddl::{opening_words, parse_one, qualified, unsupported};
use super::inspect::{InspectError, fetch, normalize, text};
use super::query::{canonical_query_in, output_names};
use crate::backend::{SchemaContext, StatementError};
use crate::model::{Change, Model, MysqlView, QualifiedName, View};
use sqlparser::ast::{
    CreateView, CreateViewAlgorithm, CreateViewSecurity, ObjectName, ObjectType, Statement,
};
use sqlx::mysql::MySqlPool;

/// Whether a statement creates, alters or drops a view: `CREATE`, `ALTER` or `DROP`, then only
/// view options (`OR REPLACE`, `ALGORITHM=…`, `DEFINER=…`, `SQL SECURITY …`) before `VIEW`.
pub(super) fn is_view_statement(sql: &str) -> bool {
    let upper = sql.to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().take(16).collect();
    if !matches!(words.first(), Some(&"CREATE" | &"ALTER" | &"DROP")) {
        return false;
    }
    let Some(at) = words.iter().position(|w| *w == "VIEW") else {
        return false;
    };
    words[1..at].iter().all(|w| {
        !w.contains('(')
            && !matches!(
                *w,
                "TABLE" | "TRIGGER" | "PROCEDURE" | "FUNCTION" | "EVENT" | "INDEX" | "AS"
            )
    })
}

/// The changes of one view statement.
pub(super) fn statement_changes(
    sql: &str,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    let (body, check_option) = split_check_option(sql);
    // `ALTER VIEW` restates the whole view, as `CREATE OR REPLACE` does, of a view that exists.
    let altering = body.trim_start().to_ascii_uppercase().starts_with("ALTER");
    let body = if altering {
        format!("CREATE OR REPLACE{}", &body.trim_start()["ALTER".len()..])
    } else {
        body.to_string()
    };
    match parse_one(&body)? {
        Statement::CreateView(create) => {
            create_view(create, &body, check_option, altering, model, context)
        }
        Statement::Drop {
            object_type: ObjectType::View,
            if_exists,
            names,
            ..
        } => drop_views(&names, if_exists, model, context),
        other => Err(unsupported(&format!(
            "this view statement ({})",
            opening_words(&other)
        ))),
    }
}

/// The text before a trailing `WITH [CASCADED|LOCAL] CHECK OPTION` (which the parser does not
/// read) and the option, `CASCADED` when unqualified as the server takes it.
fn split_check_option(sql: &str) -> (&str, Option<String>) {
    let body = sql.trim_end().trim_end_matches(';').trim_end();
    let upper = body.to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().rev().take(4).collect();
    let option = match words.as_slice() {
        ["OPTION", "CHECK", "WITH", ..] => "CASCADED",
        ["OPTION", "CHECK", kind @ ("CASCADED" | "LOCAL"), "WITH"] => kind,
        _ => return (sql, None),
    };
    match upper.rfind("WITH") {
        Some(at) => (&body[..at], Some(option.to_string())),
        None => (sql, None),
    }
}

fn existing<'a>(model: &'a Model, name: &QualifiedName) -> Option<&'a View> {
    model
        .schemas
        .get(&name.schema)
        .and_then(|s| s.views.get(&name.name))
}

fn create_view(
    create: CreateView,
    raw: &str,
    check_option: Option<String>,
    altering: bool,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    let name = qualified(&create.name, context)?;
    let (security, algorithm) = create
        .params
        .map(|p| (p.security, p.algorithm))
        .unwrap_or_default();
    let options = MysqlView {
        security: match security {
            Some(CreateViewSecurity::Invoker) => Some("INVOKER".to_string()),
            _ => None,
        },
        algorithm: match algorithm {
            Some(CreateViewAlgorithm::Merge) => Some("MERGE".to_string()),
            Some(CreateViewAlgorithm::TempTable) => Some("TEMPTABLE".to_string()),
            _ => None,
        },
        check_option,
    };
    let columns: Vec<_> = create.columns.iter().map(|c| c.name.clone()).collect();
    let view = View {
        name: name.name.clone(),
        definition: canonical_query_in(
            *create.query,
            raw,
            &columns,
            Some(&name.schema),
            &|relation| columns_of(model, &name.schema, relation),
        ),
        materialized: false,
        comment: None,
        mysql: options.into_slot(),
    };
    match existing(model, &name) {
        None if altering => Err(StatementError::new(format!("view {name} does not exist"))),
        None => Ok(vec![Change::CreateView {
            schema: name.schema,
            view,
        }]),
        Some(_) if create.if_not_exists => Ok(Vec::new()),
        Some(from) if create.or_replace => Ok(vec![Change::ReplaceView {
            schema: name.schema,
            from: from.clone(),
            to: view,
        }]),
        Some(_) => Err(StatementError::new(format!("view {name} already exists"))),
    }
}

/// The columns of a table or view of `schema`, as the canonical query reads them.
fn columns_of(model: &Model, schema: &str, relation: &str) -> Option<Vec<String>> {
    let schema = model.schemas.get(schema)?;
    if let Some(table) = schema.tables.get(relation) {
        return Some(table.columns.iter().map(|c| c.name.clone()).collect());
    }
    output_names(&schema.views.get(relation)?.definition)
}

fn drop_views(
    names: &[ObjectName],
    if_exists: bool,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    let mut changes = Vec::new();
    for name in names {
        let name = qualified(name, context)?;
        match existing(model, &name) {
            Some(view) => changes.push(Change::DropView {
                schema: name.schema,
                view: view.clone(),
            }),
            None if if_exists => {}
            None => return Err(StatementError::new(format!("view {name} does not exist"))),
        }
    }
    Ok(changes)
}

/// `CREATE [OR REPLACE] … VIEW`: `replace` for a changed view, which keeps the views and
/// grants that use it.
pub(super) fn create_statement(name: &str, view: &View, replace: bool) -> String {
    let options = view.mysql.clone().unwrap_or_default();
    let mut sql = String::from(if replace {
        "CREATE OR REPLACE "
    } else {
        "CREATE "
    });
    if let Some(algorithm) = &options.algorithm {
        sql.push_str(&format!("ALGORITHM={algorithm} "));
    }
    if let Some(security) = &options.security {
        sql.push_str(&format!("SQL SECURITY {security} "));
    }
    sql.push_str(&format!("VIEW {name} AS {}", view.definition));
    if let Some(check) = &options.check_option {
        sql.push_str(&format!(" WITH {check} CHECK OPTION"));
    }
    sql
}

pub(super) fn drop_statement(name: &str) -> String {
    format!("DROP VIEW {name}")
}

const VIEWS: &str = "SELECT CONVERT(table_name USING utf8mb4) AS name, \
     CONVERT(view_definition USING utf8mb4) AS definition, \
     CONVERT(check_option USING utf8mb4) AS check_option, \
     CONVERT(security_type USING utf8mb4) AS security, \
     CONVERT(algorithm USING utf8mb4) AS algorithm \
     FROM information_schema.views WHERE table_schema = ?";

/// Reads the views of `database` into the schema `schema` of `model`, in one query.
pub(super) async fn inspect_views(
    pool: &MySqlPool,
    database: &str,
    schema: &str,
    model: &mut Model,
) -> Result<(), InspectError> {
    for row in fetch(pool, "views", VIEWS, database).await? {
        let name = text(&row, "name")?.unwrap_or_default();
        let raw = text(&row, "definition")?.unwrap_or_default();
        let object = format!("view {name}");
        let definition = normalize(
            &object,
            &raw,
            super::query::normalize_query(&raw, Some(database)),
        )?;
        let option = |value: Option<String>, default: &str| {
            value.filter(|v| !v.eq_ignore_ascii_case(default) && !v.is_empty())
        };
        let options = MysqlView {
            security: option(text(&row, "security")?, "DEFINER"),
            algorithm: option(text(&row, "algorithm")?, "UNDEFINED"),
            check_option: option(text(&row, "check_option")?, "NONE"),
        };
        model.schema_mut(schema).views.insert(
            name.clone(),
            View {
                name,
                definition,
                materialized: false,
                comment: None,
                mysql: options.into_slot(),
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sql: &str, model: &Model) -> Vec<Change> {
        let context = SchemaContext {
            default_schema: "app".into(),
        };
        statement_changes(sql, model, &context).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn created(sql: &str) -> View {
        match read(sql, &Model::default()).as_slice() {
            [Change::CreateView { view, .. }] => view.clone(),
            other => panic!("{sql}: {other:?}"),
        }
    }

    #[test]
    fn recognizes_view_statements_with_options() {
        assert!(is_view_statement(
            "CREATE OR REPLACE ALGORITHM=MERGE DEFINER=`root`@`localhost` SQL SECURITY INVOKER VIEW v AS SELECT 1"
        ));
        assert!(is_view_statement("drop view if exists v"));
        assert!(!is_view_statement("CREATE TABLE view (id int)"));
        assert!(!is_view_statement(
            "CREATE TRIGGER t BEFORE INSERT ON view FOR EACH ROW SET @a = 1"
        ));
    }

    #[test]
    fn reads_options_column_list_and_check_option() {
        let view = created(
            "CREATE ALGORITHM = TEMPTABLE DEFINER = CURRENT_USER SQL SECURITY INVOKER VIEW v (a) AS select id from app.users where id > 1 WITH LOCAL CHECK OPTION;",
        );
        assert_eq!(
            view.definition,
            "SELECT `id` AS `a` FROM `users` WHERE `id` > 1"
        );
        assert_eq!(
            view.mysql,
            Some(MysqlView {
                security: Some("INVOKER".into()),
                algorithm: Some("TEMPTABLE".into()),
                check_option: Some("LOCAL".into()),
            })
        );
        let plain = created("CREATE SQL SECURITY DEFINER VIEW v AS SELECT 1 AS one");
        assert_eq!(plain.mysql, None);
    }

    #[test]
    fn replaces_and_drops_an_existing_view() {
        let mut model = Model::default();
        let view = created("CREATE VIEW v AS SELECT 1 AS one");
        model
            .schema_mut("app")
            .views
            .insert("v".into(), view.clone());
        assert!(matches!(
            read("CREATE OR REPLACE VIEW v AS SELECT 2 AS two", &model).as_slice(),
            [Change::ReplaceView { from, to, .. }] if *from == view && to.definition == "SELECT 2 AS `two`"
        ));
        assert!(matches!(
            read("ALTER VIEW v AS SELECT 2 AS two", &model).as_slice(),
            [Change::ReplaceView { .. }]
        ));
        let context = SchemaContext {
            default_schema: "app".into(),
        };
        assert!(statement_changes("DROP VIEW v, w", &model, &context).is_err());
        assert!(read("DROP VIEW IF EXISTS w", &model).is_empty());
        assert!(matches!(
            read("DROP VIEW v", &model).as_slice(),
            [Change::DropView { view: dropped, .. }] if *dropped == view
        ));
    }

    #[test]
    fn renders_options_around_the_query() {
        let view = View {
            name: "v".into(),
            definition: "SELECT 1 AS `one`".into(),
            materialized: false,
            comment: None,
            mysql: Some(MysqlView {
                security: Some("INVOKER".into()),
                algorithm: None,
                check_option: Some("CASCADED".into()),
            }),
        };
        assert_eq!(
            create_statement("`v`", &view, true),
            "CREATE OR REPLACE SQL SECURITY INVOKER VIEW `v` AS SELECT 1 AS `one` WITH CASCADED CHECK OPTION"
        );
    }
}
