//! PostgreSQL domains: created, dropped, or altered in place where `ALTER DOMAIN` can.

use super::objects::{schema_pairs, union};
use crate::model::{Change, Domain, Model};
use std::collections::BTreeMap;

/// Domains by schema and name. A changed base type or collation has no `ALTER DOMAIN`: the
/// domain is dropped and created again (which the server refuses while a column uses it).
pub(super) fn domains(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    for (schema, from_schema, to_schema) in schema_pairs(current, desired) {
        let empty = BTreeMap::new();
        let from_domains = from_schema.map_or(&empty, |s| &s.domains);
        let to_domains = to_schema.map_or(&empty, |s| &s.domains);
        for name in union(from_domains, to_domains) {
            let schema = schema.to_string();
            match (from_domains.get(name), to_domains.get(name)) {
                (Some(from), Some(to)) if from == to => {}
                (Some(from), Some(to)) if alterable(from, to) => out.push(Change::AlterDomain {
                    schema,
                    from: from.clone(),
                    to: to.clone(),
                }),
                (Some(from), Some(to)) => {
                    out.push(Change::DropDomain {
                        schema: schema.clone(),
                        domain: from.clone(),
                    });
                    out.push(Change::CreateDomain {
                        schema,
                        domain: to.clone(),
                    });
                }
                (Some(from), None) => out.push(Change::DropDomain {
                    schema,
                    domain: from.clone(),
                }),
                (None, Some(to)) => out.push(Change::CreateDomain {
                    schema,
                    domain: to.clone(),
                }),
                (None, None) => {}
            }
        }
    }
}

/// Whether `ALTER DOMAIN` can turn `from` into `to`: everything but the base type and the
/// collation.
fn alterable(from: &Domain, to: &Domain) -> bool {
    from.data_type == to.data_type && from.collation == to.collation
}

#[cfg(test)]
mod tests {
    use crate::diff::diff;
    use crate::model::{Check, Domain, Model};

    fn with_domain(domain: Domain) -> Model {
        let mut model = Model::default();
        model
            .schema_mut("public")
            .domains
            .insert(domain.name.clone(), domain);
        model
    }

    fn positive() -> Domain {
        Domain {
            name: "positive".to_string(),
            data_type: "integer".to_string(),
            default: None,
            not_null: false,
            collation: None,
            checks: vec![Check {
                name: "positive_check".to_string(),
                expression: "value > 0".to_string(),
                no_inherit: false,
            }],
            comment: None,
        }
    }

    #[test]
    fn a_new_default_alters_the_domain_in_place() {
        let current = with_domain(positive());
        let desired = with_domain(Domain {
            default: Some("1".to_string()),
            ..positive()
        });
        let described: Vec<String> = diff(&current, &desired)
            .iter()
            .map(|c| c.describe())
            .collect();
        assert_eq!(described, ["set default on domain public.positive"]);
    }

    #[test]
    fn a_new_base_type_recreates_the_domain() {
        let current = with_domain(positive());
        let desired = with_domain(Domain {
            data_type: "bigint".to_string(),
            ..positive()
        });
        let described: Vec<String> = diff(&current, &desired)
            .iter()
            .map(|c| c.describe())
            .collect();
        assert_eq!(
            described,
            [
                "drop domain public.positive",
                "create domain public.positive"
            ]
        );
    }
}
