//! Shared fixtures for the TUI tests: an app over fixed data, a fixed clock and counted uids, so
//! what is drawn is the same on every run. No runtime is running, so nothing is sent: tests feed
//! the answers as messages.

use chrono::TimeZone;
use m3ter_console::m3ter::{
    Account, Client, ClientConfig, Credentials, DataField, DataFieldCategory, Meter, Product,
};
use m3ter_console::tui::app::App;
use m3ter_console::tui::state::Ctx;
use m3ter_console::tui::state::Effect;
use m3ter_console::tui::state::Msg;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

fn field(cat: DataFieldCategory, code: &str, name: &str, unit: Option<&str>) -> DataField {
    DataField {
        category: cat,
        code: code.into(),
        name: name.into(),
        unit: unit.map(String::from),
    }
}

pub fn products() -> Vec<Product> {
    vec![
        Product {
            id: "p-1".into(),
            code: Some("CLOUD".into()),
            name: Some("Cloud Compute".into()),
            ..Default::default()
        },
        Product {
            id: "p-2".into(),
            code: Some("PIPE".into()),
            name: Some("Data Pipeline".into()),
            ..Default::default()
        },
    ]
}

pub fn meters() -> Vec<Meter> {
    use DataFieldCategory::*;
    vec![
        Meter {
            id: "m-1".into(),
            code: Some("storage_gb".into()),
            name: Some("Storage (GB)".into()),
            product_id: Some("p-1".into()),
            data_fields: vec![
                field(Where, "region", "Region", None),
                field(Measure, "gb", "Gigabytes stored", Some("GBy")),
                field(Cost, "storage_cost", "Storage cost", Some("USD")),
            ],
            ..Default::default()
        },
        Meter {
            id: "m-2".into(),
            code: Some("vm_hours".into()),
            name: Some("VM hours".into()),
            product_id: Some("p-1".into()),
            data_fields: vec![field(Measure, "hours", "Hours", Some("h"))],
            ..Default::default()
        },
        Meter {
            id: "m-3".into(),
            code: Some("api_calls".into()),
            name: Some("API calls".into()),
            data_fields: vec![field(Measure, "calls", "Calls", Some("{call}"))],
            ..Default::default()
        },
    ]
}

pub fn accounts() -> Vec<Account> {
    ["ACME", "ACME-EU", "GLOBEX"]
        .iter()
        .map(|c| Account {
            id: format!("a-{c}"),
            code: Some(c.to_string()),
            name: Some(format!("{c} Inc")),
            ..Default::default()
        })
        .collect()
}

/// An app with products, meters and accounts loaded, a fixed clock and uids `uid-1`, `uid-2`…
pub fn app() -> App {
    app_at(None, "uid").0
}

/// Like [`app`], saving to `data_dir` (log, drafts), with uids `{uids}-1`, `{uids}-2`… and the
/// receiving end of the task channel (for [`pump_until`]).
pub fn app_at(
    data_dir: Option<&std::path::Path>,
    uids: &'static str,
) -> (App, tokio::sync::mpsc::UnboundedReceiver<Msg>) {
    let creds = Credentials {
        org_id: "org-1".into(),
        api_key: "k".into(),
        api_secret: "s".into(),
        token: None,
    };
    let client = Client::new(ClientConfig::new(creds, Some("http://127.0.0.1:9"))).unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut ctx = Ctx::new(client, "sandbox (test) · org org-1".into(), tx);
    ctx.data_dir = data_dir.map(|d| d.to_path_buf());
    ctx.clock = Arc::new(|| chrono::Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap());
    let n = Arc::new(AtomicU32::new(0));
    ctx.uids = Arc::new(move || format!("{uids}-{}", n.fetch_add(1, Ordering::SeqCst) + 1));
    let mut app = App::new(ctx);
    app.on_msg(Msg::Products(Ok(products())));
    app.on_msg(Msg::Meters(Ok(meters())));
    app.on_msg(Msg::Accounts(Ok(accounts())));
    (app, rx)
}

/// Applies messages from tasks until `ok` holds (at most 10 s). Needs a tokio runtime.
pub async fn pump_until(
    app: &mut App,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>,
    what: &str,
    ok: impl Fn(&App) -> bool,
) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    app.start_tasks();
    while !ok(app) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(m)) => {
                app.on_msg(m);
                app.start_tasks();
            }
            _ => panic!("timed out waiting for {what}"),
        }
    }
}

pub fn key(app: &mut App, code: KeyCode) {
    app.on_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

pub fn ctrl(app: &mut App, c: char) {
    app.on_event(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

pub fn typ(app: &mut App, text: &str) {
    for c in text.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        key(app, code);
    }
}

/// Products → Cloud Compute → Storage (GB): the Submit panel in Simple mode.
pub fn open_submit(app: &mut App) {
    key(app, KeyCode::Char('j'));
    key(app, KeyCode::Enter);
    key(app, KeyCode::Enter);
}

pub fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    t.backend().to_string()
}

/// Feeds the Accounts screen its first page (a newly opened screen's first query is
/// generation 1; `None` next cursor = the whole list).
pub fn feed_accounts(app: &mut App, accounts: Vec<Account>) {
    use m3ter_console::tui::state::msg::AcctMsg;
    app.on_msg(Msg::acct(AcctMsg::Page {
        gen: 1,
        tail: false,
        result: Ok((accounts, None)),
    }));
}

/// Snapshots `app` at 80×24 and 140×40 as `tests/tui/snapshots/{name}_{w}x{h}.snap`.
pub fn snapshot(name: &str, app: &App) {
    for (w, h) in [(80, 24), (140, 40)] {
        insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
        });
    }
}

/// What was put on the clipboard since the app started.
pub fn copied(app: &App) -> Vec<String> {
    app.ctx
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Copy(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}
