//! The log pane: every submission (newest first) with its time, the answer and the JSON sent;
//! the selected entry can be opened in full, resent, loaded into the editor or copied as a curl
//! command, and `/` filters the entries by meter, account or any text.

use super::keys::{COPY_CURL, EDIT_ENTRY, OPEN_ENTRY, RESEND, SUBMIT};
use crate::m3ter::samples::{IngestSamples, SampleLanguage};
use crate::tui::state::log::{LogEntry, SubmissionLog};
use crate::tui::state::Ctx;
use crate::tui::style;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::text::cut;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};
use ratatui::Frame;

/// The pane's own state: the filter.
#[derive(Debug, Default)]
pub struct LogView {
    pub filter: TextInput,
    pub filtering: bool,
}

impl LogView {
    /// Whether entry `e` matches the filter (case-insensitive, anywhere in the JSON sent, the
    /// answer or the time).
    pub fn keeps(&self, e: &LogEntry) -> bool {
        let needle = self.filter.value().trim().to_lowercase();
        if needle.is_empty() {
            return true;
        }
        let hay = format!("{} {} {}", e.time, e.outcome(), e.request).to_lowercase();
        hay.contains(&needle)
    }

    /// The indices of the entries shown, newest first.
    pub fn visible(&self, log: &SubmissionLog) -> Vec<usize> {
        (0..log.entries.len())
            .filter(|&i| self.keeps(&log.entries[i]))
            .collect()
    }
}

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
        (SPINNER[(ticks % 4) as usize], style::warn())
    } else if e.interrupted {
        ("⚠", style::warn())
    } else if e.failed_ingest() {
        ("✗", style::error())
    } else if e.accepted() {
        ("✓", style::ok())
    } else {
        ("✗", style::error())
    };
    let head_style = if selected {
        style::selected()
    } else {
        Style::default()
    };
    // "no answer recorded (why)" is too long for the head: the reason goes on its own line.
    let outcome = e.outcome();
    let (outcome, why) = match outcome.split_once(" (") {
        Some((o, why)) if e.interrupted => (o.to_string(), Some(format!("({why}"))),
        _ => (outcome, None),
    };
    let time = short_time(&e.time);
    let room = width.saturating_sub(time.chars().count() + 3);
    let mut out = vec![Line::from(vec![
        Span::styled(if selected { "▶ " } else { "  " }, head_style),
        Span::styled(time, head_style),
        Span::raw(" "),
        Span::styled(cut(&format!("{mark} {outcome}"), room), color),
    ])];
    if let Some(why) = why {
        out.push(Line::from(Span::styled(
            cut(&format!("    {why}"), width),
            color,
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
/// row shows, for clicks. The focused pane has a double border and says so in its title.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    view: &LogView,
    focused: bool,
) -> Vec<(u16, usize)> {
    let log = &ctx.log;
    let visible = view.visible(log);
    let count = match log.entries.len() {
        1 => "1 submission".to_string(),
        n => format!("{n} submissions"),
    };
    let mut title = vec![Span::raw(format!(" Log · {count} "))];
    if focused {
        title.push(Span::styled(" ◀ keys go here ", style::key()));
    }
    if view.filtering || !view.filter.value().is_empty() {
        title.push(Span::raw(" /").bold());
        title.extend(view.filter.spans(view.filtering, style::warn()).spans);
        title.push(Span::raw(format!(" {} shown ", visible.len())));
    }
    let k = &ctx.keymap;
    let hints = format!(
        " {} open · {} resend · {} edit · {} curl ",
        k.label(&OPEN_ENTRY),
        k.label(&RESEND),
        k.label(&EDIT_ENTRY),
        k.label(&COPY_CURL)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Double
        } else {
            BorderType::Plain
        })
        .border_style(style::border(focused))
        .title(Line::from(title))
        .title_bottom(if focused {
            crate::tui::widgets::text::fit_line(
                Line::from(hints),
                area.width.saturating_sub(2) as usize,
            )
        } else {
            Line::from("")
        });
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if log.entries.is_empty() {
        frame.render_widget(
            Paragraph::new(format!(
                "no submissions yet — {} sends the measurement",
                k.label(&SUBMIT)
            ))
            .dim(),
            inner,
        );
        return Vec::new();
    }
    if visible.is_empty() {
        frame.render_widget(
            Paragraph::new("no match (Esc clears the filter)").italic(),
            inner,
        );
        return Vec::new();
    }
    let width = inner.width as usize;
    let height = inner.height as usize;
    let sel_pos = visible.iter().position(|&i| i == log.selected).unwrap_or(0);
    // Keep up to half the pane of newer entries above the selected one.
    let mut start = sel_pos;
    let mut used = 0;
    while start > 0 {
        let h = entry_lines(&log.entries[visible[start - 1]], false, width, ctx.ticks).len();
        if used + h > height / 2 {
            break;
        }
        used += h;
        start -= 1;
    }
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for &i in visible.iter().skip(start) {
        for l in entry_lines(&log.entries[i], i == log.selected, width, ctx.ticks) {
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

/// The entry as a curl command (the same as the meter's Ingest API sample); the token is the
/// `$M3TER_API_TOKEN` variable, never a secret.
pub fn curl(ingest_url: &str, org_id: &str, request: &serde_json::Value) -> String {
    IngestSamples::from_json(ingest_url, org_id, std::slice::from_ref(request))
        .render(SampleLanguage::Curl)
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
        assert!(c.contains("$M3TER_API_TOKEN"));
        assert!(c.contains(r"O'\''Brien"));
    }
}
