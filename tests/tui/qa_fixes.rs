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
