//! `CREATE`, `ALTER` and `DROP DOMAIN`.

use super::{Renderer, collation_name, comment_literal, ident};
use crate::model::{Check, Domain};

impl Renderer<'_> {
    /// `CREATE DOMAIN` with every check named, then its comment.
    pub(super) fn create_domain(&self, schema: &str, domain: &Domain) -> Vec<String> {
        let name = self.name(schema, &domain.name);
        let mut sql = format!(
            "CREATE DOMAIN {name} AS {}",
            self.column_type(schema, &domain.data_type)
        );
        if let Some(collation) = &domain.collation {
            sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
        }
        if let Some(default) = &domain.default {
            sql.push_str(&format!(" DEFAULT {default}"));
        }
        if domain.not_null {
            sql.push_str(" NOT NULL");
        }
        for check in &domain.checks {
            sql.push_str(&format!(" {}", domain_check(check)));
        }
        let mut statements = vec![sql];
        if domain.comment.is_some() {
            statements.push(domain_comment(&name, domain));
        }
        statements
    }

    pub(super) fn drop_domain(&self, schema: &str, domain: &Domain) -> String {
        format!("DROP DOMAIN {}", self.name(schema, &domain.name))
    }

    /// One `ALTER DOMAIN` per difference: checks that go (or change) are dropped first, then
    /// the default and NOT NULL, then the checks that come, then the comment.
    pub(super) fn alter_domain(&self, schema: &str, from: &Domain, to: &Domain) -> Vec<String> {
        let name = self.name(schema, &to.name);
        let alter = format!("ALTER DOMAIN {name}");
        let mut statements = Vec::new();
        for check in from.checks.iter().filter(|c| !to.checks.contains(c)) {
            statements.push(format!("{alter} DROP CONSTRAINT {}", ident(&check.name)));
        }
        if from.default != to.default {
            statements.push(match &to.default {
                Some(default) => format!("{alter} SET DEFAULT {default}"),
                None => format!("{alter} DROP DEFAULT"),
            });
        }
        if from.not_null != to.not_null {
            let verb = if to.not_null { "SET" } else { "DROP" };
            statements.push(format!("{alter} {verb} NOT NULL"));
        }
        for check in to.checks.iter().filter(|c| !from.checks.contains(c)) {
            statements.push(format!("{alter} ADD {}", domain_check(check)));
        }
        if from.comment != to.comment {
            statements.push(domain_comment(&name, to));
        }
        statements
    }
}

fn domain_check(check: &Check) -> String {
    format!(
        "CONSTRAINT {} CHECK ({})",
        ident(&check.name),
        check.expression
    )
}

fn domain_comment(name: &str, domain: &Domain) -> String {
    format!(
        "COMMENT ON DOMAIN {name} IS {}",
        comment_literal(domain.comment.as_deref())
    )
}

#[cfg(test)]
mod tests {
    use super::super::render;
    use crate::backend::RenderContext;
    use crate::model::{Change, Check, Domain};

    fn quantity() -> Domain {
        Domain {
            name: "quantity".to_string(),
            data_type: "integer".to_string(),
            default: Some("0".to_string()),
            not_null: true,
            collation: None,
            checks: vec![Check {
                name: "quantity_check".to_string(),
                expression: "VALUE >= 0".to_string(),
                no_inherit: false,
            }],
            comment: Some("How many".to_string()),
        }
    }

    fn context() -> RenderContext {
        RenderContext::default()
    }

    #[test]
    fn creates_a_domain_with_its_default_not_null_checks_and_comment() {
        let change = Change::CreateDomain {
            schema: "public".to_string(),
            domain: quantity(),
        };
        assert_eq!(
            render(&change, &context()),
            [
                "CREATE DOMAIN public.quantity AS integer DEFAULT 0 NOT NULL \
                 CONSTRAINT quantity_check CHECK (VALUE >= 0)",
                "COMMENT ON DOMAIN public.quantity IS 'How many'",
            ]
        );
    }

    #[test]
    fn alters_a_domain_one_clause_at_a_time_and_back() {
        let bare = Domain {
            default: None,
            not_null: false,
            checks: Vec::new(),
            comment: None,
            ..quantity()
        };
        let up = Change::AlterDomain {
            schema: "public".to_string(),
            from: bare.clone(),
            to: quantity(),
        };
        assert_eq!(
            render(&up, &context()),
            [
                "ALTER DOMAIN public.quantity SET DEFAULT 0",
                "ALTER DOMAIN public.quantity SET NOT NULL",
                "ALTER DOMAIN public.quantity ADD CONSTRAINT quantity_check CHECK (VALUE >= 0)",
                "COMMENT ON DOMAIN public.quantity IS 'How many'",
            ]
        );
        let down = up.inverse().expect("an altered domain inverts");
        assert_eq!(
            render(&down, &context()),
            [
                "ALTER DOMAIN public.quantity DROP CONSTRAINT quantity_check",
                "ALTER DOMAIN public.quantity DROP DEFAULT",
                "ALTER DOMAIN public.quantity DROP NOT NULL",
                "COMMENT ON DOMAIN public.quantity IS NULL",
            ]
        );
    }
}
