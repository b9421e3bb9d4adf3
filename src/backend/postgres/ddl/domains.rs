//! `CREATE`, `ALTER` and `DROP DOMAIN`, read by hand: sqlparser's `CREATE DOMAIN` wants the
//! collation, default and constraints in one fixed order and knows no `NOT NULL`, and it has
//! no `ALTER DOMAIN` at all.

use super::super::expr::{canonical_default, canonical_expression, folded, parse_error};
use super::super::names::domain_check_name;
use super::table::collation_name;
use super::{Reader, unsupported};
use crate::backend::StatementError;
use crate::model::{Change, Check, Domain, QualifiedName};
use sqlparser::ast::{ColumnOption, Expr};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// Reads a statement whose first two words are `CREATE|ALTER|DROP DOMAIN`.
pub(super) fn changes(reader: &Reader<'_>, verb: &str) -> Result<Vec<Change>, StatementError> {
    let sql = reader.statement.sql;
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(sql)
        .map_err(|e| parse_error(sql, &e))?;
    let mut domain = DomainParser {
        reader,
        parser: &mut parser,
    };
    let changes = match verb {
        "CREATE" => domain.create(),
        "ALTER" => domain.alter(),
        _ => domain.drop(),
    };
    changes.map_err(|e| match e {
        Refusal::Syntax(e) => parse_error(sql, &e),
        Refusal::Statement(e) => e,
    })
}

/// A syntax error (located in the statement later) or a refusal with its own message.
enum Refusal {
    Syntax(ParserError),
    Statement(StatementError),
}

impl From<ParserError> for Refusal {
    fn from(e: ParserError) -> Self {
        Refusal::Syntax(e)
    }
}

impl From<StatementError> for Refusal {
    fn from(e: StatementError) -> Self {
        Refusal::Statement(e)
    }
}

struct DomainParser<'r, 'p, 'a, 'd> {
    reader: &'r Reader<'a>,
    parser: &'p mut Parser<'d>,
}

impl DomainParser<'_, '_, '_, '_> {
    /// `CREATE DOMAIN name [AS] type` then, in any order, `COLLATE c`, `DEFAULT e`,
    /// `[CONSTRAINT n] NOT NULL | NULL | CHECK (e)`.
    fn create(&mut self) -> Result<Vec<Change>, Refusal> {
        self.parser.expect_keyword(Keyword::CREATE)?;
        self.parser.expect_keyword(Keyword::DOMAIN)?;
        let name = self.name()?;
        let _ = self.parser.parse_keyword(Keyword::AS);
        let data_type = self.parser.parse_data_type()?;
        let data_type = self.reader.column_type(&data_type, &name.schema)?;
        let mut domain = Domain {
            name: name.name.clone(),
            data_type,
            default: None,
            not_null: false,
            collation: None,
            checks: Vec::new(),
            comment: None,
        };
        loop {
            if self.parser.parse_keyword(Keyword::COLLATE) {
                let collation = self.parser.parse_object_name(false)?;
                domain.collation = Some(collation_name(&collation)?);
                continue;
            }
            if self.parser.peek_keyword(Keyword::DEFAULT) {
                let expr = self.default()?;
                domain.default = Some(canonical_default(expr, &domain.data_type));
                continue;
            }
            let constraint_name = self.constraint_name()?;
            if self.parser.parse_keywords(&[Keyword::NOT, Keyword::NULL]) {
                domain.not_null = true;
            } else if self.parser.parse_keyword(Keyword::NULL) {
                domain.not_null = false;
            } else if self.parser.parse_keyword(Keyword::CHECK) {
                let check = self.check(&domain, constraint_name)?;
                domain.checks.push(check);
            } else if constraint_name.is_some() {
                return Err(self.expected("NOT NULL, NULL or CHECK"));
            } else {
                self.end()?;
                break;
            }
        }
        domain.sort_checks();
        Ok(vec![Change::CreateDomain {
            schema: name.schema,
            domain,
        }])
    }

    /// `ALTER DOMAIN name` with one of `SET DEFAULT e`, `DROP DEFAULT`, `SET|DROP NOT NULL`,
    /// `ADD [CONSTRAINT n] CHECK (e) [NOT VALID]`, `DROP CONSTRAINT [IF EXISTS] n`,
    /// `RENAME CONSTRAINT a TO b`.
    fn alter(&mut self) -> Result<Vec<Change>, Refusal> {
        self.parser.expect_keyword(Keyword::ALTER)?;
        self.parser.expect_keyword(Keyword::DOMAIN)?;
        let name = self.name()?;
        let from = self.existing(&name)?.ok_or_else(|| missing(&name))?;
        let mut to = from.clone();
        let set_default = self.parser.peek_keyword(Keyword::SET)
            && matches!(&self.parser.peek_nth_token(1).token,
                Token::Word(w) if w.keyword == Keyword::DEFAULT);
        if set_default {
            let _ = self.parser.parse_keyword(Keyword::SET);
            let expr = self.default()?;
            to.default = Some(canonical_default(expr, &to.data_type));
        } else if self
            .parser
            .parse_keywords(&[Keyword::DROP, Keyword::DEFAULT])
        {
            to.default = None;
        } else if self
            .parser
            .parse_keywords(&[Keyword::SET, Keyword::NOT, Keyword::NULL])
        {
            to.not_null = true;
        } else if self
            .parser
            .parse_keywords(&[Keyword::DROP, Keyword::NOT, Keyword::NULL])
        {
            to.not_null = false;
        } else if self.parser.parse_keyword(Keyword::ADD) {
            let constraint_name = self.constraint_name()?;
            if !self.parser.parse_keyword(Keyword::CHECK) {
                return Err(Refusal::Statement(unsupported(
                    "ALTER DOMAIN … ADD of a constraint other than CHECK",
                )));
            }
            let check = self.check(&to, constraint_name)?;
            if to.checks.iter().any(|c| c.name == check.name) {
                return Err(Refusal::Statement(StatementError::new(format!(
                    "constraint {} of domain {name} already exists",
                    check.name
                ))));
            }
            let _ = self.parser.parse_keywords(&[Keyword::NOT, Keyword::VALID]);
            to.checks.push(check);
        } else if self
            .parser
            .parse_keywords(&[Keyword::DROP, Keyword::CONSTRAINT])
        {
            let if_exists = self.parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
            let check = folded(&self.parser.parse_identifier()?);
            let _ = self
                .parser
                .parse_one_of_keywords(&[Keyword::RESTRICT, Keyword::CASCADE]);
            let before = to.checks.len();
            to.checks.retain(|c| c.name != check);
            if to.checks.len() == before && !if_exists {
                return Err(Refusal::Statement(StatementError::new(format!(
                    "constraint {check} of domain {name} does not exist"
                ))));
            }
        } else if self
            .parser
            .parse_keywords(&[Keyword::RENAME, Keyword::CONSTRAINT])
        {
            let old = folded(&self.parser.parse_identifier()?);
            self.parser.expect_keyword(Keyword::TO)?;
            let new = folded(&self.parser.parse_identifier()?);
            let check = to
                .checks
                .iter_mut()
                .find(|c| c.name == old)
                .ok_or_else(|| {
                    StatementError::new(format!("constraint {old} of domain {name} does not exist"))
                })?;
            check.name = new;
        } else {
            return Err(Refusal::Statement(unsupported(
                "ALTER DOMAIN other than SET/DROP DEFAULT, SET/DROP NOT NULL, ADD CHECK, \
                 DROP CONSTRAINT or RENAME CONSTRAINT",
            )));
        }
        self.end()?;
        to.sort_checks();
        if to == from {
            return Ok(Vec::new());
        }
        Ok(vec![Change::AlterDomain {
            schema: name.schema,
            from,
            to,
        }])
    }

    /// `DROP DOMAIN [IF EXISTS] name [, …] [CASCADE | RESTRICT]`.
    fn drop(&mut self) -> Result<Vec<Change>, Refusal> {
        self.parser.expect_keyword(Keyword::DROP)?;
        self.parser.expect_keyword(Keyword::DOMAIN)?;
        let if_exists = self.parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let mut changes = Vec::new();
        loop {
            let name = self.name()?;
            match self.existing(&name)? {
                Some(domain) => changes.push(Change::DropDomain {
                    schema: name.schema,
                    domain,
                }),
                None if if_exists => {}
                None => return Err(missing(&name)),
            }
            if !self.parser.consume_token(&Token::Comma) {
                break;
            }
        }
        let _ = self
            .parser
            .parse_one_of_keywords(&[Keyword::RESTRICT, Keyword::CASCADE]);
        self.end()?;
        Ok(changes)
    }

    fn name(&mut self) -> Result<QualifiedName, Refusal> {
        let name = self.parser.parse_object_name(false)?;
        Ok(self.reader.qualified(&name)?)
    }

    fn existing(&self, name: &QualifiedName) -> Result<Option<Domain>, Refusal> {
        Ok(self
            .reader
            .model
            .schemas
            .get(&name.schema)
            .and_then(|s| s.domains.get(&name.name))
            .cloned())
    }

    /// `DEFAULT expr`, read as a column option is, so that a `NOT NULL` after it is not taken
    /// for the postfix `expr NOT NULL` (`IS NOT NULL`).
    fn default(&mut self) -> Result<Expr, Refusal> {
        match self.parser.parse_optional_column_option()? {
            Some(ColumnOption::Default(expr)) => Ok(expr),
            _ => Err(self.expected("DEFAULT expression")),
        }
    }

    fn constraint_name(&mut self) -> Result<Option<String>, Refusal> {
        if self.parser.parse_keyword(Keyword::CONSTRAINT) {
            Ok(Some(folded(&self.parser.parse_identifier()?)))
        } else {
            Ok(None)
        }
    }

    /// `(expr)` after `CHECK`, named as written or as the server names it.
    fn check(&mut self, domain: &Domain, name: Option<String>) -> Result<Check, Refusal> {
        self.parser.expect_token(&Token::LParen)?;
        let expr: Expr = self.parser.parse_expr()?;
        self.parser.expect_token(&Token::RParen)?;
        let name = name.unwrap_or_else(|| {
            let taken: Vec<String> = domain.checks.iter().map(|c| c.name.clone()).collect();
            domain_check_name(&domain.name, &taken)
        });
        Ok(Check {
            name,
            expression: canonical_expression(expr),
            no_inherit: false,
        })
    }

    fn end(&mut self) -> Result<(), Refusal> {
        let _ = self.parser.consume_token(&Token::SemiColon);
        self.parser.expect_token(&Token::EOF)?;
        Ok(())
    }

    fn expected(&mut self, what: &str) -> Refusal {
        let found = self.parser.peek_token();
        Refusal::Syntax(ParserError::ParserError(format!(
            "Expected: {what}, found: {found}"
        )))
    }
}

fn missing(name: &QualifiedName) -> Refusal {
    Refusal::Statement(StatementError::new(format!("domain {name} does not exist")))
}

#[cfg(test)]
mod tests {
    use super::super::statement_changes;
    use crate::backend::{SchemaContext, StatementText};
    use crate::model::{Change, Check, Domain, Model};

    /// Applies each statement in turn, as a SQL source does.
    fn load(statements: &[&str]) -> Model {
        let context = SchemaContext {
            default_schema: "public".to_string(),
        };
        let mut model = Model::default();
        for sql in statements {
            let text = StatementText {
                sql,
                directives: &[],
            };
            let changes =
                statement_changes(text, &model, &context).unwrap_or_else(|e| panic!("{sql}: {e}"));
            for change in changes {
                change
                    .apply_to(&mut model)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
        model
    }

    fn domain(model: &Model, name: &str) -> Domain {
        model.schemas["public"].domains[name].clone()
    }

    fn check(name: &str, expression: &str) -> Check {
        Check {
            name: name.to_string(),
            expression: expression.to_string(),
            no_inherit: false,
        }
    }

    #[test]
    fn reads_default_not_null_and_checks_in_any_order_naming_unnamed_checks() {
        let model = load(&[
            "CREATE DOMAIN Quantity AS int4 NOT NULL DEFAULT 0 CHECK (VALUE >= 0) \
             CONSTRAINT Below CHECK (VALUE < 100) CHECK (VALUE <> 42)",
        ]);
        assert_eq!(
            domain(&model, "quantity"),
            Domain {
                name: "quantity".to_string(),
                data_type: "integer".to_string(),
                default: Some("0".to_string()),
                not_null: true,
                collation: None,
                checks: vec![
                    check("below", "value < 100"),
                    check("quantity_check", "value >= 0"),
                    check("quantity_check1", "value <> 42"),
                ],
                comment: None,
            }
        );
    }

    #[test]
    fn a_default_followed_by_not_null_is_not_read_as_is_not_null() {
        let model = load(&["CREATE DOMAIN code AS integer DEFAULT 1 NOT NULL"]);
        let code = domain(&model, "code");
        assert_eq!(code.default.as_deref(), Some("1"));
        assert!(code.not_null);
    }

    #[test]
    fn alter_domain_and_comment_change_the_domain_in_place() {
        let model = load(&[
            "CREATE DOMAIN status AS integer",
            "ALTER DOMAIN status SET DEFAULT 200",
            "ALTER DOMAIN status SET NOT NULL",
            "ALTER DOMAIN status ADD CHECK (VALUE > 0)",
            "ALTER DOMAIN status ADD CONSTRAINT small CHECK (VALUE < 600)",
            "ALTER DOMAIN status DROP CONSTRAINT status_check",
            "ALTER DOMAIN status RENAME CONSTRAINT small TO below_600",
            "COMMENT ON DOMAIN status IS 'HTTP status'",
        ]);
        assert_eq!(
            domain(&model, "status"),
            Domain {
                name: "status".to_string(),
                data_type: "integer".to_string(),
                default: Some("200".to_string()),
                not_null: true,
                collation: None,
                checks: vec![check("below_600", "value < 600")],
                comment: Some("HTTP status".to_string()),
            }
        );
        let model = load(&[
            "CREATE DOMAIN status AS integer DEFAULT 1 NOT NULL",
            "ALTER DOMAIN status DROP DEFAULT",
            "ALTER DOMAIN status DROP NOT NULL",
        ]);
        assert_eq!(domain(&model, "status").default, None);
        assert!(!domain(&model, "status").not_null);
    }

    #[test]
    fn drop_domain_drops_every_name_and_if_exists_skips_missing_ones() {
        let model = load(&[
            "CREATE SCHEMA other",
            "CREATE DOMAIN other.a AS text",
            "CREATE DOMAIN b AS public.a_type_that_is_not_checked",
            "DROP DOMAIN IF EXISTS other.a, b, missing CASCADE",
        ]);
        assert!(model.schemas.values().all(|s| s.domains.is_empty()));
    }

    #[test]
    fn a_domain_over_a_domain_of_another_schema_is_qualified() {
        let model = load(&[
            "CREATE SCHEMA other",
            "CREATE DOMAIN other.base AS text",
            "CREATE DOMAIN derived AS other.base CHECK (length(VALUE) > 0)",
        ]);
        assert_eq!(domain(&model, "derived").data_type, "other.base");
    }

    #[test]
    fn altering_a_missing_domain_is_an_error() {
        let context = SchemaContext {
            default_schema: "public".to_string(),
        };
        let text = StatementText {
            sql: "ALTER DOMAIN nope SET NOT NULL",
            directives: &[],
        };
        let error = statement_changes(text, &Model::default(), &context)
            .map(|_: Vec<Change>| ())
            .expect_err("no such domain");
        assert!(
            error
                .to_string()
                .contains("domain public.nope does not exist")
        );
    }
}
