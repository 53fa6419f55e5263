//! The log pane: every submission (newest first) with its time, the answer and the JSON sent;
//! the selected entry can be resent, loaded into the editor or copied as a curl command.

use crate::tui::log::{LogEntry, SubmissionLog};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

/// `2026-11-25T09:01:02.123Z` → `2026-11-25 09:01:02`
fn short_time(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => t.to_string(),
    }
}

/// Splits `s` into pieces of at most `w` characters.
fn wrap(s: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(w).map(|c| c.iter().collect()).collect()
}

fn entry_lines(e: &LogEntry, selected: bool, width: usize, ticks: u64) -> Vec<Line<'static>> {
    let (mark, color) = if e.is_pending() {
        (SPINNER[(ticks % 4) as usize], Color::Yellow)
    } else if e.interrupted {
        ("⚠", Color::Yellow)
    } else if e.accepted() {
        ("✓", Color::Green)
    } else {
        ("✗", Color::Red)
    };
    let head_style = if selected {
        Style::default().add_modifier(Modifier::REVERSED)
    } else {
        Style::default()
    };
    // "no answer recorded (why)" is too long for the head: the reason goes on its own line.
    let outcome = e.outcome();
    let (outcome, why) = match outcome.split_once(" (") {
        Some((o, why)) if e.interrupted => (o.to_string(), Some(format!("({why}"))),
        _ => (outcome, None),
    };
    let mut out = vec![Line::from(vec![
        Span::styled(if selected { "▶ " } else { "  " }, head_style),
        Span::styled(short_time(&e.time), head_style),
        Span::raw(" "),
        Span::styled(format!("{mark} {outcome}"), Style::default().fg(color)),
    ])];
    if let Some(why) = why {
        out.push(Line::from(Span::styled(
            format!("    {why}"),
            Style::default().fg(color),
        )));
    }
    let json = serde_json::to_string(&e.request).unwrap_or_default();
    let body_lines = if selected { usize::MAX } else { 2 };
    let wrapped = wrap(&json, width.saturating_sub(4));
    let n = wrapped.len();
    for (i, piece) in wrapped.into_iter().enumerate().take(body_lines) {
        let more = i + 1 == body_lines && n > body_lines;
        out.push(Line::from(
            Span::raw(format!("    {piece}{}", if more { "…" } else { "" })).dim(),
        ));
    }
    out
}

/// Draws the pane, scrolled so the selected entry is visible. Returns which entry each screen
/// row shows, for clicks.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    log: &SubmissionLog,
    focused: bool,
    ticks: u64,
) -> Vec<(u16, usize)> {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            Style::default().fg(Color::Cyan)
        } else {
            Style::default().fg(Color::DarkGray)
        })
        .title(match log.entries.len() {
            1 => " Log · 1 submission ".to_string(),
            n => format!(" Log · {n} submissions "),
        })
        .title_bottom(if focused {
            Line::from(" r resend · e edit · c copy curl ")
        } else {
            Line::from("")
        });
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if log.entries.is_empty() {
        frame.render_widget(
            Paragraph::new("no submissions yet — Ctrl+S/F5 sends the measurement").dim(),
            inner,
        );
        return Vec::new();
    }
    let width = inner.width as usize;
    let height = inner.height as usize;
    // Keep up to half the pane of newer entries above the selected one.
    let mut start = log.selected;
    let mut used = 0;
    while start > 0 {
        let h = entry_lines(&log.entries[start - 1], false, width, ticks).len();
        if used + h > height / 2 {
            break;
        }
        used += h;
        start -= 1;
    }
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for (i, e) in log.entries.iter().enumerate().skip(start) {
        for l in entry_lines(e, i == log.selected, width, ticks) {
            if lines.len() < height {
                rows.push((inner.y + lines.len() as u16, i));
            }
            lines.push(l);
        }
        if lines.len() >= height {
            break;
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
    rows
}

/// The entry as a curl command; the token is the `$M3TER_TOKEN` placeholder, never a secret.
pub fn curl(ingest_url: &str, org_id: &str, request: &serde_json::Value) -> String {
    let body = serde_json::json!({ "measurements": [request] }).to_string();
    let quoted = body.replace('\'', r"'\''");
    format!(
        "curl -X POST '{ingest_url}/organizations/{org_id}/measurements' \\\n  -H \"Authorization: Bearer $M3TER_TOKEN\" \\\n  -H 'Content-Type: application/json' \\\n  -d '{quoted}'"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn curl_quotes_and_hides_the_token() {
        let c = super::curl(
            "https://ingest.m3ter.com",
            "org",
            &serde_json::json!({"account": "O'Brien"}),
        );
        assert!(c.contains("$M3TER_TOKEN"));
        assert!(c.contains(r"O'\''Brien"));
    }
}
