//! Formulas for business users (SCORE-1): MiniJinja expressions — arithmetic,
//! comparisons, `and`/`or`/`not`, `a if cond else b`, and the functions
//! `min`/`max`/`abs`/`round` (also 最小/最大/绝对值/四舍五入). Identifiers may be
//! Chinese (`值 / 最优 * 100`). There are no loops or assignments, unknown names
//! are errors, and every evaluation runs on a fuel budget, so a formula's cost is
//! bounded whatever a person types. (evalexpr 13 would also fit, but it is
//! AGPL-3.0-only, which this Apache-2.0 product cannot ship.)

use minijinja::{Environment, UndefinedBehavior, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Longest formula text.
pub const MAX_LEN: usize = 500;
/// Instructions one evaluation may spend.
const FUEL: u64 = 2_000;

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::empty();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        for name in ["min", "最小"] {
            env.add_function(name, |a: f64, b: f64| a.min(b));
        }
        for name in ["max", "最大"] {
            env.add_function(name, |a: f64, b: f64| a.max(b));
        }
        for name in ["abs", "绝对值"] {
            env.add_function(name, |a: f64| a.abs());
        }
        for name in ["round", "四舍五入"] {
            env.add_function(name, |a: f64, digits: Option<i32>| {
                let scale = 10f64.powi(digits.unwrap_or(0).clamp(0, 6));
                (a * scale).round() / scale
            });
        }
        env
    })
}

/// Why a formula failed: its text, or evaluating it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FormulaError(pub String);

/// Variables a formula sees.
pub type Variables = BTreeMap<String, f64>;

fn eval(text: &str, vars: &Variables) -> Result<Value, FormulaError> {
    if text.trim().is_empty() || text.chars().count() > MAX_LEN {
        return Err(FormulaError(format!("公式须为 1–{MAX_LEN} 个字符")));
    }
    let expression = environment().compile_expression(text).map_err(|e| {
        FormulaError(format!(
            "公式无法解析：{}",
            e.detail().unwrap_or("语法错误")
        ))
    })?;
    expression.eval(vars).map_err(|e| {
        FormulaError(format!(
            "公式计算失败：{}",
            e.detail().unwrap_or(&e.to_string())
        ))
    })
}

/// Evaluate a formula to a finite number.
pub fn number(text: &str, vars: &Variables) -> Result<f64, FormulaError> {
    let value = eval(text, vars)?;
    if value.is_number() {
        if let Ok(v) = f64::try_from(value) {
            if v.is_finite() {
                return Ok(v);
            }
        }
    }
    Err(FormulaError("公式结果须为有限的数值".to_string()))
}

/// Evaluate a condition (anything truthy counts as true).
pub fn condition(text: &str, vars: &Variables) -> Result<bool, FormulaError> {
    Ok(eval(text, vars)?.is_true())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, f64)]) -> Variables {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn chinese_identifiers_and_functions() {
        let v = vars(&[("值", 90.0), ("最优", 96.0)]);
        assert_eq!(number("值 / 最优 * 100", &v).unwrap(), 93.75);
        assert_eq!(number("最大(0, 100 - (最优 - 值) * 2)", &v).unwrap(), 88.0);
        assert_eq!(number("round(值 / 7, 2)", &v).unwrap(), 12.86);
        assert_eq!(number("10 if 值 >= 90 else 0", &v).unwrap(), 10.0);
        assert!(condition("值 >= 90 and 最优 > 95", &v).unwrap());
    }

    #[test]
    fn unknown_names_bad_syntax_and_non_numbers_are_errors() {
        let v = vars(&[("值", 1.0)]);
        assert!(number("值 + 未知", &v).is_err());
        assert!(number("值 +", &v).is_err());
        assert!(number("'text'", &v).is_err());
        assert!(number("", &v).is_err());
        assert!(number(&"1+".repeat(300), &v).is_err());
    }

    #[test]
    fn cost_is_bounded_by_length_and_fuel() {
        // No loops exist; the longest admissible formula is cheap, a longer one is refused.
        let longest = format!("1{}", "+1".repeat((MAX_LEN - 1) / 2));
        assert_eq!(number(&longest, &Variables::new()).unwrap(), 250.0);
        assert!(number(&format!("{longest}+1"), &Variables::new()).is_err());
    }
}
