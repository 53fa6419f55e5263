//! `submit --file F --wait` twice: the second run resends uids m3ter already holds. Their old
//! usage rows prove nothing about this run, so each is settled by its DuplicateUid event — all
//! of them, more than one page of events' worth.

use super::support::*;
use std::io::Write;

#[test]
fn resending_a_file_with_wait_reports_every_duplicate_uid() {
    let ts = TestSandbox::start();
    let file = ts.path("again.ndjson");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    for i in 0..1200 {
        writeln!(
            w,
            r#"{{"uid":"again-{i}","meter":"api_calls","account":"W","ts":"2026-01-01T00:00:00Z","who":{{"user":"u"}},"measure":{{"calls":1}}}}"#
        )
        .unwrap();
    }
    drop(w);
    let run = || {
        ts.run(&[
            "submit",
            "--file",
            file.to_str().unwrap(),
            "--wait",
            "-q",
            "-o",
            "json",
        ])
    };
    let first = run().ok().json();
    assert_eq!(first["outcome"]["ingested"], 1200, "{first}");
    let again = run();
    assert_eq!(again.code, 1, "{}", again.stderr);
    let v = again.json();
    assert_eq!(v["outcome"]["ingested"], 0, "{v}");
    assert_eq!(v["outcome"]["failures"]["DuplicateUid"], 1200, "{v}");
}
