//! `domains:` entries of a YAML file (PostgreSQL `CREATE DOMAIN`).

use super::{CheckDoc, LoadError, Reader, normalize_default};
use crate::backend::postgres::names::domain_check_name;
use crate::model::{Check, Domain};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// CREATE DOMAIN: a base type with a default, NOT NULL and checks over `VALUE`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Domain")]
pub(super) struct DomainDoc {
    pub(super) name: String,
    /// The base type, written as a column's type.
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    data_type: Spanned<String>,
    /// The default, as SQL (quote string literals: `"'draft'"`).
    #[serde(default)]
    #[schemars(schema_with = "super::sql_scalar_schema")]
    default: Option<Spanned<String>>,
    /// NOT NULL; domains accept NULL unless stated.
    #[serde(default)]
    not_null: bool,
    collation: Option<String>,
    /// Checks over `VALUE`; an unnamed one is named `<domain>_check`, `<domain>_check1`, …
    #[serde(default)]
    checks: Vec<CheckDoc>,
    /// COMMENT ON DOMAIN.
    comment: Option<String>,
}

impl Reader<'_> {
    pub(super) fn domain(&self, doc: DomainDoc) -> Result<Domain, LoadError> {
        let data_type = self.data_type(&doc.data_type)?;
        let default = match &doc.default {
            Some(raw) => {
                let expression = self.normalized(raw, |d, raw| d.normalize_expression(raw))?;
                Some(normalize_default(&expression, &data_type))
            }
            None => None,
        };
        let mut checks: Vec<Check> = Vec::new();
        for check in doc.checks {
            let expression =
                self.normalized(&check.expression, |d, raw| d.normalize_expression(raw))?;
            let name = check.name.unwrap_or_else(|| {
                let taken: Vec<String> = checks.iter().map(|c| c.name.clone()).collect();
                domain_check_name(&doc.name, &taken)
            });
            checks.push(Check {
                name,
                expression,
                no_inherit: false,
            });
        }
        let mut domain = Domain {
            name: doc.name,
            data_type,
            default,
            not_null: doc.not_null,
            collation: doc.collation,
            checks,
            comment: doc.comment,
        };
        domain.sort_checks();
        Ok(domain)
    }
}

#[cfg(test)]
mod tests {
    use crate::backend::{BackendKind, SchemaContext, dialect};
    use crate::model::{Check, Domain};
    use crate::source::{LoadOptions, load_yaml_text};
    use std::path::Path;

    #[test]
    fn a_yaml_domain_loads_like_its_sql() {
        let yaml = "schema: shop
domains:
  - name: quantity
    type: int4
    default: 0
    not_null: true
    checks:
      - expression: VALUE >= 0
      - { name: below_1000, expression: VALUE < 1000 }
    comment: How many
";
        let context = SchemaContext {
            default_schema: "shop".to_string(),
        };
        let options = LoadOptions {
            dialect: dialect(BackendKind::Postgresql).expect("PostgreSQL has a dialect"),
            context: &context,
        };
        let model =
            load_yaml_text(yaml, Path::new("shop.yaml"), options).unwrap_or_else(|e| panic!("{e}"));
        let check = |name: &str, expression: &str| Check {
            name: name.to_string(),
            expression: expression.to_string(),
            no_inherit: false,
        };
        assert_eq!(
            model.schemas["shop"].domains["quantity"],
            Domain {
                name: "quantity".to_string(),
                data_type: "integer".to_string(),
                default: Some("0".to_string()),
                not_null: true,
                collation: None,
                checks: vec![
                    check("below_1000", "value < 1000"),
                    check("quantity_check", "value >= 0"),
                ],
                comment: Some("How many".to_string()),
            }
        );
    }
}
