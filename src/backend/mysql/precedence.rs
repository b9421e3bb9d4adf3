//! Parentheses MariaDB does not print: the server stores an expression as a tree and prints
//! only the parentheses precedence needs (`(a / b) * 2` comes back as `a / b * 2`), so the
//! canonical form drops the redundant ones on both sides of a comparison.

use sqlparser::ast::{BinaryOperator, Expr};

/// How tightly a binary operator binds in MySQL (higher binds tighter), for the operators whose
/// rank is certain; `None` leaves the parentheses around others alone.
fn rank(op: &BinaryOperator) -> Option<u8> {
    use BinaryOperator::*;
    Some(match op {
        Multiply | Divide | Modulo | MyIntegerDivide => 6,
        Plus | Minus => 5,
        Eq | NotEq | Lt | Gt | LtEq | GtEq | Spaceship => 3,
        And => 2,
        Xor => 1,
        Or => 0,
        _ => return None,
    })
}

/// The rank of a parenthesized binary operation, if it is one with a known rank.
fn nested_rank(expr: &Expr) -> Option<u8> {
    match expr {
        Expr::Nested(inner) => match &**inner {
            Expr::BinaryOp { op, .. } => rank(op),
            _ => None,
        },
        _ => None,
    }
}

fn unwrap(expr: &mut Box<Expr>) {
    if let Expr::Nested(inner) = &mut **expr {
        let inner = std::mem::replace(&mut **inner, Expr::value(sqlparser::ast::Value::Null));
        **expr = inner;
    }
}

/// Drops the parentheses of a binary operation's operands that precedence makes redundant:
/// a left operand binding at least as tightly (operators associate to the left), a right one
/// binding strictly tighter.
pub fn drop_redundant_parentheses(expr: &mut Expr) {
    let Expr::BinaryOp { left, op, right } = expr else {
        return;
    };
    let Some(parent) = rank(op) else {
        return;
    };
    if nested_rank(left).is_some_and(|child| child >= parent) {
        unwrap(left);
    }
    if nested_rank(right).is_some_and(|child| child > parent) {
        unwrap(right);
    }
}

#[cfg(test)]
mod tests {
    use super::super::types::canonical_expression;

    #[test]
    fn parentheses_precedence_needs_stay_and_others_go() {
        let c = |raw: &str| canonical_expression(raw).unwrap();
        assert_eq!(c("(a / b) * 2"), "a / b * 2");
        assert_eq!(c("a * (b / c)"), "a * (b / c)");
        assert_eq!(c("(a + b) * 2"), "(a + b) * 2");
        assert_eq!(c("a + (b * c)"), "a + b * c");
        assert_eq!(c("(a > 1) AND (b < 2)"), "a > 1 AND b < 2");
        assert_eq!(c("a AND (b OR c)"), "a AND (b OR c)");
        assert_eq!(c("a - (b - c)"), "a - (b - c)");
    }
}
