//! Reading the rows of [`super::queries::DOMAINS`] into the model.

use super::{InspectError, canonical_default, canonical_expression, get, normalized};
use crate::backend::Dialect;
use crate::backend::postgres::Postgres;
use crate::backend::postgres::{expr, types};
use crate::model::{Check, Domain, Model};
use sqlx::postgres::PgRow;

const WHAT: &str = "domains";

pub(super) fn read_domains(
    model: &mut Model,
    rows: &[PgRow],
    dialect: &Postgres,
) -> Result<(), InspectError> {
    for row in rows {
        let schema: String = get(row, WHAT, "schema")?;
        let name: String = get(row, WHAT, "name")?;
        let object = || format!("domain {schema}.{name}");
        let data_type = base_type(row, &schema, dialect, object)?;
        let default = match get::<Option<String>>(row, WHAT, "default_expr")? {
            Some(raw) => Some(normalized(object, &raw, |text| {
                canonical_default(text, &data_type)
            })?),
            None => None,
        };
        let names: Vec<String> = get(row, WHAT, "check_names")?;
        let expressions: Vec<String> = get(row, WHAT, "check_exprs")?;
        let mut checks = Vec::with_capacity(names.len());
        for (check_name, raw) in names.into_iter().zip(expressions) {
            let object = || format!("check {check_name} of domain {schema}.{name}");
            checks.push(Check {
                expression: normalized(object, &raw, canonical_expression)?,
                name: check_name,
                no_inherit: false,
            });
        }
        let domain = Domain {
            name: name.clone(),
            data_type,
            default,
            not_null: get(row, WHAT, "not_null")?,
            collation: get(row, WHAT, "collation")?,
            checks,
            comment: get(row, WHAT, "comment")?,
        };
        model.schema_mut(&schema).domains.insert(name, domain);
    }
    Ok(())
}

/// The base type spelled as a column's type is: a user type of the domain's own schema
/// unqualified, one of another schema qualified, a built-in one through the type normalizer.
fn base_type(
    row: &PgRow,
    schema: &str,
    dialect: &Postgres,
    object: impl FnOnce() -> String,
) -> Result<String, InspectError> {
    let Some(type_schema) = get::<Option<String>>(row, WHAT, "user_type_schema")? else {
        let formatted: String = get(row, WHAT, "formatted_type")?;
        return normalized(object, &formatted, |text| dialect.normalize_type(text));
    };
    let type_name: String = get(row, WHAT, "user_type_name")?;
    let mut spelled = if type_schema == schema {
        type_name
    } else {
        format!("{}.{type_name}", super::super::ident::quote(&type_schema))
    };
    if get::<bool>(row, WHAT, "is_array")? {
        spelled.push_str("[]");
    }
    Ok(spelled)
}

/// Removes from the checks of a domain over another domain the cast of `VALUE` to the type
/// underneath (`length(VALUE::text)`), which the server adds and the SQL does not write.
pub(super) fn drop_implicit_value_casts(model: &mut Model) {
    use sqlparser::ast::{Expr, visit_expressions_mut};
    use std::ops::ControlFlow;
    let mut underlying = Vec::new();
    for (schema, s) in &model.schemas {
        for domain in s.domains.values() {
            let mut data_type = domain.data_type.clone();
            let mut seen = 0;
            while let Some(base) = s.domains.get(&data_type).filter(|_| seen < 16) {
                data_type = base.data_type.clone();
                seen += 1;
            }
            if seen > 0 {
                underlying.push((schema.clone(), domain.name.clone(), data_type));
            }
        }
    }
    for (schema, name, data_type) in underlying {
        let Some(domain) = model
            .schemas
            .get_mut(&schema)
            .and_then(|s| s.domains.get_mut(&name))
        else {
            continue;
        };
        for check in &mut domain.checks {
            let Ok(mut parsed) = expr::parse_expression(&check.expression) else {
                continue;
            };
            let _ = visit_expressions_mut(&mut parsed, |e| {
                if let Expr::Cast {
                    expr: inner,
                    data_type: cast_type,
                    format: None,
                    ..
                } = e
                    && matches!(inner.as_ref(), Expr::Identifier(i) if i.value.eq_ignore_ascii_case("value"))
                    && types::normalize_type(&cast_type.to_string()).is_ok_and(|t| t == data_type)
                {
                    *e =
                        std::mem::replace(inner.as_mut(), Expr::value(sqlparser::ast::Value::Null));
                }
                ControlFlow::<()>::Continue(())
            });
            check.expression = expr::canonical_expression(parsed);
        }
    }
}
