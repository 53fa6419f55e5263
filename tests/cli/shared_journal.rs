//! The bulk pipeline under both front ends is one: a send stopped through its [`Cancel`] (what
//! the TUI's cancel does) finishes the batches in flight and leaves a journal that
//! `submit --file F --resume` finishes, sending only what was not accepted.

use super::support::*;
use m3ter_console::m3ter::bulk::check::check_batched;
use m3ter_console::m3ter::bulk::input::{self, Format};
use m3ter_console::m3ter::bulk::journal::{default_path, Journal, JournalWriter};
use m3ter_console::m3ter::bulk::prepare::Checker;
use m3ter_console::m3ter::bulk::send::{send, Progress};
use m3ter_console::m3ter::bulk::Cancel;
use m3ter_console::m3ter::{Client, ClientConfig, Credentials};
use m3ter_console::sandbox;

#[test]
fn a_cancelled_send_leaves_a_journal_the_cli_resumes() {
    let ts = TestSandbox::start();
    let file = ts.path("usage.ndjson");
    write_ndjson(&file, 2500, 3);
    let journal = default_path(&file);
    let client = Client::new(ClientConfig::new(
        Credentials {
            org_id: sandbox::DEFAULT_ORG_ID.into(),
            api_key: sandbox::DEFAULT_API_KEY.into(),
            api_secret: ts.secret.clone(),
            token: None,
        },
        Some(&ts.base_url),
    ))
    .unwrap();
    let summary = ts.rt.block_on(async {
        let name = file.display().to_string();
        let reader = input::open(&file, |r| r).unwrap();
        let items = input::items(reader, &name, Format::Ndjson).unwrap();
        let mut writer = JournalWriter::new(&journal, sandbox::DEFAULT_ORG_ID, &name).unwrap();
        let mut checker = Checker::default();
        let c = check_batched(&client, items, &mut checker, Some(&mut writer))
            .await
            .unwrap();
        checker.finish().unwrap();
        assert_eq!((c.measurements, c.batches), (2500, 3));
        let mut j = writer.finish(&journal).unwrap();
        // Two in flight; the cancel comes with the first answer: the other one still finishes.
        let cancel = Cancel::default();
        let stop = cancel.clone();
        let mut stopping_seen = false;
        let s = send(&client, &mut j, 2, &cancel, &mut |p| match p {
            Progress::Answered { .. } => stop.cancel(),
            Progress::Stopping { in_flight } => {
                stopping_seen = true;
                assert_eq!(in_flight, 1, "the other batch is awaited");
            }
        })
        .await
        .unwrap();
        assert!(stopping_seen);
        s
    });
    assert!(summary.interrupted, "{summary:?}");
    assert_eq!(summary.batches_sent, 2, "the batch in flight finished");
    assert_eq!(summary.unsent_batches, 1);
    assert_eq!(Journal::open(&journal).unwrap().pending().len(), 1);

    let r = ts
        .run(&["submit", "--file", file.to_str().unwrap(), "--resume"])
        .ok();
    let s = r.json();
    assert_eq!(s["previously_accepted"], 2000, "{s}");
    assert_eq!(s["accepted"], 500, "{s}");
    assert!(!journal.exists(), "finished journals are removed");
    ts.settle();
    assert_eq!(ts.measurements().len(), 2500, "nothing lost, nothing twice");
}
