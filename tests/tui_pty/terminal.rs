//! What only a real terminal shows: a bracketed paste with CR line ends, and a small window.

use super::pty::*;

/// Terminals send CR line ends in a paste: the editor keeps the lines.
#[test]
fn a_pasted_json_keeps_its_lines() {
    let env = Env::start();
    let mut tui = env.tui();
    tui.open_submit();
    tui.send(CTRL_T);
    tui.wait_for("Advanced · JSON");
    tui.send("\x1b[200~{\r  \"pasted\": 1,\r  \"more\": 2\r}\x1b[201~");
    let s = tui.wait_for("\"more\": 2");
    let line = s
        .lines()
        .find(|l| l.contains("\"pasted\": 1"))
        .unwrap_or("");
    assert!(!line.contains("more"), "each pasted line on its own: {s}");
    tui.quit();
}

/// At 40×12 the Simple form shows its inputs and the meters list its rows.
#[test]
fn a_small_terminal_keeps_the_input() {
    let env = Env::start();
    let mut tui = env.tui_sized(40, 12);
    tui.wait_for("Cloud Compute");
    tui.keys(&["/", "cloud", "\r", "\r"]);
    tui.wait_for("Storage (GB)");
    tui.keys(&["/", "storage", "\r", "\r"]);
    let s = tui.wait_for("Account");
    assert!(s.contains("Timestamp") || s.contains("ts"), "{s}");
    tui.quit();
}
