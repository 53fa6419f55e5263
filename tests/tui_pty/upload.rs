//! Uploading a file from the TUI, end to end: the real binary, a real file under `~`, the
//! sandbox's two-stage ingest. 5,000 measurements are checked, sent in m3ter-sized batches and
//! followed until every one is ingested; a journal left by a cancelled run is offered for
//! resuming and finished with the same uids.

use super::pty::*;
use m3ter_console::m3ter::bulk::check::check_batched;
use m3ter_console::m3ter::bulk::input::{self, Format};
use m3ter_console::m3ter::bulk::journal::{Journal, JournalWriter};
use m3ter_console::m3ter::bulk::prepare::Checker;
use m3ter_console::m3ter::bulk::send::{send, Progress};
use m3ter_console::m3ter::bulk::Cancel;
use m3ter_console::sandbox;
use m3ter_console::tui::state::log::LOG_FILE;
use std::io::Write;
use std::path::Path;

/// `n` storage_gb measurements for INITECH, stamped a few minutes ago, uids `{prefix}-{i}`.
fn write_usage(path: &Path, n: usize, prefix: &str) {
    write_usage_for(path, n, prefix, "INITECH")
}

/// The same for `account` (a new code makes m3ter auto-create it).
fn write_usage_for(path: &Path, n: usize, prefix: &str, account: &str) {
    let ts = (chrono::Utc::now() - chrono::Duration::minutes(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        writeln!(
            w,
            r#"{{"uid":"{prefix}-{i}","meter":"storage_gb","account":"{account}","ts":"{ts}","where":{{"region":"eu"}},"measure":{{"gb":{}}}}}"#,
            i % 10 + 1
        )
        .unwrap();
    }
}

/// `n` measurements a millisecond apart (so a usage query can page back through them by
/// time), a few minutes ago.
fn write_spread(path: &Path, n: usize, prefix: &str) {
    let start = chrono::Utc::now() - chrono::Duration::minutes(5);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        let ts = (start + chrono::Duration::milliseconds(i as i64))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        writeln!(
            w,
            r#"{{"uid":"{prefix}-{i}","meter":"storage_gb","account":"INITECH","ts":"{ts}","where":{{"region":"eu"}},"measure":{{"gb":1}}}}"#,
        )
        .unwrap();
    }
}

/// `F`, the path typed with `~` and completed with Tab, Enter to check it.
fn open_file(tui: &mut Tui, typed: &str, completed: &str) {
    tui.wait_for("Cloud Compute");
    tui.send("F");
    tui.wait_for("Upload a file of measurements");
    tui.keys(&[typed, TAB]);
    tui.wait_for(&format!("File  {completed}"));
    tui.send("\r");
}

#[test]
fn five_thousand_measurements_are_sent_in_batches_and_all_ingested() {
    let env = Env::start();
    write_usage(&env.dir.path().join("usage.ndjson"), 5000, "up");
    let mut tui = env.tui_sized(120, 30);
    open_file(&mut tui, "~/us", "~/usage.ndjson");
    let s = tui.wait_for("5,000 measurements in 5 batches");
    assert!(s.contains("First 20 of 5,000") && s.contains("up-0"), "{s}");
    tui.send("\r");
    let s = tui.wait_until("all 5,000 ingested", |s| {
        s.contains("5,000 ingested") && s.contains("Done")
    });
    assert!(s.contains("5,000 / 5,000 measurements sent"), "{s}");
    assert!(s.contains("batches 5/5") && s.contains("0 rejected"), "{s}");
    assert!(
        !env.dir.path().join("usage.ndjson.journal").exists(),
        "the journal is removed once every batch is accepted"
    );
    tui.quit();
    // One log entry for the whole upload (its pending line and its answer), never one per
    // measurement.
    let log_file = env.dir.path().join("data").join(LOG_FILE);
    let log = std::fs::read_to_string(&log_file).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(log.lines().all(|l| l.contains("\"upload\"")), "{log}");
    assert!(log.contains("5,000 ingested"), "{log}");
}

#[test]
fn a_cancelled_upload_is_offered_for_resuming_and_finished_with_the_same_uids() {
    let env = Env::start();
    let file = env.dir.path().join("resume.ndjson");
    // For a new account: m3ter auto-creates it, and the outcome says so.
    write_usage_for(&file, 2500, "rs", "RESUMECO");
    // A run cancelled after its first batch (one at a time): 1 of 3 batches accepted.
    let client = env.client();
    let journal_path = env.dir.path().join("resume.ndjson.journal");
    env.rt.block_on(async {
        let name = file.display().to_string();
        let items =
            input::items(input::open(&file, |r| r).unwrap(), &name, Format::Ndjson).unwrap();
        let mut writer = JournalWriter::new(&journal_path, sandbox::DEFAULT_ORG_ID, &name).unwrap();
        let mut checker = Checker::default();
        check_batched(&client, items, &mut checker, Some(&mut writer))
            .await
            .unwrap();
        checker.finish().unwrap();
        let mut j = writer.finish(&journal_path).unwrap();
        let cancel = Cancel::default();
        let c = cancel.clone();
        let s = send(&client, &mut j, 1, &cancel, &mut |p| {
            if let Progress::Answered { .. } = p {
                c.cancel();
            }
        })
        .await
        .unwrap();
        assert!(s.interrupted && s.accepted == 1000, "{s:?}");
    });
    assert_eq!(Journal::open(&journal_path).unwrap().pending(), [1, 2]);

    let mut tui = env.tui_sized(120, 30);
    open_file(&mut tui, "~/res", "~/resume.ndjson");
    let s = tui.wait_for("unfinished upload");
    assert!(
        s.contains("1,000 of 2,500 measurements accepted, 2 of 3 batches unsent"),
        "{s}"
    );
    tui.send("\r");
    let s = tui.wait_until("all 2,500 ingested", |s| {
        s.contains("2,500 ingested") && s.contains("Done")
    });
    assert!(s.contains("1,000 accepted by an earlier run"), "{s}");
    assert!(s.contains("account RESUMECO auto-created"), "{s}");
    assert!(s.contains("1,500 / 1,500 measurements sent"), "{s}");
    assert!(!journal_path.exists());
    tui.quit();
}

#[test]
fn uploading_the_same_uids_again_ends_all_failed_duplicate_uid() {
    let env = Env::start();
    // More than one round's worth of failure events used to be read (500).
    write_usage(&env.dir.path().join("again.ndjson"), 1200, "dup");
    let mut tui = env.tui_sized(120, 30);
    open_file(&mut tui, "~/ag", "~/again.ndjson");
    tui.wait_for("1,200 measurements in 2 batches");
    tui.send("\r");
    tui.wait_until("the first upload ingested", |s| {
        s.contains("1,200 ingested") && s.contains("Done")
    });
    // The same file again: every uid is already in m3ter.
    tui.send("r");
    tui.wait_until("checked again", |s| {
        s.contains("1,200 measurements in 2 batches") && !s.contains("Done")
    });
    tui.send("\r");
    let s = tui.wait_until("all failed", |s| {
        s.contains("Done") && s.contains("failed (")
    });
    assert!(
        s.contains("0 ingested · 1,200 failed (DuplicateUid 1200)"),
        "{s}"
    );
    tui.quit();
}

/// More than one usage query's worth (20,000): followed chunk by chunk to the last one.
#[test]
fn more_than_one_usage_query_worth_is_followed_to_the_outcome() {
    let env = Env::start();
    write_spread(&env.dir.path().join("big.ndjson"), 25_000, "big");
    let mut tui = env.tui_sized(120, 30);
    open_file(&mut tui, "~/bi", "~/big.ndjson");
    tui.wait_for("25,000 measurements in 25 batches");
    tui.send("\r");
    let s = tui.wait_until("all followed", |s| {
        s.contains("Done") && s.contains("ingested")
    });
    assert!(s.contains("25,000 ingested"), "{s}");
    assert!(!s.contains("failed ("), "{s}");
    assert!(!s.contains("not followed"), "{s}");
    tui.quit();
}

/// Leaving the screen while the upload is followed: the follow-up goes on, the one log entry
/// (on disk too) ends with every measurement's outcome, and the screen shows it when opened.
#[test]
fn leaving_the_screen_while_following_keeps_following() {
    let env = Env::start();
    write_spread(&env.dir.path().join("left.ndjson"), 25_000, "left");
    let mut tui = env.tui_sized(120, 30);
    open_file(&mut tui, "~/le", "~/left.ndjson");
    tui.wait_for("25,000 measurements in 25 batches");
    tui.send("\r");
    tui.wait_for("Following to the outcome");
    tui.send("\x1b");
    tui.wait_until("the screen was left", |s| {
        !s.contains("Upload a file of measurements")
    });
    let log_file = env.dir.path().join("data").join(LOG_FILE);
    let saved = || std::fs::read_to_string(&log_file).unwrap_or_default();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !saved().contains("25,000 ingested") {
        assert!(std::time::Instant::now() < deadline, "{}", saved());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let log = saved();
    assert!(log.lines().any(|l| l.contains(" pending")), "{log}");
    assert!(!log.contains("left before every outcome"), "{log}");
    tui.send("F");
    let s = tui.wait_until("the screen shows the upload again", |s| {
        s.contains("Upload a file of measurements") && s.contains("Done")
    });
    assert!(s.contains("25,000 ingested"), "{s}");
    tui.quit();
}

/// A file followed in several chunks sent twice (3,000 measurements in chunks of 1,000, through
/// the test-only knob: 25,000 takes the sandbox over a minute to page through the events): the
/// second upload's old usage rows prove nothing, and every one of its DuplicateUid events —
/// the newest chunk's first, then past them for the older chunks — is read.
#[test]
fn a_file_followed_in_chunks_sent_again_ends_all_duplicate_uid() {
    let env = Env::start();
    write_spread(&env.dir.path().join("twice.ndjson"), 3_000, "twice");
    let mut tui = env.tui_with_env(120, 30, &[("M3TER_CONSOLE_FOLLOW_CHUNK", "1000")]);
    open_file(&mut tui, "~/tw", "~/twice.ndjson");
    tui.wait_for("3,000 measurements in 3 batches");
    tui.send("\r");
    tui.wait_until("the first upload ingested", |s| {
        s.contains("3,000 ingested") && s.contains("Done")
    });
    tui.send("r");
    tui.wait_until("checked again", |s| {
        s.contains("3,000 measurements in 3 batches") && !s.contains("Done")
    });
    tui.send("\r");
    let s = tui.wait_until("all failed", |s| {
        s.contains("Done") && s.contains("failed (")
    });
    assert!(
        s.contains("0 ingested · 3,000 failed (DuplicateUid 3000)"),
        "{s}"
    );
    tui.quit();
}
