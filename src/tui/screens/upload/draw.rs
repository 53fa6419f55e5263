//! Drawing the Upload screen: the path, then what the file holds (or the upload's progress and
//! outcome), then its first rows and every problem.

use super::{Run, UploadScreen};
use crate::m3ter::bulk::send::{rate, thousands};
use crate::m3ter::Measurement;
use crate::tui::state::msg_upload::{JournalPlan, Preview};
use crate::tui::state::Ctx;
use crate::tui::style;
use crate::tui::widgets::text::cut;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Gauge, Paragraph, Row, Table};
use ratatui::Frame;
use serde_json::Value;

const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

pub use crate::tui::state::upload_follow::tally_line;

fn block(title: String, focused: bool) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(style::border(focused))
        .title(title)
}

pub fn draw(s: &UploadScreen, ctx: &Ctx, frame: &mut Frame, area: Rect) {
    let shown = s.candidates.len().min(8) as u16;
    let run_h = if s.run.is_some() { 6 } else { 0 };
    let status = status_line(s, ctx);
    // The status gets room to wrap: an error names the file, the line and what was expected.
    let path_h = {
        let w = area.width.saturating_sub(2).max(1) as usize;
        let words = usize::from(status.width() > w);
        (3 + status.width().div_ceil(w) + words).clamp(4, 8) as u16
    };
    let [path_area, cand_area, run_area, body] = Layout::vertical([
        Constraint::Length(path_h),
        Constraint::Length(if shown > 0 { shown + 2 } else { 0 }),
        Constraint::Length(run_h),
        Constraint::Fill(1),
    ])
    .areas(area);
    draw_path(s, status, frame, path_area);
    if shown > 0 {
        let more = s.candidates.len() - shown as usize;
        let mut lines: Vec<Line> = s
            .candidates
            .iter()
            .take(shown as usize)
            .map(|c| Line::from(c.clone()))
            .collect();
        if more > 0 {
            if let Some(l) = lines.last_mut() {
                *l = Line::from(format!("… and {more} more: type more of the name"));
            }
        }
        frame.render_widget(
            Paragraph::new(lines).block(block(format!(" {} matches ", s.candidates.len()), false)),
            cand_area,
        );
    }
    if let Some(r) = &s.run {
        draw_run(r, s.asking_cancel, ctx, frame, run_area);
    }
    if let Some(p) = &s.preview {
        draw_preview(s, p, frame, body);
    }
}

/// The line under the path: checking, why the file cannot be used, or what it holds.
fn status_line(s: &UploadScreen, ctx: &Ctx) -> Line<'static> {
    if s.checking {
        Line::from(Span::styled(
            format!(
                "{} reading and checking the file…",
                SPINNER[(ctx.ticks % 4) as usize]
            ),
            style::warn(),
        ))
    } else if let Some(e) = &s.failed {
        Line::from(Span::styled(e.clone(), style::error()))
    } else if let (Some(p), Some(_)) = (&s.preview, &s.run) {
        Line::from(format!(
            "{} · {} measurements",
            p.format.label(),
            thousands(p.valid as u64)
        ))
    } else if let Some(p) = &s.preview {
        summary_line(p)
    } else {
        Line::from(Span::styled(
            "NDJSON, JSON array or CSV · Enter checks (nothing is sent) · Tab completes",
            style::muted(),
        ))
    }
}

fn draw_path(s: &UploadScreen, status: Line<'static>, frame: &mut Frame, area: Rect) {
    let mut first = vec![Span::styled("File  ", style::muted())];
    first.extend(
        s.path
            .spans(s.typing, ratatui::style::Style::default())
            .spans,
    );
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), status])
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block(" Upload a file of measurements ".into(), s.typing)),
        area,
    );
}

/// `NDJSON · 5,000 measurements in 5 batches · ready to send`, or what is wrong.
fn summary_line(p: &Preview) -> Line<'static> {
    let head = format!("{} · ", p.format.label());
    match &p.journal {
        JournalPlan::Resume {
            measurements,
            pending_batches,
            batches,
            accepted,
            ..
        } => Line::from(vec![
            Span::raw(head),
            Span::styled(
                format!(
                    "unfinished upload: {} of {} measurements accepted, {pending_batches} of {batches} batches unsent · Enter resumes (same uids)",
                    thousands(*accepted as u64),
                    thousands(*measurements as u64)
                ),
                style::warn(),
            ),
        ]),
        _ if p.problem_count > 0 => Line::from(vec![
            Span::raw(format!(
                "{head}{} valid measurements · ",
                thousands(p.valid as u64)
            )),
            Span::styled(
                format!(
                    "{} problem{}, nothing will be sent",
                    thousands(p.problem_count as u64),
                    if p.problem_count == 1 { "" } else { "s" }
                ),
                style::error(),
            ),
        ]),
        JournalPlan::None => Line::from(vec![
            Span::raw(head),
            Span::styled("no measurements in the file", style::error()),
        ]),
        JournalPlan::Fresh { .. } => Line::from(vec![
            Span::raw(format!(
                "{head}{} measurements in {} batch{} · ",
                thousands(p.valid as u64),
                p.batches,
                if p.batches == 1 { "" } else { "es" }
            )),
            Span::styled("all valid: Enter sends", style::ok()),
        ]),
    }
}

fn draw_run(r: &Run, asking_cancel: bool, ctx: &Ctx, frame: &mut Frame, area: Rect) {
    let p = &r.progress;
    let title = if r.sending && p.stopping {
        " Stopping: waiting for the batches in flight ".to_string()
    } else if r.sending {
        format!(" {} Sending ", SPINNER[(ctx.ticks % 4) as usize])
    } else if r.following {
        format!(
            " {} Following to the outcome ",
            SPINNER[(ctx.ticks % 4) as usize]
        )
    } else if r.error.is_some() {
        " Stopped ".to_string()
    } else {
        " Done ".to_string()
    };
    let inner_block = block(title, true);
    let inner = inner_block.inner(area);
    frame.render_widget(inner_block, area);
    let [gauge_area, text_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let ratio = if p.to_send == 0 {
        if r.sending {
            0.0
        } else {
            1.0
        }
    } else {
        (p.sent as f64 / p.to_send as f64).clamp(0.0, 1.0)
    };
    frame.render_widget(
        Gauge::default()
            .gauge_style(style::accent())
            .ratio(ratio)
            .label(format!(
                "{} / {} measurements sent",
                thousands(p.sent as u64),
                thousands(p.to_send as u64)
            )),
        gauge_area,
    );
    let mut lines = vec![Line::from(format!(
        "batches {}/{} · {} · {} rejected{}",
        p.batches_sent,
        p.batches,
        rate(p.rate_per_sec),
        thousands(p.rejected as u64),
        if p.previously_accepted > 0 {
            format!(
                " · {} accepted by an earlier run",
                thousands(p.previously_accepted as u64)
            )
        } else {
            String::new()
        }
    ))];
    if let Some(t) = &r.tally {
        let color = if t.failed_total() > 0 {
            style::error()
        } else if t.pending > 0 || t.not_confirmed > 0 {
            style::warn()
        } else {
            style::ok()
        };
        lines.push(Line::from(Span::styled(tally_line(t), color)));
    }
    if asking_cancel {
        lines.push(Line::from(Span::styled(
            "Stop sending? Batches in flight finish; the journal keeps the rest for resuming (y/n)",
            style::warn(),
        )));
    }
    if let Some(e) = &r.error {
        lines.push(Line::from(Span::styled(e.clone(), style::error())));
    }
    if let Some(n) = &r.note {
        lines.push(Line::from(Span::styled(n.clone(), style::muted())));
    }
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        text_area,
    );
}

fn draw_preview(s: &UploadScreen, p: &Preview, frame: &mut Frame, area: Rect) {
    if area.height < 3 {
        return;
    }
    let areas = if p.problem_count > 0 && !p.rows.is_empty() {
        Layout::vertical([Constraint::Percentage(35), Constraint::Fill(1)]).split(area)
    } else {
        Layout::vertical([Constraint::Fill(1)]).split(area)
    };
    let mut next = 0;
    if !p.rows.is_empty() {
        draw_rows(p, frame, areas[next]);
        next += 1;
    }
    if p.problem_count > 0 {
        draw_problems(s, p, frame, areas[next.min(areas.len() - 1)]);
    }
}

fn draw_rows(p: &Preview, frame: &mut Frame, area: Rect) {
    let total = match &p.journal {
        JournalPlan::Resume { measurements, .. } => *measurements,
        _ => p.valid,
    };
    // Narrow terminals drop the uid column: the values matter more in a preview.
    let wide = area.width >= 100;
    let mut widths = vec![
        Constraint::Length(14),
        Constraint::Length(12),
        Constraint::Length(24),
        Constraint::Fill(1),
    ];
    let mut header = vec!["meter", "account", "ts", "values"];
    if wide {
        widths.insert(0, Constraint::Length(14));
        header.insert(0, "uid");
    }
    // What each column gets inside the borders, so a cell that does not fit ends in `…`
    // instead of being clipped unseen.
    let fit: Vec<usize> = Layout::horizontal(widths.clone())
        .spacing(1)
        .split(Rect::new(0, 0, area.width.saturating_sub(2), 1))
        .iter()
        .map(|r| r.width as usize)
        .collect();
    let rows: Vec<Row> = p
        .rows
        .iter()
        .map(|m| {
            let mut texts = vec![m.meter.clone(), m.account.clone(), m.ts.clone(), values(m)];
            if wide {
                texts.insert(0, m.uid.clone().unwrap_or_default());
            }
            Row::new(
                texts
                    .iter()
                    .zip(&fit)
                    .map(|(t, w)| Cell::from(cut(t, *w)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(style::muted()))
        .block(block(
            format!(
                " First {} of {} measurements ",
                p.rows.len(),
                thousands(total as u64)
            ),
            false,
        ));
    frame.render_widget(table, area);
}

/// `where.region=eu measure.gb=5`: the data fields of a measurement on one line.
fn values(m: &Measurement) -> String {
    let Ok(Value::Object(obj)) = serde_json::to_value(m) else {
        return String::new();
    };
    let mut out = Vec::new();
    for (cat, v) in obj {
        if let Value::Object(fields) = v {
            for (k, v) in fields {
                let v = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                out.push(format!("{cat}.{k}={v}"));
            }
        }
    }
    out.join(" ")
}

fn draw_problems(s: &UploadScreen, p: &Preview, frame: &mut Frame, area: Rect) {
    let height = area.height.saturating_sub(2) as usize;
    let start = s.scroll.min(p.problems.len().saturating_sub(1));
    let mut lines: Vec<Line> = p
        .problems
        .iter()
        .skip(start)
        .take(height)
        .map(|l| Line::from(Span::styled(l.clone(), style::error())))
        .collect();
    let unlisted = p.problem_count - p.problems.len();
    if unlisted > 0 && start + height >= p.problems.len() {
        lines.push(Line::from(format!(
            "… and {} more",
            thousands(unlisted as u64)
        )));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block(
                format!(
                    " {} problem{} · from #{} · ↑/↓ scroll ",
                    thousands(p.problem_count as u64),
                    if p.problem_count == 1 { "" } else { "s" },
                    start + 1
                ),
                !s.typing,
            )),
        area,
    );
}
