//! Rendering functions, procedures and triggers.

use super::{Renderer, comment_literal, ident, literal};
use crate::model::{Function, QualifiedName, Trigger};

/// Settings whose value is a list, rendered one quoted element each.
const LIST_SETTINGS: &[&str] = &[
    "search_path",
    "temp_tablespaces",
    "session_preload_libraries",
    "shared_preload_libraries",
    "local_preload_libraries",
];

impl Renderer<'_> {
    /// `CREATE OR REPLACE FUNCTION | PROCEDURE`, then its comment when it has one.
    pub(super) fn create_function(&self, schema: &str, function: &Function) -> Vec<String> {
        let mut statements = vec![self.function_definition(schema, function)];
        if function.comment.is_some() {
            statements.push(self.function_comment(schema, function));
        }
        statements
    }

    pub(super) fn drop_function(&self, schema: &str, function: &Function) -> String {
        format!(
            "DROP {} {}",
            kind(function.procedure),
            self.routine_signature(schema, &function.signature())
        )
    }

    /// `CREATE OR REPLACE` when the server can change the routine in place, otherwise a drop
    /// and a create (with the comment).
    pub(super) fn replace_function(
        &self,
        schema: &str,
        from: &Function,
        to: &Function,
    ) -> Vec<String> {
        if !from.replaceable_by(to) || from.signature() != to.signature() {
            let mut statements = vec![self.drop_function(schema, from)];
            statements.extend(self.create_function(schema, to));
            return statements;
        }
        let mut statements = Vec::new();
        let bare = |f: &Function| Function {
            comment: None,
            ..f.clone()
        };
        if bare(from) != bare(to) {
            statements.push(self.function_definition(schema, to));
        }
        if from.comment != to.comment {
            statements.push(self.function_comment(schema, to));
        }
        statements
    }

    fn function_definition(&self, schema: &str, function: &Function) -> String {
        let arguments: Vec<String> = function
            .arguments
            .iter()
            .map(|a| {
                let mut text = String::new();
                if let Some(mode) = &a.mode {
                    text.push_str(mode);
                    text.push(' ');
                }
                if let Some(name) = &a.name {
                    text.push_str(&ident(name));
                    text.push(' ');
                }
                text.push_str(&self.column_type(schema, &a.data_type));
                if let Some(default) = &a.default {
                    text.push_str(" DEFAULT ");
                    text.push_str(default);
                }
                text
            })
            .collect();
        let mut sql = format!(
            "CREATE OR REPLACE {} {}({})",
            kind(function.procedure),
            self.name(schema, &function.name),
            arguments.join(", ")
        );
        if let Some(returns) = &function.returns {
            let returns = match returns.strip_prefix("SETOF ") {
                Some(element) => format!("SETOF {}", self.column_type(schema, element)),
                None if returns.starts_with("TABLE(") => returns.clone(),
                None => self.column_type(schema, returns),
            };
            sql.push_str(&format!("\n RETURNS {returns}"));
        }
        sql.push_str(&format!("\n LANGUAGE {}", ident(&function.language)));
        let mut attributes = Vec::new();
        if let Some(volatility) = &function.volatility {
            attributes.push(volatility.to_uppercase());
        }
        if function.strict {
            attributes.push("STRICT".to_string());
        }
        if function.security_definer {
            attributes.push("SECURITY DEFINER".to_string());
        }
        if function.leakproof {
            attributes.push("LEAKPROOF".to_string());
        }
        if let Some(parallel) = &function.parallel {
            attributes.push(format!("PARALLEL {}", parallel.to_uppercase()));
        }
        if let Some(cost) = &function.cost {
            attributes.push(format!("COST {cost}"));
        }
        if let Some(rows) = &function.rows {
            attributes.push(format!("ROWS {rows}"));
        }
        if !attributes.is_empty() {
            sql.push_str(&format!("\n {}", attributes.join(" ")));
        }
        for (name, value) in &function.config {
            sql.push_str(&format!("\n SET {name} TO {}", setting_value(name, value)));
        }
        let tag = dollar_tag(&function.body);
        sql.push_str(&format!("\nAS {tag}{}{tag}", function.body));
        sql
    }

    fn function_comment(&self, schema: &str, function: &Function) -> String {
        self.routine_comment(
            schema,
            &function.signature(),
            function.procedure,
            function.comment.as_deref(),
        )
    }

    /// `COMMENT ON FUNCTION schema.name(types) IS …`.
    pub(super) fn routine_comment(
        &self,
        schema: &str,
        signature: &str,
        procedure: bool,
        comment: Option<&str>,
    ) -> String {
        format!(
            "COMMENT ON {} {} IS {}",
            kind(procedure),
            self.routine_signature(schema, signature),
            comment_literal(comment)
        )
    }

    /// `name(type, …)` of a [`Function::signature`], the name qualified and quoted.
    fn routine_signature(&self, schema: &str, signature: &str) -> String {
        let (name, types) = signature.split_once('(').unwrap_or((signature, ")"));
        let types = types.strip_suffix(')').unwrap_or(types);
        let types: Vec<String> = if types.is_empty() {
            Vec::new()
        } else {
            types
                .split(", ")
                .map(|t| match t.strip_prefix("VARIADIC ") {
                    Some(element) => format!("VARIADIC {}", self.column_type(schema, element)),
                    None => self.column_type(schema, t),
                })
                .collect()
        };
        format!("{}({})", self.name(schema, name), types.join(", "))
    }

    /// `CREATE TRIGGER`, then its comment when it has one.
    pub(super) fn create_trigger(&self, table: &QualifiedName, trigger: &Trigger) -> Vec<String> {
        let mut sql = format!(
            "CREATE {}TRIGGER {} {} ",
            if trigger.constraint {
                "CONSTRAINT "
            } else {
                ""
            },
            ident(&trigger.name),
            trigger.timing
        );
        let events: Vec<String> = trigger
            .events
            .iter()
            .map(|event| {
                if event == "UPDATE" && !trigger.update_columns.is_empty() {
                    let columns: Vec<String> =
                        trigger.update_columns.iter().map(|c| ident(c)).collect();
                    format!("UPDATE OF {}", columns.join(", "))
                } else {
                    event.clone()
                }
            })
            .collect();
        sql.push_str(&events.join(" OR "));
        sql.push_str(&format!(" ON {}", self.table(table)));
        if trigger.constraint {
            sql.push_str(match (trigger.deferrable, trigger.initially_deferred) {
                (true, true) => " DEFERRABLE INITIALLY DEFERRED",
                (true, false) => " DEFERRABLE INITIALLY IMMEDIATE",
                _ => " NOT DEFERRABLE INITIALLY IMMEDIATE",
            });
        }
        if !trigger.referencing.is_empty() {
            sql.push_str(&format!(" REFERENCING {}", trigger.referencing.join(" ")));
        }
        sql.push_str(if trigger.for_each_row {
            " FOR EACH ROW"
        } else {
            " FOR EACH STATEMENT"
        });
        if let Some(condition) = &trigger.condition {
            sql.push_str(&format!(" WHEN ({condition})"));
        }
        let function = if trigger.function.contains('.') {
            trigger.function.clone()
        } else {
            let bare = trigger
                .function
                .strip_prefix('"')
                .and_then(|f| f.strip_suffix('"'))
                .map_or_else(|| trigger.function.clone(), |f| f.replace("\"\"", "\""));
            self.name(&table.schema, &bare)
        };
        let arguments: Vec<String> = trigger.arguments.iter().map(|a| literal(a)).collect();
        sql.push_str(&format!(
            " EXECUTE FUNCTION {function}({})",
            arguments.join(", ")
        ));
        let mut statements = vec![sql];
        if trigger.comment.is_some() {
            statements.push(self.trigger_comment(table, &trigger.name, trigger.comment.as_deref()));
        }
        statements
    }

    pub(super) fn drop_trigger(&self, table: &QualifiedName, trigger: &Trigger) -> String {
        format!(
            "DROP TRIGGER {} ON {}",
            ident(&trigger.name),
            self.table(table)
        )
    }

    pub(super) fn trigger_comment(
        &self,
        table: &QualifiedName,
        name: &str,
        comment: Option<&str>,
    ) -> String {
        format!(
            "COMMENT ON TRIGGER {} ON {} IS {}",
            ident(name),
            self.table(table),
            comment_literal(comment)
        )
    }
}

fn kind(procedure: bool) -> &'static str {
    if procedure { "PROCEDURE" } else { "FUNCTION" }
}

/// A setting's value as `SET … TO` takes it: list settings one literal per element (the
/// server quotes each as an identifier again), others one literal.
fn setting_value(name: &str, value: &str) -> String {
    if !LIST_SETTINGS.contains(&name) {
        return literal(value);
    }
    value
        .split(", ")
        .map(|element| {
            let bare = element
                .strip_prefix('"')
                .and_then(|e| e.strip_suffix('"'))
                .map_or_else(|| element.to_string(), |e| e.replace("\"\"", "\""));
            literal(&bare)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A dollar-quote tag the body does not contain.
fn dollar_tag(body: &str) -> String {
    let mut tag = "$$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        tag = if n == 0 {
            "$bfm$".to_string()
        } else {
            format!("$bfm{n}$")
        };
        n += 1;
    }
    tag
}

#[cfg(test)]
mod tests {
    use super::super::render;
    use super::*;
    use crate::backend::RenderContext;
    use crate::model::{Change, FunctionArgument};

    fn function() -> Function {
        Function {
            name: "add_tax".into(),
            procedure: false,
            arguments: vec![FunctionArgument {
                mode: None,
                name: Some("amount".into()),
                data_type: "user_role".into(),
                default: Some("0".into()),
            }],
            returns: Some("SETOF numeric".into()),
            language: "sql".into(),
            body: " SELECT $$x$$ ".into(),
            volatility: Some("stable".into()),
            strict: true,
            security_definer: false,
            leakproof: false,
            parallel: Some("safe".into()),
            cost: Some("5".into()),
            rows: None,
            config: [("search_path".to_string(), "public, pg_temp".to_string())].into(),
            comment: Some("taxes".into()),
        }
    }

    fn sql(change: Change) -> Vec<String> {
        let context = RenderContext {
            user_types: [QualifiedName::new("core", "user_role")].into(),
            ..RenderContext::default()
        };
        render(&change, &context)
    }

    #[test]
    fn creates_replaces_and_drops_a_function() {
        let created = sql(Change::CreateFunction {
            schema: "core".into(),
            function: function(),
        });
        assert_eq!(
            created,
            [
                "CREATE OR REPLACE FUNCTION core.add_tax(amount core.user_role DEFAULT 0)\n \
                 RETURNS SETOF numeric\n LANGUAGE sql\n STABLE STRICT PARALLEL SAFE COST 5\n \
                 SET search_path TO 'public', 'pg_temp'\nAS $bfm$ SELECT $$x$$ $bfm$",
                "COMMENT ON FUNCTION core.add_tax(core.user_role) IS 'taxes'",
            ]
        );
        let mut other_result = function();
        other_result.returns = Some("integer".into());
        let replaced = sql(Change::ReplaceFunction {
            schema: "core".into(),
            from: function(),
            to: other_result,
        });
        assert_eq!(replaced[0], "DROP FUNCTION core.add_tax(core.user_role)");
        assert!(replaced[1].contains("RETURNS integer"), "{replaced:?}");
        let mut new_body = function();
        new_body.body = "SELECT 1".into();
        let in_place = sql(Change::ReplaceFunction {
            schema: "core".into(),
            from: function(),
            to: new_body,
        });
        assert_eq!(in_place.len(), 1);
        assert!(in_place[0].ends_with("AS $$SELECT 1$$"), "{in_place:?}");
    }

    #[test]
    fn creates_and_drops_a_trigger() {
        let trigger = Trigger {
            name: "audit".into(),
            constraint: true,
            timing: "AFTER".into(),
            events: vec!["INSERT".into(), "UPDATE".into()],
            update_columns: vec!["Email".into()],
            referencing: Vec::new(),
            for_each_row: true,
            condition: Some("new.id > 0".into()),
            function: "audit_row".into(),
            arguments: vec!["it's".into()],
            deferrable: true,
            initially_deferred: true,
            comment: None,
            body: None,
        };
        let table = QualifiedName::new("core", "users");
        assert_eq!(
            sql(Change::CreateTrigger {
                table: table.clone(),
                trigger: trigger.clone()
            }),
            [
                "CREATE CONSTRAINT TRIGGER audit AFTER INSERT OR UPDATE OF \"Email\" ON core.users \
              DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (new.id > 0) \
              EXECUTE FUNCTION core.audit_row('it''s')"
            ]
        );
        assert_eq!(
            sql(Change::DropTrigger { table, trigger }),
            ["DROP TRIGGER audit ON core.users"]
        );
    }

    #[test]
    fn picks_a_dollar_tag_the_body_lacks() {
        assert_eq!(dollar_tag("BEGIN RETURN 1; END"), "$$");
        assert_eq!(dollar_tag("SELECT '$$'"), "$bfm$");
        assert_eq!(dollar_tag("$$ $bfm$"), "$bfm1$");
    }

    #[test]
    fn quotes_each_element_of_a_list_setting() {
        assert_eq!(
            setting_value("search_path", "public, pg_temp"),
            "'public', 'pg_temp'"
        );
        assert_eq!(
            setting_value("search_path", "\"$user\", public"),
            "'$user', 'public'"
        );
        assert_eq!(setting_value("statement_timeout", "30s"), "'30s'");
    }
}
