//! The usage explorer: settings changed key by key (meters, a function per field and groupings
//! picked several at a time), the query spawned on a task, answers fed as messages and drawn as
//! a table, a line chart or bars at 80×24 and 140×40.

use super::support::*;
use m3ter_console::m3ter::UsageQueryResponse;
use m3ter_console::tui::app::App;
use m3ter_console::tui::screens::ScreenKind;
use m3ter_console::tui::state::explore::ExploreMsg;
use m3ter_console::tui::state::msg::Msg;
use ratatui::crossterm::event::KeyCode;
use serde_json::{json, Value};

fn snap(name: &str, app: &App) {
    snapshot(&format!("explore__{name}"), app);
}

fn screen(a: &App) -> String {
    render(a, 140, 40)
}

fn answer(a: &mut App, gen: u64, rows: Value) {
    let resp: UsageQueryResponse = serde_json::from_value(rows).unwrap();
    a.on_msg(Msg::Explore(Box::new(ExploreMsg::Usage {
        gen,
        result: Ok(resp),
    })));
}

fn usage_rows() -> Value {
    json!({
        "data": [
            {"time": "2026-01-02T00:00:00Z", "accountId": "a-ACME", "account": "ACME", "sum(gb)": 12, "sum(storage_cost)": 1.5},
            {"time": "2026-01-02T00:00:00Z", "accountId": "a-GLOBEX", "account": "GLOBEX", "sum(gb)": 4, "sum(storage_cost)": 0.5},
            {"time": "2026-01-01T00:00:00Z", "accountId": "a-ACME", "account": "ACME", "sum(gb)": 7, "sum(storage_cost)": 0.5}
        ],
        "hasMoreData": true
    })
}

fn spawned_queries(a: &App) -> usize {
    a.ctx
        .effect_names()
        .iter()
        .filter(|n| *n == "spawn usage query")
        .count()
}

/// `U`, then down to the setting whose label is `label`.
fn open_at(label: &str) -> App {
    let mut a = app();
    key(&mut a, KeyCode::Char('U'));
    assert_eq!(a.top_kind(), ScreenKind::Usage);
    for _ in 0..10 {
        if screen(&a).contains(&format!("▶ {label:<10}")) {
            return a;
        }
        key(&mut a, KeyCode::Down);
    }
    panic!("no setting {label}: {}", screen(&a));
}

/// The value on the settings line `label`.
fn setting(a: &App, label: &str) -> String {
    let s = render(a, 220, 40);
    let line = s
        .lines()
        .find(|l| l.contains(&format!("{label:<10}")))
        .unwrap_or_else(|| panic!("no {label}: {s}"));
    let at = line.find(&format!("{label:<10}")).unwrap() + 10;
    line[at..]
        .split('│')
        .next()
        .unwrap()
        .trim()
        .trim_start_matches('◀')
        .split(" ▶")
        .next()
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn usage_explorer_runs_on_a_task_and_shows_table_and_chart() {
    let mut a = app();
    key(&mut a, KeyCode::Char('U'));
    assert_eq!(spawned_queries(&a), 1);
    answer(&mut a, 1, usage_rows());
    let s = screen(&a);
    assert!(s.contains("sum(gb)") && s.contains("more data"), "{s}");
    snap("usage_table", &a);
    // Two points in time, two accounts: lines, one per account and column, named in a legend.
    key(&mut a, KeyCode::F(3));
    let s = screen(&a);
    assert!(
        s.contains("sum(gb) · ACME") && s.contains("sum(gb) · GLOBEX"),
        "{s}"
    );
    assert!(
        s.contains("more data"),
        "hasMoreData stays in the chart's title: {s}"
    );
    snap("usage_chart", &a);
    // A stale answer (an older query) is ignored.
    a.on_msg(Msg::Explore(Box::new(ExploreMsg::Usage {
        gen: 0,
        result: Err("old".into()),
    })));
    assert!(!screen(&a).contains("old"));
    key(&mut a, KeyCode::F(4));
    key(&mut a, KeyCode::Enter);
    assert!(a
        .ctx
        .effect_names()
        .contains(&"spawn write file".to_string()));
}

#[test]
fn one_point_in_time_draws_bars_per_category_with_a_legend() {
    let mut a = app();
    key(&mut a, KeyCode::Char('U'));
    answer(
        &mut a,
        1,
        json!({
            "data": [
                {"time": "2026-01-02T03:00:00Z", "accountId": "a-ACME", "account": "ACME", "sum(gb)": 12, "sum(storage_cost)": 1.5},
                {"time": "2026-01-02T03:00:00Z", "accountId": "a-GLOBEX", "account": "GLOBEX", "sum(gb)": 5, "sum(storage_cost)": 3}
            ],
            "hasMoreData": true
        }),
    );
    key(&mut a, KeyCode::F(3));
    let s = screen(&a);
    assert!(
        s.contains("■ sum(gb)") && s.contains("■ sum(storage_cost)"),
        "a legend: {s}"
    );
    assert!(
        s.contains("ACME") && s.contains("GLOBEX") && s.contains("12") && s.contains("1.5"),
        "{s}"
    );
    assert!(!s.contains('⠄'), "no lonely braille dot: {s}");
    assert!(s.contains("more data"), "{s}");
    snap("usage_bars", &a);
    // No time column at all (grouped by a dimension only): bars too.
    answer(
        &mut a,
        1,
        json!({"data": [{"region": "eu", "count(region)": 3}, {"region": "us", "count(region)": 1}]}),
    );
    let s = screen(&a);
    assert!(
        s.contains("■ count(region)") && s.contains("eu") && s.contains("us"),
        "{s}"
    );
}

#[test]
fn meters_are_picked_several_at_once_with_space_all_and_a_filter() {
    let mut a = open_at("Meters");
    assert_eq!(setting(&a, "Meters"), "every meter");
    assert!(screen(&a).contains("Space: several"), "{}", screen(&a));
    key(&mut a, KeyCode::Char(' '));
    let s = screen(&a);
    assert!(s.contains("Meters (none ticked: every meter)"), "{s}");
    assert!(s.contains("vm_hours") && s.contains("VM hours"), "{s}");
    // Tick storage_gb and vm_hours.
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char(' '));
    snap("usage_pick_meters", &a);
    // `/api`: only api_calls shows; `a` ticks every shown row.
    typ(&mut a, "/api\n");
    assert!(!screen(&a).contains("VM hours"));
    key(&mut a, KeyCode::Char('a'));
    // Esc clears the filter, then closes the picker.
    key(&mut a, KeyCode::Esc);
    assert!(screen(&a).contains("VM hours"));
    key(&mut a, KeyCode::Esc);
    assert!(!screen(&a).contains("none ticked"));
    assert_eq!(
        a.top_kind(),
        ScreenKind::Usage,
        "Esc closed only the picker"
    );
    assert_eq!(setting(&a, "Meters"), "3: api_calls, storage_gb, vm_hours");
    // `a` again with every row ticked unticks them all: every meter.
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Char('a'));
    key(&mut a, KeyCode::Enter);
    assert_eq!(setting(&a, "Meters"), "every meter");
    // ←/→ still pick one meter quickly.
    key(&mut a, KeyCode::Right);
    assert_eq!(setting(&a, "Meters"), "storage_gb");
}

#[test]
fn each_field_gets_its_own_function_and_headers_name_them() {
    let mut a = open_at("Meters");
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Down);
    assert_eq!(setting(&a, "Aggregate"), "sum");
    key(&mut a, KeyCode::Char(' '));
    let s = screen(&a);
    assert!(s.contains("Aggregate: a function per field"), "{s}");
    // Rows: region (WHERE), gb, storage_cost — the meter's field order.
    assert!(
        s.contains("WHERE · Region") && s.contains("MEASURE · Gigabytes stored"),
        "{s}"
    );
    // region: count; gb: sum → max (3 steps: min, max); storage_cost: off.
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Char(' '));
    snap("usage_pick_functions", &a);
    key(&mut a, KeyCode::Enter);
    assert_eq!(setting(&a, "Aggregate"), "count(region), max(gb)");
    key(&mut a, KeyCode::Enter);
    assert_eq!(spawned_queries(&a), 2, "the first at opening, then Enter");
    // The answer's columns are the headers; a column named after a meter id gets its code.
    answer(
        &mut a,
        2,
        json!({"data": [{"count(region)": 2, "max(gb)": 7, "max(gb)@m-2": 3}]}),
    );
    let s = screen(&a);
    assert!(
        s.contains("count(region)") && s.contains("max(gb)@vm_hours"),
        "{s}"
    );
    // Clearing every function lists raw measurements.
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Char('a'));
    key(&mut a, KeyCode::Char('a'));
    key(&mut a, KeyCode::Enter);
    assert_eq!(setting(&a, "Aggregate"), "none (raw measurements)");
}

#[test]
fn groupings_combine_account_time_and_dimension_fields() {
    let mut a = open_at("Meters");
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    // The quick form: ←/→ give one grouping.
    key(&mut a, KeyCode::Right);
    assert_eq!(setting(&a, "Group by"), "account");
    key(&mut a, KeyCode::Char(' '));
    // account is ticked; time: day; region ticked.
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Char(' '));
    snap("usage_pick_groups", &a);
    key(&mut a, KeyCode::Esc);
    assert_eq!(setting(&a, "Group by"), "account, time: day, field: region");
    key(&mut a, KeyCode::F(5));
    assert_eq!(spawned_queries(&a), 2, "{}", screen(&a));
    // Another meter drops the grouping on storage_gb's region.
    key(&mut a, KeyCode::Up);
    key(&mut a, KeyCode::Up);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    assert_eq!(setting(&a, "Group by"), "account, time: day");
}

#[test]
fn several_accounts_and_dimension_filters_are_typed() {
    let mut a = open_at("Meters");
    key(&mut a, KeyCode::Right);
    let a2 = &mut a;
    for _ in 0..3 {
        key(a2, KeyCode::Down);
    }
    typ(a2, "ACME, GLOBEX\tregion=eu,us; region=ap");
    key(a2, KeyCode::F(5));
    assert_eq!(spawned_queries(a2), 2, "{}", screen(a2));
    assert_eq!(setting(a2, "Accounts"), "ACME, GLOBEX");
    // A filter on a field the meter lacks is named before anything is sent.
    key(a2, KeyCode::End);
    typ(a2, "; gb=1");
    key(a2, KeyCode::F(5));
    assert!(
        screen(a2).contains("where: gb is not a dimension field of storage_gb"),
        "{}",
        screen(a2)
    );
    assert_eq!(spawned_queries(a2), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wide_result_scrolls_sideways_and_the_export_keeps_every_column() {
    let (mut a, mut rx) = app_at(None, "uid");
    key(&mut a, KeyCode::Char('U'));
    let row: serde_json::Map<String, Value> = (0..12)
        .map(|i| (format!("sum(field_number_{i})"), json!(i)))
        .collect();
    answer(&mut a, 1, json!({"data": [row]}));
    let s = render(&a, 80, 24);
    assert!(s.contains("columns 1–3 of 12"), "{s}");
    assert!(s.contains("Result · 1 row "), "singular: {s}");
    // F2: the result; → scrolls.
    key(&mut a, KeyCode::F(2));
    key(&mut a, KeyCode::Right);
    let s = render(&a, 80, 24);
    assert!(s.contains("columns 2–4 of 12"), "{s}");
    assert!(!s.contains("sum(field_number_0)"), "{s}");
    // The export writes every column whatever is shown.
    key(&mut a, KeyCode::F(4));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u.csv");
    ctrl(&mut a, 'u');
    typ(&mut a, &path.display().to_string());
    key(&mut a, KeyCode::Enter);
    // The query's task fails (no server); only the file matters here.
    pump_until(&mut a, &mut rx, "the export", |a| {
        render(a, 140, 40).contains("exported to")
    })
    .await;
    let csv = std::fs::read_to_string(&path).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap().split(',').count(), 12, "{csv}");
    assert_eq!(lines.next().unwrap(), "0,1,2,3,4,5,6,7,8,9,10,11", "{csv}");
}

#[test]
fn raw_measurements_refuse_a_grouping_with_the_setting_named() {
    let mut a = app();
    key(&mut a, KeyCode::Char('U'));
    key(&mut a, KeyCode::Right);
    assert!(screen(&a).contains("Yesterday"));
    // Aggregate: none lists raw measurements; a group then is refused.
    for _ in 0..2 {
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Left);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Enter);
    assert!(
        screen(&a).contains("group by: choose an aggregation"),
        "{}",
        screen(&a)
    );
}

#[test]
fn the_usage_explorer_opens_for_the_account_selected_in_accounts() {
    let mut a = app();
    key(&mut a, KeyCode::F(9));
    feed_accounts(&mut a, accounts());
    key(&mut a, KeyCode::Char('U'));
    assert_eq!(a.top_kind(), ScreenKind::Usage);
    assert_eq!(setting(&a, "Accounts"), "ACME");
}

/// A uid fits its column whole, and a value longer than a column ends in `…` (never cut unseen).
#[test]
fn usage_cells_keep_a_whole_uuid_and_cut_longer_values_with_an_ellipsis() {
    let mut a = app();
    key(&mut a, KeyCode::Char('U'));
    let uid = "0894f61f-0ec0-42e9-a639-43dfaeec9dc9";
    let long = "a-region-name-that-is-much-longer-than-any-column";
    answer(
        &mut a,
        1,
        json!({"data": [{"uid": uid, "meter": "storage_gb", "account": "ACME",
            "ts": "2026-01-02T00:00:00Z", "where.region": long}], "hasMoreData": false}),
    );
    let s = render(&a, 220, 40);
    assert!(s.contains(uid), "{s}");
    assert!(s.contains("a-region-name-that-is-much-longer-t… "), "{s}");
}
