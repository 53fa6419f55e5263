//! `submit --send-anyway`: only m3ter's request-stage checks refuse; what m3ter checks after
//! accepting (an unknown meter, a field the meter lacks) is a warning, and the measurement is
//! sent and followed to its real outcome.

use crate::support::*;

const GHOST: &str = r#"{"uid":"ghost-1","meter":"no_such_meter","account":"ACME","ts":"2026-02-01T10:00:00Z","measure":{"calls":3}}"#;

#[test]
fn an_unknown_meter_is_sent_anyway_and_fails_undefined_meter() {
    let ts = TestSandbox::start();
    let file = ts.path("ghost.json");
    std::fs::write(&file, GHOST).unwrap();
    let f = file.to_str().unwrap();

    // Without the flag: refused locally, nothing sent (unchanged).
    let r = ts.run(&["submit", "--json", f, "--wait"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no meter has the code"), "{}", r.stderr);

    let r = ts.run(&[
        "submit",
        "--json",
        f,
        "--send-anyway",
        "--wait",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("warning: ") && r.stderr.contains("UndefinedMeter"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("1 warning"), "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["result"], "accepted", "{v}");
    assert_eq!(v["outcome"]["failures"]["UndefinedMeter"], 1, "{v}");

    let events = ts
        .run(&["events", "list", "--failures", "-o", "json"])
        .ok()
        .json();
    assert!(
        events.to_string().contains("ghost-1") && events.to_string().contains("UndefinedMeter"),
        "{events}"
    );
}

#[test]
fn a_file_with_an_unknown_meter_sends_the_good_and_the_ghost() {
    let ts = TestSandbox::start();
    let file = ts.path("mixed.ndjson");
    let good = r#"{"uid":"good-1","meter":"api_calls","account":"ACME","ts":"2026-02-01T10:00:00Z","measure":{"calls":3}}"#;
    std::fs::write(&file, format!("{good}\n{GHOST}\n")).unwrap();
    let f = file.to_str().unwrap();
    let r = ts.run(&["submit", "--file", f, "--dry-run"]);
    assert_eq!(r.code, 2, "{}", r.stderr);

    let r = ts.run(&["submit", "--file", f, "--send-anyway", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("mixed.ndjson:2:"), "{}", r.stderr);
    assert!(r.stderr.contains("2 valid measurements"), "{}", r.stderr);

    let r = ts.run(&[
        "submit",
        "--file",
        f,
        "--send-anyway",
        "--wait",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["outcome"]["ingested"], 1, "{v}");
    assert_eq!(v["outcome"]["failures"]["UndefinedMeter"], 1, "{v}");
}

#[test]
fn a_csv_or_flags_for_an_unknown_meter_need_categories() {
    let ts = TestSandbox::start();
    let csv = ts.path("ghost.csv");
    std::fs::write(
        &csv,
        "meter,account,ts,measure.calls\nno_such_meter,ACME,2026-02-01T10:00:00Z,3\n",
    )
    .unwrap();
    let r = ts.run(&[
        "submit",
        "--file",
        csv.to_str().unwrap(),
        "--send-anyway",
        "--dry-run",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning: ghost.csv") || r.stderr.contains("ghost.csv:2"),
        "{}",
        r.stderr
    );

    let flags = |field: &str| {
        ts.run(&[
            "submit",
            "--meter",
            "no_such_meter",
            "--account",
            "ACME",
            "--field",
            field,
            "--send-anyway",
            "--dry-run",
        ])
    };
    let r = flags("calls=3");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("measure.calls"), "{}", r.stderr);
    let r = flags("measure.calls=3");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["measure"]["calls"], 3.0, "{}", r.stdout);
}

#[test]
fn request_stage_errors_still_refuse() {
    let ts = TestSandbox::start();
    let long_uid = "u".repeat(51);
    for (name, body) in [
        (
            "uid.json",
            format!(
                r#"{{"uid":"{long_uid}","meter":"no_such_meter","account":"ACME","ts":"2026-02-01T10:00:00Z"}}"#
            ),
        ),
        (
            "type.json",
            r#"{"meter":"no_such_meter","account":"ACME","ts":"2026-02-01T10:00:00Z","measure":{"calls":"three"}}"#
                .to_string(),
        ),
        (
            "code.json",
            r#"{"meter":" no_such_meter","account":"ACME","ts":"2026-02-01T10:00:00Z"}"#
                .to_string(),
        ),
    ] {
        let file = ts.path(name);
        std::fs::write(&file, body).unwrap();
        let r = ts.run(&["submit", "--json", file.to_str().unwrap(), "--send-anyway"]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(!r.stderr.contains("warning:"), "{}", r.stderr);
    }
    assert!(ts.measurements().is_empty());
}
