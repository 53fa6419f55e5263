//! `submit` one measurement (flags, JSON) and small files (NDJSON, JSON array, CSV): values are
//! typed by the meter, and bad input is refused locally, naming file, line, column and field.

use crate::support::*;
use std::io::Write;
use std::process::Stdio;

fn by_uid<'a>(stored: &'a [serde_json::Value], uid: &str) -> &'a serde_json::Value {
    stored
        .iter()
        .find(|m| m["uid"] == uid)
        .unwrap_or_else(|| panic!("{uid} not stored"))
}

#[test]
fn one_measurement_from_flags() {
    let ts = TestSandbox::start();
    let r = ts
        .run(&[
            "submit",
            "--meter",
            "vm_hours",
            "--account",
            "INITECH",
            "--uid",
            "flag-1",
            "--ts",
            "2026-02-01T10:00:00Z",
            "--ets",
            "2026-02-01T11:00:00Z",
            "--field",
            "user=ann",
            "--field",
            "region=eu-west-1",
            "--field",
            "instance_type=m5.large",
            "--field",
            "hours=1.5",
        ])
        .ok();
    assert_eq!(r.json()["result"], "accepted");
    let stored = ts.measurements();
    let m = by_uid(&stored, "flag-1");
    assert_eq!(m["who"]["user"], "ann");
    assert_eq!(m["where"]["region"], "eu-west-1");
    assert_eq!(m["what"]["instance_type"], "m5.large");
    assert_eq!(m["measure"]["hours"], 1.5);
    assert_eq!(m["ets"], "2026-02-01T11:00:00Z");

    // uid and ts default to a UUID and now.
    let r = ts
        .run(&[
            "submit",
            "--meter",
            "api_calls",
            "--account",
            "INITECH",
            "--field",
            "calls=3",
        ])
        .ok();
    let m = &r.json()["measurement"];
    assert_eq!(m["uid"].as_str().unwrap().len(), 36);
    assert!(m["ts"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn flag_errors_name_the_field() {
    let ts = TestSandbox::start();
    let r = ts.run(&[
        "submit",
        "--meter",
        "api_calls",
        "--account",
        "A",
        "--field",
        "bogus=1",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bogus")
            && r.stderr.contains("measure.calls")
            && r.stderr.contains("who.user"),
        "{}",
        r.stderr
    );
    let r = ts.run(&[
        "submit",
        "--meter",
        "api_calls",
        "--account",
        "A",
        "--field",
        "calls=lots",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("calls") && r.stderr.contains("number"),
        "{}",
        r.stderr
    );
    let r = ts.run(&["submit", "--meter", "nope", "--account", "A"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("api_calls"),
        "lists the meters: {}",
        r.stderr
    );
    let r = ts.run(&[
        "submit",
        "--meter",
        "api_calls",
        "--account",
        "A",
        "--ts",
        "yesterday",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ts:"), "{}", r.stderr);
    assert!(ts.measurements().is_empty(), "nothing was sent");
}

#[test]
fn one_measurement_as_json_from_stdin_and_file() {
    let ts = TestSandbox::start();
    let mut child = ts
        .cmd()
        .args(["submit", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(br#"{"uid":"j-1","meter":"api_calls","account":"A","ts":"2026-01-01T00:00:00Z","measure":{"calls":7}}"#).unwrap();
    Run::from(child.wait_with_output().unwrap()).ok();
    assert_eq!(by_uid(&ts.measurements(), "j-1")["measure"]["calls"], 7.0);

    let f = ts.path("one.json");
    std::fs::write(
        &f,
        "{\n  \"meter\": \"api_calls\",\n  \"account\": \"A\",\n  \"measure\": {\"calls\": }\n}",
    )
    .unwrap();
    let r = ts.run(&["submit", "--json", f.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("one.json:4:"),
        "line and column: {}",
        r.stderr
    );
    std::fs::write(
        &f,
        r#"{"meter":"api_calls","account":"A","what":{"calls":1}}"#,
    )
    .unwrap();
    let r = ts.run(&["submit", "--json", f.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("what.calls") && r.stderr.contains("under \"measure\""),
        "{}",
        r.stderr
    );
}

#[test]
fn files_in_each_format() {
    let ts = TestSandbox::start();
    let ndjson = ts.path("a.ndjson");
    std::fs::write(&ndjson, "{\"uid\":\"n-1\",\"meter\":\"api_calls\",\"account\":\"A\",\"measure\":{\"calls\":1}}\n\n{\"uid\":\"n-2\",\"meter\":\"storage_gb\",\"account\":\"A\",\"where\":{\"region\":\"eu\"},\"measure\":{\"gb\":2.5}}\n").unwrap();
    let s = ts
        .run(&["submit", "--file", ndjson.to_str().unwrap()])
        .ok()
        .json();
    assert_eq!(
        (s["accepted"].as_u64(), s["batches"].as_u64()),
        (Some(2), Some(1))
    );

    let array = ts.path("b.json");
    std::fs::write(&array, "[\n {\"uid\":\"a-1\",\"meter\":\"api_calls\",\"account\":\"B\",\"measure\":{\"calls\":1}},\n {\"uid\":\"a-2\",\"meter\":\"api_calls\",\"account\":\"B\"}\n]").unwrap();
    ts.run(&["submit", "--file", array.to_str().unwrap()]).ok();

    let csv = ts.path("c.csv");
    std::fs::write(&csv, "meter,account,ts,uid,user,calls,region,gb\napi_calls,C,2026-01-01T00:00:00Z,c-1,bob,4,,\nstorage_gb,C,,c-2,,,us-east,10\n").unwrap();
    ts.run(&["submit", "--file", csv.to_str().unwrap(), "-o", "table"])
        .ok();

    // --format overrides the extension.
    let odd = ts.path("d.txt");
    std::fs::write(&odd, "meter,account,uid,calls\napi_calls,D,d-1,9\n").unwrap();
    ts.run(&["submit", "--file", odd.to_str().unwrap(), "--format", "csv"])
        .ok();

    let stored = ts.measurements();
    assert_eq!(stored.len(), 7);
    assert_eq!(by_uid(&stored, "n-2")["measure"]["gb"], 2.5);
    assert_eq!(by_uid(&stored, "c-1")["who"]["user"], "bob");
    assert_eq!(by_uid(&stored, "c-1")["measure"]["calls"], 4.0);
    assert_eq!(by_uid(&stored, "c-2")["where"]["region"], "us-east");
    assert!(
        by_uid(&stored, "c-2")["who"].is_null(),
        "empty cells are left out"
    );
    assert_eq!(by_uid(&stored, "d-1")["measure"]["calls"], 9.0);
}

#[test]
fn bad_files_name_file_line_column_and_field() {
    let ts = TestSandbox::start();
    let cases: [(&str, &str, &[&str]); 5] = [
        ("bad.ndjson", "{\"meter\":\"api_calls\",\"account\":\"A\"}\n{\"meter\":\"api_calls\",\"account\":\"A\"}\n{\"meter\":\"api_calls\",\"account\":\"A\",\"measure\":{\"calls\":\"3\"}}\n", &["bad.ndjson:3:", "measure.calls", "must be a number"]),
        ("syntax.ndjson", "{\"meter\":\"api_calls\"}\n{\"meter\": ,}\n", &["syntax.ndjson:2:11"]),
        ("bad.json", "[\n  {\"meter\":\"api_calls\",\"account\":\"A\"},\n  {\"meter\":\"api_calls\",\"account\":\"A\",\"who\":{\"calls\":\"x\"}}\n]", &["bad.json:3:3", "who.calls"]),
        ("bad.csv", "meter,account,calls\napi_calls,A,1\napi_calls,A,many\n", &["bad.csv:3", "column calls", "must be a number"]),
        ("unknown.csv", "meter,account,bytes\napi_calls,A,1\n", &["unknown.csv:2", "bytes", "who.user"]),
    ];
    for (name, text, expect) in cases {
        let f = ts.path(name);
        std::fs::write(&f, text).unwrap();
        let r = ts.run(&["submit", "--file", f.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        for e in expect {
            assert!(
                r.stderr.contains(e),
                "{name}: expected {e:?} in {}",
                r.stderr
            );
        }
    }
    assert!(ts.measurements().is_empty(), "nothing was sent");
}

/// Without a terminal (a script's log), a run of several batches prints one stderr line per
/// tenth answered; one batch, or `--quiet`, prints none. stdout keeps only the JSON summary.
#[test]
fn progress_lines_on_a_pipe() {
    let ts = TestSandbox::start();
    let file = ts.path("p.ndjson");
    write_ndjson(&file, 5_000, 3);
    let progress = |r: &Run| -> Vec<String> {
        r.stderr
            .lines()
            .filter(|l| l.starts_with("progress: "))
            .map(String::from)
            .collect()
    };
    let args = [
        "submit",
        "--file",
        file.to_str().unwrap(),
        "--concurrency",
        "1",
    ];
    let r = ts.run(&args).ok();
    assert_eq!(r.json()["accepted"], 5_000);
    let lines = progress(&r);
    assert_eq!(lines.len(), 5, "a line per batch of 20%: {}", r.stderr);
    assert!(
        lines[0].starts_with("progress: 20% (1000/5000 measurements, 1/5 batches, 0 rejected)"),
        "{}",
        lines[0]
    );
    assert!(
        lines[4].starts_with("progress: 100% (5000/5000 measurements, 5/5 batches"),
        "{}",
        lines[4]
    );

    let quiet = ts.run(&[&args[..], &["--quiet"]].concat()).ok();
    assert!(progress(&quiet).is_empty(), "{}", quiet.stderr);
    assert_eq!(quiet.json()["accepted"], 5_000);

    let small = ts.path("s.ndjson");
    write_ndjson(&small, 10, 1);
    let one = ts.run(&["submit", "--file", small.to_str().unwrap()]).ok();
    assert!(progress(&one).is_empty(), "one batch: {}", one.stderr);
}

/// Billing data must not change on the way: 20,000 random doubles (every magnitude, full
/// precision) sent through the CLI come back from the sandbox as the very same doubles, in the
/// same shortest text.
#[test]
fn random_doubles_round_trip_exactly() {
    use rand::{Rng, SeedableRng};
    let ts = TestSandbox::start();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let mut values = Vec::new();
    while values.len() < 20_000 {
        let v: f64 = match values.len() % 3 {
            0 => rng.random::<f64>() * 1e6,
            1 => rng.random::<f64>() * 10f64.powi(rng.random_range(-12..15)),
            _ => f64::from_bits(rng.random::<u64>() >> 1), // any positive finite double
        };
        if v.is_finite() {
            values.push(v);
        }
    }
    let path = ts.path("doubles.ndjson");
    let mut text = String::new();
    for (i, v) in values.iter().enumerate() {
        text.push_str(&format!(
            r#"{{"uid":"d{i}","meter":"vm_hours","account":"ROUND","ts":"2026-01-01T00:00:00Z","measure":{{"hours":{}}}}}"#,
            serde_json::to_string(v).unwrap()
        ));
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    ts.run(&["submit", "--file", path.to_str().unwrap(), "-q"])
        .ok();
    let stored: std::collections::HashMap<String, serde_json::Value> = ts
        .measurements()
        .into_iter()
        .map(|m| (m["uid"].as_str().unwrap().to_string(), m))
        .collect();
    let mut changed = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let back = &stored[&format!("d{i}")]["measure"]["hours"];
        let (text, sent) = (back.to_string(), serde_json::to_string(v).unwrap());
        if back.as_f64().map(f64::to_bits) != Some(v.to_bits()) || text != sent {
            changed.push(format!("{v:?} came back as {back}"));
        }
    }
    assert!(
        changed.is_empty(),
        "{} of {} changed, e.g. {:?}",
        changed.len(),
        values.len(),
        &changed[..changed.len().min(3)]
    );
}

/// CSV headers in m3ter's template form (`measure.calls`) work, bare codes still do, and the
/// hint for an unknown column names columns CSV then accepts.
#[test]
fn csv_takes_the_template_header_form_and_its_hints_work() {
    let ts = TestSandbox::start();
    let csv = ts.path("t.csv");
    std::fs::write(
        &csv,
        "meter,account,ts,uid,who.user,measure.calls\napi_calls,T,2026-01-01T00:00:00Z,t-1,bob,7\n",
    )
    .unwrap();
    ts.run(&["submit", "--file", csv.to_str().unwrap(), "-q"])
        .ok();
    let stored = ts.measurements();
    let m = by_uid(&stored, "t-1");
    assert_eq!(
        (m["who"]["user"].clone(), m["measure"]["calls"].to_string()),
        ("bob".into(), "7".into())
    );

    let bad = ts.path("hint.csv");
    std::fs::write(&bad, "meter,account,uid,callz\napi_calls,T,t-2,1\n").unwrap();
    let r = ts.run(&["submit", "--file", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let hint = r
        .stderr
        .lines()
        .find_map(|l| l.split("it has: ").nth(1))
        .expect("a hint")
        .trim_end_matches(')')
        .to_string();
    let suggested: Vec<&str> = hint.split(", ").collect();
    assert!(suggested.contains(&"measure.calls"), "{hint}");
    // Every suggested column is one CSV accepts.
    let good = ts.path("good.csv");
    std::fs::write(
        &good,
        format!(
            "meter,account,uid,{}\napi_calls,T,t-3,{}\n",
            suggested.join(","),
            suggested
                .iter()
                .map(|s| if s.starts_with("measure.") { "1" } else { "x" })
                .collect::<Vec<_>>()
                .join(",")
        ),
    )
    .unwrap();
    ts.run(&["submit", "--file", good.to_str().unwrap(), "-q"])
        .ok();
}

/// `submit` asks only for the meters its input names (`?codes=`), not the whole list.
#[test]
fn submit_fetches_only_the_meters_it_needs() {
    let ts = TestSandbox::start();
    let proxy = Proxy::start(&ts, std::time::Duration::ZERO);
    let file = ts.path("few.ndjson");
    write_ndjson(&file, 10, 2);
    let run = |args: &[&str]| Run::from(ts.cmd_at(&proxy.url).args(args).output().unwrap());
    run(&["submit", "--file", file.to_str().unwrap(), "-q"]).ok();
    run(&[
        "submit",
        "--meter",
        "api_calls",
        "--account",
        "A",
        "--field",
        "calls=1",
    ])
    .ok();
    let meters: Vec<String> = proxy
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.contains("/meters"))
        .cloned()
        .collect();
    assert_eq!(meters.len(), 2, "{meters:?}");
    assert!(
        meters.iter().all(|r| r.contains("codes=api_calls")),
        "{meters:?}"
    );
}

/// A `ts` without an offset (what Python's naive `isoformat()` gives) is read as UTC and sent
/// with `Z`, which m3ter requires; the CLI says so once.
#[test]
fn naive_timestamps_are_sent_as_utc_and_said_once() {
    let ts = TestSandbox::start();
    let file = ts.path("naive.ndjson");
    std::fs::write(
        &file,
        "{\"uid\":\"n-1\",\"meter\":\"api_calls\",\"account\":\"N\",\"ts\":\"2026-01-01T10:00:00\"}\n\
         {\"uid\":\"n-2\",\"meter\":\"api_calls\",\"account\":\"N\",\"ts\":\"2026-01-01T10:00:00.5\",\"ets\":\"2026-01-01T11:00\"}\n\
         {\"uid\":\"n-3\",\"meter\":\"api_calls\",\"account\":\"N\",\"ts\":\"2026-01-01T10:00:00+02:00\"}\n",
    )
    .unwrap();
    let r = ts
        .run(&["submit", "--file", file.to_str().unwrap(), "-q"])
        .ok();
    assert_eq!(
        r.stderr.matches("without a UTC offset").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("2 measurement(s)"), "{}", r.stderr);
    let r = ts
        .run(&[
            "submit",
            "--meter",
            "api_calls",
            "--account",
            "N",
            "--uid",
            "n-4",
            "--ts",
            "2026-01-02T00:00:00",
        ])
        .ok();
    assert!(r.stderr.contains("read as UTC"), "{}", r.stderr);
    let stored = ts.measurements();
    assert_eq!(by_uid(&stored, "n-1")["ts"], "2026-01-01T10:00:00Z");
    assert_eq!(by_uid(&stored, "n-2")["ts"], "2026-01-01T10:00:00.500Z");
    assert_eq!(by_uid(&stored, "n-2")["ets"], "2026-01-01T11:00:00Z");
    assert_eq!(
        by_uid(&stored, "n-3")["ts"],
        "2026-01-01T10:00:00+02:00",
        "kept as given"
    );
    assert_eq!(by_uid(&stored, "n-4")["ts"], "2026-01-02T00:00:00Z");
}
