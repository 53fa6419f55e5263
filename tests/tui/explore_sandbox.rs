//! The usage explorer against a real sandbox over HTTP: two meters picked, a function per field,
//! a grouping, two account codes and a dimension filter, set key by key; the query runs on a
//! task through the client and the table shows what m3ter computed.

use super::support::*;
use m3ter_console::m3ter::{Client, ClientConfig, Credentials, ListQuery, Measurement, Meter};
use m3ter_console::sandbox::{self, SandboxConfig};
use m3ter_console::tui::app::App;
use m3ter_console::tui::state::{Ctx, Msg};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;
use std::collections::HashMap;

fn measurement(
    uid: &str,
    meter: &str,
    account: &str,
    ts: &str,
    more: serde_json::Value,
) -> Measurement {
    let mut m = json!({"uid": uid, "meter": meter, "account": account, "ts": ts});
    for (k, v) in more.as_object().unwrap() {
        m[k] = v.clone();
    }
    serde_json::from_value(m).unwrap()
}

/// Header → value, for the row of the rendered table that starts with `first`.
fn row_of(screen: &str, first: &str) -> HashMap<String, String> {
    let cells = |l: &str| -> Vec<String> {
        l.trim_matches('"')
            .split('│')
            .rfind(|p| !p.trim().is_empty())
            .unwrap_or("")
            .split_whitespace()
            .map(String::from)
            .collect()
    };
    let header = screen
        .lines()
        .find(|l| l.contains("max(gb)"))
        .unwrap_or_else(|| panic!("no header: {screen}"));
    let row = screen
        .lines()
        .find(|l| cells(l).first().map(String::as_str) == Some(first))
        .unwrap_or_else(|| panic!("no row {first}: {screen}"));
    cells(header).into_iter().zip(cells(row)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_meters_a_function_each_grouped_by_account_filtered_on_accounts_and_region() {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        db_path: dir.path().join("sandbox.db"),
        demo_data: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let creds = Credentials {
        org_id: sandbox::DEFAULT_ORG_ID.into(),
        api_key: sandbox::DEFAULT_API_KEY.into(),
        api_secret: sandbox::DEFAULT_API_SECRET.into(),
        token: None,
    };
    let client = Client::new(ClientConfig::new(creds, Some(&sb.base_url))).unwrap();
    let vm = |region: &str, hours: u32| {
        json!({"who": {"user": "bob"}, "where": {"region": region}, "what": {"instance_type": "m5"},
            "measure": {"hours": hours}})
    };
    let gb = |region: &str, gb: u32| json!({"where": {"region": region}, "measure": {"gb": gb}});
    let sent = vec![
        measurement(
            "s1",
            "storage_gb",
            "ACME-ROBOTICS",
            "2026-01-01T10:00:00Z",
            gb("eu", 5),
        ),
        measurement(
            "s2",
            "storage_gb",
            "ACME-ROBOTICS",
            "2026-01-01T11:00:00Z",
            gb("us", 7),
        ),
        measurement(
            "s3",
            "storage_gb",
            "INITECH",
            "2026-01-01T10:30:00Z",
            gb("eu", 2),
        ),
        measurement(
            "s4",
            "storage_gb",
            "GLOBEX-LOGISTICS",
            "2026-01-01T10:00:00Z",
            gb("eu", 100),
        ),
        measurement(
            "v1",
            "vm_hours",
            "ACME-ROBOTICS",
            "2026-01-01T10:00:00Z",
            vm("eu", 3),
        ),
        measurement(
            "v2",
            "vm_hours",
            "ACME-ROBOTICS",
            "2026-01-01T12:00:00Z",
            vm("us", 1),
        ),
        measurement(
            "v3",
            "vm_hours",
            "INITECH",
            "2026-01-01T09:00:00Z",
            vm("eu", 4),
        ),
    ];
    client.submit(&sent).await.unwrap();
    // m3ter's second stage: wait until every measurement is stored.
    let all = m3ter_console::m3ter::UsageQuery {
        start_date: Some("2026-01-01T00:00:00Z".into()),
        ..Default::default()
    };
    for _ in 0..200 {
        if client.usage_query(&all).await.unwrap().data.len() == sent.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let meters: Vec<Meter> = client.list_all(ListQuery::default()).await.unwrap();

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut a = App::new(Ctx::new(client, "sandbox".into(), tx));
    a.on_msg(Msg::Meters(Ok(meters)));
    key(&mut a, KeyCode::Char('U'));
    // Period: custom, 1 January.
    key(&mut a, KeyCode::Left);
    typ(&mut a, "\t2026-01-01T00:00:00Z\t2026-01-02T00:00:00Z\t");
    // Meters: storage_gb and vm_hours.
    key(&mut a, KeyCode::Char(' '));
    typ(&mut a, "/storage_gb\n ");
    key(&mut a, KeyCode::Esc);
    typ(&mut a, "/vm_hours\n ");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Enter);
    // Aggregate: max(gb), unique(vm_hours.region), sum(hours); storage_cost off.
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Char(' '));
    typ(&mut a, "/storage_cost\n ");
    key(&mut a, KeyCode::Esc);
    typ(&mut a, "/storage_gb.gb\n");
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Esc);
    typ(&mut a, "/vm_hours.region\n");
    key(&mut a, KeyCode::Left);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Enter);
    // Group by account; two accounts; region eu on both meters.
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Down);
    typ(&mut a, "ACME-ROBOTICS, INITECH\tregion=eu\n");
    let s = render(&a, 300, 40);
    assert!(
        s.contains("max(storage_gb.gb), unique(vm_hours.region), sum(vm_hours.hours)"),
        "{s}"
    );
    // Narrower, the list ends in "…" rather than running into the result.
    let s = render(&a, 140, 40);
    let line = s.lines().find(|l| l.contains("Aggregate")).unwrap();
    assert!(
        line.contains("max(storage_gb.gb), unique(vm_hours…│"),
        "{s}"
    );
    pump_until(&mut a, &mut rx, "the grouped result", |a| {
        render(a, 220, 40).contains("Result · 2 rows")
    })
    .await;
    let s = render(&a, 220, 40);
    let acme = row_of(&s, "ACME-ROBOTICS");
    assert_eq!(acme["max(gb)"], "5", "eu only: {s}");
    assert_eq!(acme["sum(hours)"], "3", "{s}");
    assert_eq!(acme["unique(region)"], "1", "{s}");
    let initech = row_of(&s, "INITECH");
    assert_eq!(initech["max(gb)"], "2", "{s}");
    assert_eq!(initech["sum(hours)"], "4", "{s}");
    assert!(!s.contains("GLOBEX"), "not one of the accounts asked: {s}");
    // No time column: bars, one category per account.
    key(&mut a, KeyCode::F(3));
    let s = render(&a, 140, 40);
    assert!(
        s.contains("■ max(gb)") && s.contains("■ sum(hours)") && s.contains("INITECH"),
        "{s}"
    );
}
