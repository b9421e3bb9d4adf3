//! Functions, procedures and triggers (PostgreSQL; MySQL/MariaDB triggers too, with their body inline). Loaders and inspection bring every field to
//! one canonical form — the server's defaults as absent, types as the catalog prints them — so
//! that the SQL that created a routine and the live routine compare equal.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `CREATE FUNCTION` or `CREATE PROCEDURE`. The body is kept as the text between the quotes,
/// which is what the server stores (`prosrc`) and compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub procedure: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<FunctionArgument>,
    /// The result as `pg_get_function_result` prints it (`integer`, `SETOF text`,
    /// `TABLE(id integer)`); `None` for a procedure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    /// Lower case (`plpgsql`, `sql`).
    pub language: String,
    pub body: String,
    /// `immutable` or `stable`; `None` is the default, volatile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volatility: Option<String>,
    /// `STRICT` (`RETURNS NULL ON NULL INPUT`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub security_definer: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub leakproof: bool,
    /// `safe` or `restricted`; `None` is the default, unsafe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<String>,
    /// `COST`, when not the language's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<String>,
    /// `ROWS`, when not the default (1000 for a set-returning function).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<String>,
    /// `SET name = value` clauses by lower-case name, values as the server stores them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// One argument as `pg_get_function_arguments` prints it, `IN` left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionArgument {
    /// `OUT`, `INOUT` or `VARIADIC`; `None` for `IN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The type without modifiers (the catalog keeps none for arguments).
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl Function {
    /// The key of a function within its schema, `name(type, …)`: the name and the types that
    /// identify it (output arguments count for procedures only), as `DROP FUNCTION` names it.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.identity_types().join(", "))
    }

    /// The argument types that identify the routine.
    pub fn identity_types(&self) -> Vec<String> {
        self.arguments
            .iter()
            .filter(|a| self.procedure || a.mode.as_deref() != Some("OUT"))
            .map(|a| match a.mode.as_deref() {
                Some("VARIADIC") => format!("VARIADIC {}", a.data_type),
                _ => a.data_type.clone(),
            })
            .collect()
    }

    /// Whether `CREATE OR REPLACE` can turn `self` into `to`: same kind, same result type and
    /// the same output arguments (the server refuses to change them in place), same argument
    /// names, and no default removed.
    pub fn replaceable_by(&self, to: &Function) -> bool {
        let outputs = |f: &Function| -> Vec<(Option<String>, String)> {
            f.arguments
                .iter()
                .filter(|a| matches!(a.mode.as_deref(), Some("OUT" | "INOUT")))
                .map(|a| (a.name.clone(), a.data_type.clone()))
                .collect()
        };
        let names = |f: &Function| -> Vec<Option<String>> {
            f.arguments.iter().map(|a| a.name.clone()).collect()
        };
        let defaults = |f: &Function| f.arguments.iter().filter(|a| a.default.is_some()).count();
        self.procedure == to.procedure
            && self.returns == to.returns
            && outputs(self) == outputs(to)
            && names(self) == names(to)
            && defaults(to) >= defaults(self)
    }
}

/// `CREATE [CONSTRAINT] TRIGGER`, kept under its table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub constraint: bool,
    /// `BEFORE`, `AFTER` or `INSTEAD OF`.
    pub timing: String,
    /// `INSERT`, `DELETE`, `UPDATE`, `TRUNCATE`, in that order (the server's).
    pub events: Vec<String>,
    /// `UPDATE OF` these columns, in the order written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub update_columns: Vec<String>,
    /// `REFERENCING` clauses (`OLD TABLE AS name`), old first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referencing: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub for_each_row: bool,
    /// The `WHEN` condition as canonical SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The function, qualified when it lives outside the table's schema (PostgreSQL); empty
    /// for a MySQL trigger, which carries its `body` instead.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub function: String,
    /// The arguments as the strings the function receives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// MySQL/MariaDB: the statement the trigger runs (one statement or `BEGIN … END`), the text
    /// after `FOR EACH ROW` with comments, trailing spaces and blank lines removed outside
    /// literals, so that the loaded and the inspected trigger compare equal. `None` for
    /// PostgreSQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl Trigger {
    /// The same trigger without its comment, to tell a definition change from a comment change.
    pub fn without_comment(&self) -> Trigger {
        Trigger {
            comment: None,
            ..self.clone()
        }
    }
}
