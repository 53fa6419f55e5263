//! The calculation engine's behaviour, from precedence to error positions.

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
