//! The Upload screen, driven key by key with the tasks' answers fed as messages: the path with
//! Tab completion, the preview with every problem, sending with the gauge, the outcome — drawn
//! at 80×24 and 140×40 — and the one log entry an upload leaves.

use super::support::*;
use m3ter_console::m3ter::bulk::input::Format;
use m3ter_console::m3ter::bulk::journal::JournalWriter;
use m3ter_console::m3ter::bulk::settle::Tally;
use m3ter_console::m3ter::Measurement;
use m3ter_console::tui::app::App;
use m3ter_console::tui::screens::ScreenKind;
use m3ter_console::tui::state::msg::Msg;
use m3ter_console::tui::state::msg_upload::{
    JournalPlan, Preview, SendProgress, Shared, UploadMsg,
};
use ratatui::crossterm::event::KeyCode;
use std::path::PathBuf;

fn snap(name: &str, app: &App) {
    snapshot(&format!("upload__{name}"), app);
}

fn up(app: &mut App, m: UploadMsg) {
    app.on_msg(Msg::Upload(Box::new(m)));
}

fn rows(n: usize) -> Vec<Measurement> {
    (0..n)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "uid": format!("u-{i}"),
                "meter": "storage_gb",
                "account": "ACME",
                "ts": "2026-01-02T03:00:00.000Z",
                "where": {"region": "eu"},
                "measure": {"gb": i + 1},
            }))
            .unwrap()
        })
        .collect()
}

fn preview(problems: Vec<String>, journal: JournalPlan) -> Box<Preview> {
    Box::new(Preview {
        path: PathBuf::from("usage.ndjson"),
        format: Format::Ndjson,
        valid: if problems.is_empty() { 5000 } else { 3 },
        batches: 5,
        rows: rows(if problems.is_empty() { 20 } else { 3 }),
        problem_count: problems.len(),
        problems,
        note: None,
        journal,
    })
}

/// `F` from the first screen, `us` typed, Tab answered with a listing of three entries.
fn open_with_completion(app: &mut App) {
    typ(app, "F");
    assert_eq!(app.top_kind(), ScreenKind::Upload);
    typ(app, "us");
    key(app, KeyCode::Tab);
    up(
        app,
        UploadMsg::Listing {
            gen: 1,
            typed: "us".into(),
            result: Ok(vec![
                "data/".into(),
                "usage-eu.ndjson".into(),
                "usage.ndjson".into(),
            ]),
        },
    );
}

#[test]
fn tab_completes_the_path_and_lists_the_candidates() {
    let mut app = app();
    open_with_completion(&mut app);
    let s = render(&app, 140, 40);
    assert!(s.contains("File  usage"), "{s}");
    assert!(
        s.contains("2 matches") && s.contains("usage-eu.ndjson"),
        "{s}"
    );
    snap("path_completion", &app);
    // One more letter and Tab again: a single match completes it.
    typ(&mut app, ".");
    key(&mut app, KeyCode::Tab);
    up(
        &mut app,
        UploadMsg::Listing {
            gen: 2,
            typed: "usage.".into(),
            result: Ok(vec!["usage-eu.ndjson".into(), "usage.ndjson".into()]),
        },
    );
    let s = render(&app, 140, 40);
    assert!(s.contains("File  usage.ndjson"), "{s}");
    assert!(!s.contains("matches"), "{s}");
}

#[test]
fn a_missing_file_is_named_and_the_typed_path_stays() {
    let mut app = app();
    typ(&mut app, "F");
    typ(&mut app, "nope.csv\n");
    up(
        &mut app,
        UploadMsg::Checked {
            gen: 1,
            result: Err("/home/me/nope.csv: no such file".into()),
        },
    );
    let s = render(&app, 80, 24);
    assert!(s.contains("nope.csv: no such file"), "{s}");
    assert!(s.contains("File  nope.csv"), "{s}");
    // Still typing: a letter goes into the path.
    typ(&mut app, "x");
    assert!(render(&app, 80, 24).contains("File  nope.csvx"));
}

#[test]
fn every_problem_is_listed_and_sending_is_refused() {
    let mut app = app();
    open_with_completion(&mut app);
    key(&mut app, KeyCode::Enter);
    let problems: Vec<String> = (1..=30)
        .map(|i| format!("usage.ndjson:{}: measure.gb: must be a number (a MEASURE value), got the string \"x\"", i * 2))
        .collect();
    up(
        &mut app,
        UploadMsg::Checked {
            gen: 2,
            result: Ok(preview(problems, JournalPlan::None)),
        },
    );
    let s = render(&app, 140, 40);
    assert!(s.contains("30 problems, nothing will be sent"), "{s}");
    assert!(
        s.contains("usage.ndjson:2: measure.gb: must be a number"),
        "{s}"
    );
    snap("preview_with_problems", &app);
    // The list scrolls to the last one.
    key(&mut app, KeyCode::End);
    let s = render(&app, 140, 40);
    assert!(s.contains("usage.ndjson:60: "), "{s}");
    // Sending is refused, and says why.
    app.ctx.effects.clear();
    key(&mut app, KeyCode::F(5));
    assert!(app.ctx.effects.is_empty(), "nothing started");
    let s = render(&app, 140, 40);
    assert!(
        s.contains("nothing is sent while the file has problems"),
        "{s}"
    );
}

#[test]
fn sending_shows_the_gauge_then_the_outcome_and_one_log_entry() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("usage.ndjson.journal");
    let writer = JournalWriter::new(&journal, "org-1", "usage.ndjson").unwrap();
    let mut app = app();
    open_with_completion(&mut app);
    key(&mut app, KeyCode::Enter);
    up(
        &mut app,
        UploadMsg::Checked {
            gen: 2,
            result: Ok(preview(
                Vec::new(),
                JournalPlan::Fresh {
                    path: journal,
                    writer: Shared::new(writer),
                },
            )),
        },
    );
    let s = render(&app, 140, 40);
    assert!(s.contains("5,000 measurements in 5 batches"), "{s}");
    assert!(s.contains("First 20 of 5,000"), "{s}");
    app.ctx.effects.clear();
    key(&mut app, KeyCode::Enter);
    let started: Vec<String> = app.ctx.effects.iter().map(|e| e.name()).collect();
    assert_eq!(started, ["spawn upload"]);
    let progress = SendProgress {
        sent: 3000,
        to_send: 5000,
        batches_sent: 3,
        batches: 5,
        accepted: 3000,
        rate_per_sec: 12_345.0,
        ..Default::default()
    };
    up(
        &mut app,
        UploadMsg::Sending {
            gen: 3,
            progress: progress.clone(),
        },
    );
    let s = render(&app, 140, 40);
    assert!(s.contains("3,000 / 5,000 measurements sent"), "{s}");
    assert!(s.contains("batches 3/5 · 12,345/s · 0 rejected"), "{s}");
    snap("sending", &app);
    let done = SendProgress {
        sent: 5000,
        accepted: 5000,
        batches_sent: 5,
        ..progress
    };
    up(
        &mut app,
        UploadMsg::Sent {
            gen: 3,
            progress: done,
            error: None,
            following: true,
        },
    );
    let mut tally = Tally {
        ingested: 4990,
        ..Default::default()
    };
    tally.failed.insert("UndefinedAccount".into(), 10);
    tally.auto_created.insert("NEWCO".into());
    up(
        &mut app,
        UploadMsg::Followed {
            gen: 3,
            tally,
            done: true,
            error: None,
        },
    );
    let s = render(&app, 140, 40);
    assert!(
        s.contains("4,990 ingested · 10 failed (UndefinedAccount 10) · account NEWCO auto-created"),
        "{s}"
    );
    snap("done", &app);
    // One log entry sums the upload up.
    assert_eq!(app.ctx.log.entries.len(), 1);
    let e = &app.ctx.log.entries[0];
    assert_eq!(
        e.outcome(),
        "upload usage.ndjson: 5,000 accepted in 5 batches · 4,990 ingested · 10 failed (UndefinedAccount 10) · account NEWCO auto-created"
    );
    assert_eq!(e.request["measurements"], 5000);
}

#[test]
fn a_cancel_is_asked_and_the_journal_kept_for_resuming() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("usage.ndjson.journal");
    let writer = JournalWriter::new(&journal, "org-1", "usage.ndjson").unwrap();
    let mut app = app();
    open_with_completion(&mut app);
    key(&mut app, KeyCode::Enter);
    up(
        &mut app,
        UploadMsg::Checked {
            gen: 2,
            result: Ok(preview(
                Vec::new(),
                JournalPlan::Fresh {
                    path: journal,
                    writer: Shared::new(writer),
                },
            )),
        },
    );
    key(&mut app, KeyCode::Enter);
    // Esc while sending asks first; n goes on.
    key(&mut app, KeyCode::Esc);
    let s = render(&app, 140, 40);
    assert!(
        s.contains("y yes") && s.contains("Stop sending? Batches in flight finish"),
        "{s}"
    );
    typ(&mut app, "n");
    assert_eq!(app.top_kind(), ScreenKind::Upload);
    typ(&mut app, "c");
    typ(&mut app, "y");
    up(
        &mut app,
        UploadMsg::Sent {
            gen: 3,
            progress: SendProgress {
                sent: 1000,
                to_send: 5000,
                batches_sent: 1,
                batches: 5,
                accepted: 1000,
                ..Default::default()
            },
            error: Some("cancelled: 4 batches unsent, the journal usage.ndjson.journal keeps them: open the file again to resume".into()),
            following: false,
        },
    );
    let s = render(&app, 140, 40);
    assert!(
        s.contains("Stopped") && s.contains("cancelled: 4 batches unsent"),
        "{s}"
    );
    let e = &app.ctx.log.entries[0];
    assert!(
        e.outcome().contains("cancelled: 4 batches unsent"),
        "{}",
        e.outcome()
    );
    // r checks the file again: that finds the journal and offers to resume it.
    app.ctx.effects.clear();
    typ(&mut app, "r");
    let started: Vec<String> = app.ctx.effects.iter().map(|e| e.name()).collect();
    assert!(
        started.contains(&"spawn check upload".to_string()),
        "{started:?}"
    );
    up(
        &mut app,
        UploadMsg::Checked {
            gen: 4,
            result: Ok(preview(
                Vec::new(),
                JournalPlan::Resume {
                    path: "usage.ndjson.journal".into(),
                    batches: 5,
                    pending_batches: 4,
                    measurements: 5000,
                    accepted: 1000,
                },
            )),
        },
    );
    let s = render(&app, 140, 40);
    assert!(
        s.contains(
            "unfinished upload: 1,000 of 5,000 measurements accepted, 4 of 5 batches unsent"
        ),
        "{s}"
    );
    assert!(s.contains("resume"), "{s}");
}

#[test]
fn the_typed_path_survives_leaving_the_screen() {
    let mut app = app();
    typ(&mut app, "F");
    typ(&mut app, "~/exports/usage.csv");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.top_kind(), ScreenKind::Products);
    typ(&mut app, "F");
    assert!(render(&app, 80, 24).contains("File  ~/exports/usage.csv"));
}

#[tokio::test]
async fn leaving_a_checked_file_unsent_leaves_no_journal_behind() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("usage.ndjson.journal");
    let writer = JournalWriter::new(&journal, "org-1", "usage.ndjson").unwrap();
    let files = || std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(files(), 1, "the journal is being written beside its place");
    let (mut app, mut rx) = app_at(None, "uid");
    typ(&mut app, "F");
    typ(&mut app, "usage.ndjson\n");
    up(
        &mut app,
        UploadMsg::Checked {
            gen: 1,
            result: Ok(preview(
                Vec::new(),
                JournalPlan::Fresh {
                    path: journal.clone(),
                    writer: Shared::new(writer),
                },
            )),
        },
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.top_kind(), ScreenKind::Products);
    pump_until(&mut app, &mut rx, "the unsent journal removed", |_| {
        files() == 0
    })
    .await;
    assert!(!journal.exists());
}

#[test]
fn a_csv_template_just_written_is_the_path_the_upload_screen_opens_with() {
    use m3ter_console::tui::state::explore::ExploreMsg;
    let mut app = app();
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('d'));
    assert_eq!(app.top_kind(), ScreenKind::MeterDetail);
    key(&mut app, KeyCode::Char('t'));
    key(&mut app, KeyCode::Enter);
    app.on_msg(Msg::Explore(Box::new(ExploreMsg::Written {
        what: "template".into(),
        result: Ok("storage_gb-template.csv".into()),
    })));
    assert!(render(&app, 140, 40).contains("then F/Alt+o uploads it"));
    typ(&mut app, "F");
    assert_eq!(app.top_kind(), ScreenKind::Upload);
    assert!(render(&app, 80, 24).contains("File  storage_gb-template.csv"));
}
