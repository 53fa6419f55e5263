//! After the submit, end to end: the real binary follows each submission through m3ter's two
//! stages (accepted, then ingested or failed) using only the m3ter API, the usage explorer adds up
//! what was sent, and the ingest events screen shows what m3ter dropped.

use super::pty::*;
use m3ter_console::m3ter::Meter;

fn line_with<'a>(screen: &'a str, text: &str) -> &'a str {
    screen.lines().find(|l| l.contains(text)).unwrap_or("")
}

/// Types a Simple-mode measurement for INITECH in region eu with `gb` and sends it.
fn send_gb(tui: &mut Tui, gb: &str) {
    tui.keys(&["I", "N", "I", "T", "E", "C", "H", "\r", "\t"]);
    tui.keys(&["e", "u", "\t"]);
    tui.keys(&[CTRL_U, gb]);
    tui.send(F5);
}

#[test]
fn good_submissions_are_followed_to_ingested_and_the_usage_explorer_sums_them() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    send_gb(&mut tui, "5");
    tui.wait_for("✓ ingested");
    // The form keeps the account, region and focus (on gb): a second one with 7 GB.
    tui.keys(&[CTRL_U, "7"]);
    tui.send(F5);
    tui.wait_until("two ingested", |s| s.matches("✓ ingested").count() == 2);
    // Back to the meters, the usage explorer for storage_gb: today, sum.
    tui.send(ESC);
    tui.wait_for("Meters · Cloud Compute");
    tui.send("U");
    let s = tui.wait_until("the sum", |s| {
        s.contains("sum(gb)") && !s.contains("querying")
    });
    // The row under the header: 5 + 7 GB sent today.
    let mut lines = s.lines().skip_while(|l| !l.contains("sum(gb)"));
    lines.next();
    let row = lines.next().unwrap_or("");
    assert_eq!(
        row.trim_matches(|c: char| c == '│' || c.is_whitespace()),
        "12",
        "{s}"
    );
    tui.quit();
}

#[test]
fn a_meter_gone_after_loading_gives_accepted_then_failed_undefined_meter_shown_as_an_event() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    // The meter disappears on the server after the console loaded it: m3ter still accepts the
    // request (its first stage checks only the request) and then drops the measurement.
    let client = env.client();
    env.rt.block_on(async {
        let meters: Vec<Meter> = client
            .list_all(m3ter_console::m3ter::ListQuery::codes(["storage_gb"]))
            .await
            .unwrap();
        client.delete::<Meter>(&meters[0].id).await.unwrap();
    });
    send_gb(&mut tui, "1");
    let s = tui.wait_for("✗ failed: UndefinedMeter");
    assert!(s.contains("\"meter\":\"storage_gb\""), "{s}");
    // The ingest events screen lists it; its detail shows the failure log.
    tui.send(ESC);
    tui.wait_for("Meters · Cloud Compute");
    tui.send("E");
    let s = tui.wait_for("UndefinedMeter");
    assert!(
        line_with(&s, "UndefinedMeter").contains("storage_gb"),
        "{s}"
    );
    tui.send("\r");
    let s = tui.wait_for("\"measurement\"");
    assert!(s.contains("failure log") && s.contains("storage_gb"), "{s}");
    tui.quit();
}
