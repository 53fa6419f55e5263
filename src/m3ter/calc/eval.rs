//! The evaluator: strict about types and nulls, so a bad calculation says why.

use super::parse::parse;
use super::value::{err, Bin, CalcValue, Expr, Res};

/// Parses and evaluates in one go.
pub fn evaluate(src: &str, lookup: impl Fn(&str) -> Option<CalcValue>) -> Res<CalcValue> {
    parse(src)?.eval(&lookup)
}

// ------------------------------------------------------------------ evaluator

impl Expr {
    /// Evaluates with `lookup` giving each field's value (`None` = not carried = `null`).
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<CalcValue>) -> Res<CalcValue> {
        use CalcValue::*;
        Ok(match self {
            Expr::Lit(v) => v.clone(),
            Expr::Field { name, .. } => lookup(name).unwrap_or(Null),
            Expr::Neg(a, at) => Number(-num(a.eval(lookup)?, *at, "-", a)?),
            Expr::Not(a) => Bool(!truthy(&a.eval(lookup)?)),
            Expr::Cond(c, a, b) => {
                if truthy(&c.eval(lookup)?) {
                    a.eval(lookup)?
                } else {
                    b.eval(lookup)?
                }
            }
            Expr::In(x, list) => {
                let v = x.eval(lookup)?;
                let mut found = false;
                for item in list {
                    if equal(&v, &item.eval(lookup)?) {
                        found = true;
                        break;
                    }
                }
                Bool(found)
            }
            Expr::Binary(Bin::And, a, b, _) => {
                Bool(truthy(&a.eval(lookup)?) && truthy(&b.eval(lookup)?))
            }
            Expr::Binary(Bin::Or, a, b, _) => {
                Bool(truthy(&a.eval(lookup)?) || truthy(&b.eval(lookup)?))
            }
            Expr::Binary(op, a, b, at) => binary(*op, a.eval(lookup)?, b.eval(lookup)?, *at, a, b)?,
            Expr::Call { name, args, at } => {
                let vals = args
                    .iter()
                    .map(|a| a.eval(lookup))
                    .collect::<Res<Vec<_>>>()?;
                if name == "isnull" {
                    return Ok(Bool(vals[0] == Null));
                }
                let mut ns = Vec::with_capacity(vals.len());
                for (v, e) in vals.into_iter().zip(args) {
                    ns.push(num(v, *at, name, e)?);
                }
                let r = match name.as_str() {
                    "math.max" => ns.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    "math.min" => ns.iter().copied().fold(f64::INFINITY, f64::min),
                    "math.floor" => ns[0].floor(),
                    "math.ceil" => ns[0].ceil(),
                    "math.round" => ns[0].round(),
                    "math.abs" => ns[0].abs(),
                    "math.pow" => ns[0].powf(ns[1]),
                    "math.sqrt" if ns[0] < 0.0 => {
                        return err(*at, format!("Math.sqrt of a negative number ({})", ns[0]))
                    }
                    "math.sqrt" => ns[0].sqrt(),
                    _ => unreachable!("checked when parsed"),
                };
                finite(r, *at, name)?
            }
        })
    }
}

/// A short rendering of an operand for error messages: the field name, or "the value".
fn operand(e: &Expr) -> String {
    match e {
        Expr::Field { name, .. } => format!("field {name:?}"),
        _ => "the operand".into(),
    }
}

fn num(v: CalcValue, at: usize, op: &str, e: &Expr) -> Res<f64> {
    match v {
        CalcValue::Number(n) => Ok(n),
        CalcValue::Null => err(
            at,
            format!(
                "{} is null, so {op} cannot use it (guard with isnull())",
                operand(e)
            ),
        ),
        other => err(
            at,
            format!(
                "{op} needs a number, but {} is {}",
                operand(e),
                other.type_name()
            ),
        ),
    }
}

fn finite(n: f64, at: usize, op: &str) -> Res<CalcValue> {
    if n.is_finite() {
        Ok(CalcValue::Number(n))
    } else {
        err(
            at,
            format!("{op} gives a result that is not a finite number"),
        )
    }
}

fn truthy(v: &CalcValue) -> bool {
    match v {
        CalcValue::Null => false,
        CalcValue::Bool(b) => *b,
        CalcValue::Number(n) => *n != 0.0,
        CalcValue::Str(s) => !s.is_empty(),
    }
}

fn equal(a: &CalcValue, b: &CalcValue) -> bool {
    a == b
}

fn binary(op: Bin, l: CalcValue, r: CalcValue, at: usize, le: &Expr, re: &Expr) -> Res<CalcValue> {
    use CalcValue::*;
    let sym = op.symbol();
    match op {
        Bin::Eq => return Ok(Bool(equal(&l, &r))),
        Bin::Ne => return Ok(Bool(!equal(&l, &r))),
        Bin::Add => {
            if let (Str(a), Str(b)) = (&l, &r) {
                return Ok(Str(format!("{a}{b}")));
            }
        }
        Bin::Lt | Bin::Le | Bin::Gt | Bin::Ge => {
            if let (Str(a), Str(b)) = (&l, &r) {
                let o = a.cmp(b);
                return Ok(Bool(compare(op, o)));
            }
        }
        _ => {}
    }
    let a = num(l, at, sym, le)?;
    let b = num(r, at, sym, re)?;
    match op {
        Bin::Add => finite(a + b, at, sym),
        Bin::Sub => finite(a - b, at, sym),
        Bin::Mul => finite(a * b, at, sym),
        Bin::Div | Bin::Rem if b == 0.0 => {
            err(at, format!("{} is zero: division by zero", operand(re)))
        }
        Bin::Div => finite(a / b, at, sym),
        Bin::Rem => finite(a % b, at, sym),
        Bin::Pow => finite(a.powf(b), at, sym),
        _ => Ok(Bool(compare(
            op,
            a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
        ))),
    }
}

fn compare(op: Bin, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Bin::Lt => o == Less,
        Bin::Le => o != Greater,
        Bin::Gt => o == Greater,
        Bin::Ge => o != Less,
        _ => false,
    }
}
