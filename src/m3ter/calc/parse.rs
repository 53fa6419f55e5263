//! The lexer and a recursive-descent parser, with positions for every error.

use super::value::{err, Bin, CalcError, CalcValue, Expr, Res};

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
