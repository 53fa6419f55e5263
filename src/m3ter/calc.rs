//! m3ter's derived-field calculations: a parser and an evaluator, pure (no I/O), so the sandbox
//! computes derived values at ingest and the TUI can check a calculation as it is typed.
//!
//! The language (m3ter's Calculation Engine): numbers, `'strings'` or `"strings"`, `true`,
//! `false`, `null`; field names (a data field's code, `ts`, `ets`; dotted names such as
//! `measure.calls` are looked up whole); `+ - * / % ^` (power, right-associative), unary `-`;
//! comparisons `== != < <= > >=` (also `=` and `<>`); `AND`/`&&`, `OR`/`||`, `NOT`/`!`; the
//! ternary `c ? a : b`; `x IN (a, b, …)` and `IN(x, a, b, …)`; `isnull(x)`;
//! `Math.max/min/floor/ceil/round/pow/abs/sqrt`.
//!
//! Decisions where m3ter's documentation is silent:
//! - a field the measurement does not carry is `null`; arithmetic or ordering on `null` is a
//!   [`CalcError`] (guard with `isnull(x) ? 0 : x`), `==`/`!=` compare it;
//! - `ts`/`ets` are the timestamps as epoch milliseconds (numbers), so `(ets - ts) / 1000` is a
//!   duration in seconds; m3ter's other date-time helpers are not supported and are reported
//!   as unknown functions;
//! - division or remainder by zero and non-finite results are errors, never `Infinity`;
//! - `+` on two strings concatenates; other mixes of strings and numbers are errors;
//! - `Math.round` rounds half away from zero.

use std::fmt;

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum CalcValue {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
}

impl CalcValue {
    fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Number(_) => "a number",
            Self::Str(_) => "a string",
        }
    }

    /// The value as JSON (a whole number stays whole: `3`, not `3.0`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Null => serde_json::Value::Null,
            Self::Bool(b) => (*b).into(),
            Self::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => (*n as i64).into(),
            Self::Number(n) => serde_json::Number::from_f64(*n)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Self::Str(s) => s.clone().into(),
        }
    }

    /// A JSON value as a calculation value (objects and arrays are not values: `null`).
    pub fn from_json(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Bool(b) => Self::Bool(*b),
            serde_json::Value::Number(n) => n.as_f64().map(Self::Number).unwrap_or(Self::Null),
            serde_json::Value::String(s) => Self::Str(s.clone()),
            _ => Self::Null,
        }
    }
}

impl fmt::Display for CalcValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Number(n) => write!(f, "{n}"),
            Self::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// Why a calculation could not be parsed or evaluated, and where (1-based column in the
/// calculation text, counted in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct CalcError {
    pub column: usize,
    pub message: String,
}

type Res<T> = Result<T, CalcError>;

fn err<T>(column: usize, message: impl Into<String>) -> Res<T> {
    Err(CalcError {
        column,
        message: message.into(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl Bin {
    fn symbol(self) -> &'static str {
        match self {
            Bin::Add => "+",
            Bin::Sub => "-",
            Bin::Mul => "*",
            Bin::Div => "/",
            Bin::Rem => "%",
            Bin::Pow => "^",
            Bin::Eq => "==",
            Bin::Ne => "!=",
            Bin::Lt => "<",
            Bin::Le => "<=",
            Bin::Gt => ">",
            Bin::Ge => ">=",
            Bin::And => "AND",
            Bin::Or => "OR",
        }
    }
}

/// A parsed calculation; evaluate it with [`Expr::eval`] as many times as needed.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(CalcValue),
    Field {
        name: String,
        at: usize,
    },
    Neg(Box<Expr>, usize),
    Not(Box<Expr>),
    Binary(Bin, Box<Expr>, Box<Expr>, usize),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Vec<Expr>),
    Call {
        name: String,
        args: Vec<Expr>,
        at: usize,
    },
}

/// Parses a calculation.
pub fn parse(src: &str) -> Res<Expr> {
    let tokens = lex(src)?;
    let mut p = Parser { tokens, pos: 0 };
    let e = p.ternary()?;
    match p.peek() {
        Tok::End => Ok(e),
        t => err(
            p.col(),
            format!("unexpected {} after a complete expression", t.describe()),
        ),
    }
}

/// Parses and evaluates in one go.
pub fn evaluate(src: &str, lookup: impl Fn(&str) -> Option<CalcValue>) -> Res<CalcValue> {
    parse(src)?.eval(&lookup)
}

/// Every field name the calculation reads, in order of first use (for checking a meter).
pub fn fields(expr: &Expr) -> Vec<String> {
    fn walk(e: &Expr, out: &mut Vec<String>) {
        match e {
            Expr::Lit(_) => {}
            Expr::Field { name, .. } => {
                if !out.contains(name) {
                    out.push(name.clone())
                }
            }
            Expr::Neg(a, _) | Expr::Not(a) => walk(a, out),
            Expr::Binary(_, a, b, _) => {
                walk(a, out);
                walk(b, out)
            }
            Expr::Cond(a, b, c) => {
                walk(a, out);
                walk(b, out);
                walk(c, out)
            }
            Expr::In(a, list) => {
                walk(a, out);
                list.iter().for_each(|x| walk(x, out))
            }
            Expr::Call { args, .. } => args.iter().for_each(|x| walk(x, out)),
        }
    }
    let mut out = Vec::new();
    walk(expr, &mut out);
    out
}

// ------------------------------------------------------------------ lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Op(&'static str),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Num(n) => format!("number {n}"),
            Tok::Str(s) => format!("string {s:?}"),
            Tok::Ident(s) => format!("{s:?}"),
            Tok::Op(o) => format!("{o:?}"),
            Tok::End => "end of the calculation".into(),
        }
    }
}

const OPS: [&str; 22] = [
    "&&", "||", "==", "!=", "<=", ">=", "<>", "+", "-", "*", "/", "%", "^", "<", ">", "=", "!",
    "?", ":", "(", ")", ",",
];

fn lex(src: &str) -> Res<Vec<(Tok, usize)>> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && matches!(chars[i], 'e' | 'E') {
                let mut j = i + 1;
                if j < chars.len() && matches!(chars[j], '+' | '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text: String = chars[start..i].iter().collect();
            let n = text
                .parse::<f64>()
                .or_else(|_| err(col, format!("{text:?} is not a number")))?;
            out.push((Tok::Num(n), col));
        } else if c == '\'' || c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return err(col, "this string is never closed"),
                    Some(&q) if q == c => break,
                    Some('\\') if i + 1 < chars.len() => {
                        s.push(chars[i + 1]);
                        i += 2;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            i += 1;
            out.push((Tok::Str(s), col));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$' | '.'))
            {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            if name.ends_with('.') {
                return err(col, format!("{name:?} ends with a dot"));
            }
            out.push((Tok::Ident(name), col));
        } else {
            let rest: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = OPS
                .iter()
                .find(|o| rest.starts_with(**o))
                .ok_or_else(|| CalcError {
                    column: col,
                    message: format!("unexpected character {c:?}"),
                })?;
            i += op.chars().count();
            out.push((Tok::Op(op), col));
        }
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

// ------------------------------------------------------------------ parser

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].0
    }
    fn col(&self) -> usize {
        self.tokens[self.pos].1
    }
    fn bump(&mut self) -> (Tok, usize) {
        let t = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        t
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case(w))
    }
    fn expect(&mut self, op: &str, what: &str) -> Res<()> {
        if self.is_op(op) {
            self.bump();
            Ok(())
        } else {
            err(
                self.col(),
                format!("expected {what}, found {}", self.peek().describe()),
            )
        }
    }

    fn ternary(&mut self) -> Res<Expr> {
        let c = self.or()?;
        if !self.is_op("?") {
            return Ok(c);
        }
        self.bump();
        let a = self.ternary()?;
        self.expect(":", "\":\" of a \"? :\"")?;
        let b = self.ternary()?;
        Ok(Expr::Cond(Box::new(c), Box::new(a), Box::new(b)))
    }

    fn or(&mut self) -> Res<Expr> {
        let mut l = self.and()?;
        while self.is_op("||") || self.is_word("OR") {
            let (_, at) = self.bump();
            l = Expr::Binary(Bin::Or, Box::new(l), Box::new(self.and()?), at);
        }
        Ok(l)
    }

    fn and(&mut self) -> Res<Expr> {
        let mut l = self.cmp()?;
        while self.is_op("&&") || self.is_word("AND") {
            let (_, at) = self.bump();
            l = Expr::Binary(Bin::And, Box::new(l), Box::new(self.cmp()?), at);
        }
        Ok(l)
    }

    fn cmp(&mut self) -> Res<Expr> {
        let mut l = self.add()?;
        loop {
            if self.is_word("IN") {
                self.bump();
                self.expect("(", "\"(\" after IN")?;
                let list = self.args()?;
                l = Expr::In(Box::new(l), list);
                continue;
            }
            let op = match self.peek() {
                Tok::Op("==") | Tok::Op("=") => Bin::Eq,
                Tok::Op("!=") | Tok::Op("<>") => Bin::Ne,
                Tok::Op("<") => Bin::Lt,
                Tok::Op("<=") => Bin::Le,
                Tok::Op(">") => Bin::Gt,
                Tok::Op(">=") => Bin::Ge,
                _ => return Ok(l),
            };
            let (_, at) = self.bump();
            l = Expr::Binary(op, Box::new(l), Box::new(self.add()?), at);
        }
    }

    fn add(&mut self) -> Res<Expr> {
        let mut l = self.mul()?;
        loop {
            let op = match self.peek() {
                Tok::Op("+") => Bin::Add,
                Tok::Op("-") => Bin::Sub,
                _ => return Ok(l),
            };
            let (_, at) = self.bump();
            l = Expr::Binary(op, Box::new(l), Box::new(self.mul()?), at);
        }
    }

    fn mul(&mut self) -> Res<Expr> {
        let mut l = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Op("*") => Bin::Mul,
                Tok::Op("/") => Bin::Div,
                Tok::Op("%") => Bin::Rem,
                _ => return Ok(l),
            };
            let (_, at) = self.bump();
            l = Expr::Binary(op, Box::new(l), Box::new(self.unary()?), at);
        }
    }

    fn unary(&mut self) -> Res<Expr> {
        if self.is_op("-") {
            let (_, at) = self.bump();
            return Ok(Expr::Neg(Box::new(self.unary()?), at));
        }
        if self.is_op("+") {
            self.bump();
            return self.unary();
        }
        if self.is_op("!") || self.is_word("NOT") {
            self.bump();
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.power()
    }

    fn power(&mut self) -> Res<Expr> {
        let base = self.primary()?;
        if self.is_op("^") {
            let (_, at) = self.bump();
            let exp = self.unary()?;
            return Ok(Expr::Binary(Bin::Pow, Box::new(base), Box::new(exp), at));
        }
        Ok(base)
    }

    fn args(&mut self) -> Res<Vec<Expr>> {
        let mut args = Vec::new();
        if self.is_op(")") {
            self.bump();
            return Ok(args);
        }
        loop {
            args.push(self.ternary()?);
            if self.is_op(",") {
                self.bump();
                continue;
            }
            self.expect(")", "\",\" or \")\"")?;
            return Ok(args);
        }
    }

    fn primary(&mut self) -> Res<Expr> {
        let (tok, at) = self.bump();
        match tok {
            Tok::Num(n) => Ok(Expr::Lit(CalcValue::Number(n))),
            Tok::Str(s) => Ok(Expr::Lit(CalcValue::Str(s))),
            Tok::Op("(") => {
                let e = self.ternary()?;
                self.expect(")", "\")\"")?;
                Ok(e)
            }
            Tok::Ident(name) => {
                if self.is_op("(") {
                    self.bump();
                    let args = self.args()?;
                    return call(name, args, at);
                }
                Ok(match name.to_ascii_lowercase().as_str() {
                    "true" => Expr::Lit(CalcValue::Bool(true)),
                    "false" => Expr::Lit(CalcValue::Bool(false)),
                    "null" => Expr::Lit(CalcValue::Null),
                    _ => Expr::Field { name, at },
                })
            }
            Tok::End => err(at, "the calculation ends where a value was expected"),
            t => err(at, format!("expected a value, found {}", t.describe())),
        }
    }
}

/// Known functions and how many arguments they take (min, max).
const FUNCTIONS: [(&str, usize, usize); 10] = [
    ("math.max", 1, usize::MAX),
    ("math.min", 1, usize::MAX),
    ("math.floor", 1, 1),
    ("math.ceil", 1, 1),
    ("math.round", 1, 1),
    ("math.pow", 2, 2),
    ("math.abs", 1, 1),
    ("math.sqrt", 1, 1),
    ("isnull", 1, 1),
    ("in", 2, usize::MAX),
];

fn call(name: String, mut args: Vec<Expr>, at: usize) -> Res<Expr> {
    let lower = name.to_ascii_lowercase();
    let Some(&(_, min, max)) = FUNCTIONS.iter().find(|f| f.0 == lower) else {
        let known: Vec<&str> = FUNCTIONS.iter().map(|f| f.0).collect();
        return err(
            at,
            format!("unknown function {name:?} (known: {})", known.join(", ")),
        );
    };
    if args.len() < min || args.len() > max {
        let want = match (min, max) {
            (a, b) if a == b => format!("{a}"),
            (a, usize::MAX) => format!("at least {a}"),
            (a, b) => format!("{a}–{b}"),
        };
        return err(
            at,
            format!("{name} takes {want} argument(s), got {}", args.len()),
        );
    }
    if lower == "in" {
        let first = args.remove(0);
        return Ok(Expr::In(Box::new(first), args));
    }
    Ok(Expr::Call {
        name: lower,
        args,
        at,
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use CalcValue::*;

    fn env(name: &str) -> Option<CalcValue> {
        match name {
            "calls" => Some(Number(10.0)),
            "gb" => Some(Number(2.5)),
            "zero" => Some(Number(0.0)),
            "region" => Some(Str("eu".into())),
            "measure.calls" => Some(Number(10.0)),
            "ts" => Some(Number(1_000.0)),
            "ets" => Some(Number(61_000.0)),
            _ => None,
        }
    }

    fn ev(src: &str) -> CalcValue {
        evaluate(src, env).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    fn fails(src: &str) -> CalcError {
        evaluate(src, env).expect_err(src)
    }

    #[test]
    fn arithmetic_and_precedence() {
        assert_eq!(ev("1 + 2 * 3"), Number(7.0));
        assert_eq!(ev("(1 + 2) * 3"), Number(9.0));
        assert_eq!(ev("2 ^ 3 ^ 2"), Number(512.0), "power is right-associative");
        assert_eq!(
            ev("-2 ^ 2"),
            Number(-4.0),
            "unary minus binds looser than ^"
        );
        assert_eq!(ev("7 % 4"), Number(3.0));
        assert_eq!(ev("calls * gb / 5"), Number(5.0));
        assert_eq!(ev("1.5e2 + .5"), Number(150.5));
        assert_eq!(ev("measure.calls - 1"), Number(9.0));
        assert_eq!(ev("(ets - ts) / 1000"), Number(60.0));
    }

    #[test]
    fn logic_comparisons_and_ternary() {
        assert_eq!(ev("calls > 5 ? 1 : 0"), Number(1.0));
        assert_eq!(ev("calls >= 10 AND gb < 3"), Bool(true));
        assert_eq!(ev("calls < 5 or region == 'eu'"), Bool(true));
        assert_eq!(ev("NOT (calls = 10)"), Bool(false));
        assert_eq!(ev("calls <> 10 || !false"), Bool(true));
        assert_eq!(ev("a ? 1 : b ? 2 : 3"), Number(3.0), "nested ternaries");
        assert_eq!(ev("region IN ('us', 'eu')"), Bool(true));
        assert_eq!(ev("IN(calls, 1, 2)"), Bool(false));
        assert_eq!(ev("'a' + \"b\""), Str("ab".into()));
        assert_eq!(ev("'a' < 'b'"), Bool(true));
    }

    #[test]
    fn functions() {
        assert_eq!(ev("Math.max(1, calls, 3)"), Number(10.0));
        assert_eq!(ev("math.min(4, 2)"), Number(2.0));
        assert_eq!(ev("Math.floor(2.7) + Math.ceil(2.1)"), Number(5.0));
        assert_eq!(ev("Math.round(2.5)"), Number(3.0));
        assert_eq!(ev("Math.round(-2.5)"), Number(-3.0));
        assert_eq!(ev("Math.pow(2, 10)"), Number(1024.0));
        assert_eq!(ev("Math.abs(-3)"), Number(3.0));
        assert_eq!(ev("Math.sqrt(16)"), Number(4.0));
        assert_eq!(ev("isnull(missing) ? 0 : missing"), Number(0.0));
        assert_eq!(ev("isnull(calls)"), Bool(false));
    }

    #[test]
    fn missing_fields_are_null_and_guarded() {
        assert_eq!(ev("missing"), Null);
        assert_eq!(ev("missing == null"), Bool(true));
        let e = fails("missing + 1");
        assert!(e.message.contains("field \"missing\" is null"), "{e}");
        assert_eq!(e.column, 9);
    }

    #[test]
    fn evaluation_errors_say_what_and_where() {
        let e = fails("calls / zero");
        assert!(e.message.contains("division by zero"), "{e}");
        assert_eq!(e.column, 7);
        assert!(fails("calls % 0").message.contains("division by zero"));
        assert!(fails("region * 2")
            .message
            .contains("needs a number, but field \"region\" is a string"));
        assert!(fails("Math.sqrt(-1)").message.contains("negative"));
        assert!(fails("10 ^ 400").message.contains("not a finite number"));
    }

    #[test]
    fn parse_errors_say_what_and_where() {
        let e = parse("1 +").unwrap_err();
        assert_eq!(
            (e.column, e.message.as_str()),
            (4, "the calculation ends where a value was expected")
        );
        let e = parse("(1 + 2").unwrap_err();
        assert!(e.message.contains("expected \")\""), "{e}");
        let e = parse("1 2").unwrap_err();
        assert_eq!(e.column, 3);
        assert!(e.message.contains("unexpected number 2"), "{e}");
        let e = parse("Math.foo(1)").unwrap_err();
        assert!(e.message.contains("unknown function \"Math.foo\""), "{e}");
        let e = parse("Math.pow(1)").unwrap_err();
        assert!(e.message.contains("takes 2 argument(s), got 1"), "{e}");
        let e = parse("calls # 2").unwrap_err();
        assert_eq!(
            (e.column, e.message.as_str()),
            (7, "unexpected character '#'")
        );
        assert!(parse("'open").unwrap_err().message.contains("never closed"));
        assert!(parse("a ? 1").unwrap_err().message.contains("\":\""));
        assert!(parse("measure.")
            .unwrap_err()
            .message
            .contains("ends with a dot"));
    }

    #[test]
    fn fields_lists_what_a_calculation_reads() {
        let e = parse("isnull(a) ? b * 2 : Math.max(a, c) + a").unwrap();
        assert_eq!(fields(&e), ["a", "b", "c"]);
    }

    #[test]
    fn json_round_trip_keeps_whole_numbers_whole() {
        assert_eq!(Number(3.0).to_json(), serde_json::json!(3));
        assert_eq!(Number(2.5).to_json(), serde_json::json!(2.5));
        assert_eq!(
            CalcValue::from_json(&serde_json::json!("x")),
            Str("x".into())
        );
        assert_eq!(CalcValue::from_json(&serde_json::json!([1])), Null);
    }
}
