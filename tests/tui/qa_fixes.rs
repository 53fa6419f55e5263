//! Small terminals and leftovers a QA pass found: the meter details' language switch, the
//! events list at 40 columns, the usage explorer at 40×12.

use super::support::*;
use m3ter_console::tui::screens::ScreenKind;
use ratatui::crossterm::event::KeyCode;

fn open_meter_detail(a: &mut m3ter_console::tui::app::App) {
    key(a, KeyCode::Char('j'));
    key(a, KeyCode::Enter);
    key(a, KeyCode::Char('d'));
    assert_eq!(a.top_kind(), ScreenKind::MeterDetail);
}

#[test]
fn switching_the_sample_language_shows_the_new_sample_from_its_top() {
    for (w, h) in [(80, 24), (140, 40)] {
        let mut a = app();
        open_meter_detail(&mut a);
        // The longest sample (Java, left of the first), scrolled to its end.
        key(&mut a, KeyCode::Left);
        render(&a, w, h);
        key(&mut a, KeyCode::End);
        let s = render(&a, w, h);
        assert!(!s.contains("Ingest API"), "scrolled past the tabs: {s}");
        key(&mut a, KeyCode::Right);
        let s = render(&a, w, h);
        assert!(
            s.contains("Ingest API") && s.contains("\"measurements\": ["),
            "{w}×{h}: {s}"
        );
        // Already on screen: a second switch does not move the page.
        key(&mut a, KeyCode::Right);
        assert!(render(&a, w, h).contains("Ingest API"));
    }
}

mod usage {
    use super::*;
    use m3ter_console::m3ter::UsageQueryResponse;
    use m3ter_console::tui::app::App;
    use m3ter_console::tui::state::explore::ExploreMsg;
    use m3ter_console::tui::state::msg::Msg;
    use serde_json::json;

    /// The usage explorer with its first query answered (two rows).
    fn answered() -> App {
        let mut a = app();
        key(&mut a, KeyCode::Char('U'));
        assert_eq!(a.top_kind(), ScreenKind::Usage);
        let resp: UsageQueryResponse = serde_json::from_value(json!({"data": [
            {"time": "2026-01-02T00:00:00Z", "sum(gb)": 12},
            {"time": "2026-01-01T00:00:00Z", "sum(gb)": 7}
        ]}))
        .unwrap();
        a.on_msg(Msg::Explore(Box::new(ExploreMsg::Usage {
            gen: 1,
            result: Ok(resp),
        })));
        a
    }

    #[test]
    fn at_40x12_the_result_shows_with_the_focused_setting_above_it() {
        let mut a = answered();
        let s = render(&a, 40, 12);
        assert!(s.contains(" 12 ") && s.contains(" 7 "), "the rows: {s}");
        insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!("qa__usage_collapsed_40x12", s);
        });
        assert!(s.contains("Query · 1/"), "{s}");
        key(&mut a, KeyCode::Down);
        let s = render(&a, 40, 12);
        assert!(s.contains("Query · 2/") && s.contains("▶ "), "{s}");
        // Tall enough: every setting, as before.
        assert!(!render(&a, 80, 24).contains("Query · "));
    }

    #[test]
    fn a_long_placeholder_ends_in_an_ellipsis() {
        let a = answered();
        let s = render(&a, 40, 30);
        let line = s.lines().find(|l| l.contains("Where")).expect(&s);
        assert!(line.contains("none · e.g.") && line.contains('…'), "{line}");
    }

    #[test]
    fn a_refused_query_replaces_the_old_result() {
        let mut a = answered();
        assert!(render(&a, 140, 40).contains("sum(gb)"));
        // Aggregate: none, then a grouping: Enter refuses, and the old sums go.
        for _ in 0..2 {
            key(&mut a, KeyCode::Down);
        }
        key(&mut a, KeyCode::Left);
        key(&mut a, KeyCode::Down);
        key(&mut a, KeyCode::Right);
        key(&mut a, KeyCode::Enter);
        let s = render(&a, 140, 40);
        assert!(
            s.contains("not run: group by: choose an aggregation"),
            "{s}"
        );
        assert!(!s.contains("sum(gb)"), "{s}");
        snapshot("qa__usage_refused", &a);
    }
}
