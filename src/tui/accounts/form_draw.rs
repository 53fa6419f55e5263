//! Drawing the form: one line per field, its error on the line below it (where there is room
//! for the whole message), the parent suggestions under the parent field. The form scrolls so
//! the focused field is always in view.

use super::form::{credit_label, mode_label, Form, CREDIT, FIELDS, MODE, PARENT};
use super::list::{badge_style, AUTO_BADGE};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub fn title(f: &Form) -> String {
    match &f.editing {
        None => "new account".into(),
        Some(a) if f.promote => format!("make {} a real account", super::detail::code(a)),
        Some(a) => format!("edit {}", super::detail::code(a)),
    }
}

const LABEL_W: usize = 17;

pub fn draw(f: &Form, frame: &mut Frame, area: Rect) {
    let (_, errs) = f.request();
    let mut lines: Vec<Line> = Vec::new();
    let mut focus_line = 0usize;
    if f.promote {
        lines.push(Line::from(vec![
            Span::styled(format!(" {AUTO_BADGE} "), badge_style()),
            Span::styled(
                " auto-created: give it a real name and email to make it a real account",
                Style::default().fg(Color::Yellow),
            ),
        ]));
    }
    if f.stash.is_some() {
        lines.push(Line::styled(
            "two versions kept (yours, the server's) — Ctrl+Z/F8 swaps which one is in the form",
            Style::default().fg(Color::Yellow),
        ));
    }
    let mut owners: Vec<Option<usize>> = vec![None; lines.len()];
    let label_style = Style::default().fg(Color::Cyan);
    let err_style = Style::default().fg(Color::Red);
    for (i, (label, _)) in FIELDS.iter().enumerate() {
        let focused = i == f.focus;
        if focused {
            focus_line = lines.len();
        }
        let marker = if focused { "▶ " } else { "  " };
        let mut spans = vec![
            Span::raw(marker),
            Span::styled(format!("{label:<w$}", w = LABEL_W), label_style),
        ];
        let value_style = if focused {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        match i {
            CREDIT | MODE => {
                let v = if i == CREDIT {
                    credit_label(f.credit)
                } else {
                    mode_label(f.mode)
                };
                spans.push(Span::styled(format!("‹ {v} ›"), value_style));
                if focused {
                    spans.push(Span::styled(
                        "  ←/→ change",
                        Style::default().fg(Color::DarkGray),
                    ));
                }
            }
            _ => {
                let mut l = f.inputs[i].spans(focused, value_style);
                spans.append(&mut l.spans);
                if i == PARENT && f.parent.is_some() && !f.inputs[i].value().is_empty() {
                    spans.push(Span::styled("  ✓", Style::default().fg(Color::Green)));
                }
            }
        }
        lines.push(Line::from(spans));
        if let Some(e) = f.error_for(&errs, i) {
            // Under the field, wrapped, so the whole message is readable at 80 columns.
            let room = (area.width as usize).saturating_sub(LABEL_W + 4).max(20);
            for part in wrap(&format!("✗ {e}"), room) {
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(LABEL_W + 2)),
                    Span::styled(part, err_style),
                ]));
            }
        }
        if i == PARENT && focused {
            for (n, (_, code)) in f.parent_hits.iter().take(6).enumerate() {
                let style = if n == f.parent_pick {
                    Style::default().add_modifier(Modifier::REVERSED)
                } else {
                    Style::default().fg(Color::Gray)
                };
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(LABEL_W + 2)),
                    Span::styled(format!("▸ {code}"), style),
                ]));
            }
        }
        owners.resize(lines.len(), Some(i));
    }
    let inner = area.height.saturating_sub(2) as usize;
    // Show the focused field with its error and suggestions below it.
    let want = focus_line + 7;
    let scroll = want.saturating_sub(inner).min(focus_line);
    *f.drawn.borrow_mut() = (area, scroll, owners);
    let status = if f.saving {
        Span::styled(" saving… ", Style::default().fg(Color::Yellow))
    } else if errs.is_empty() {
        Span::styled(
            " ready: Ctrl+S/F5 saves ",
            Style::default().fg(Color::Green),
        )
    } else {
        Span::styled(
            format!(" {} to fix before saving ", errs.len()),
            Style::default().fg(Color::Red),
        )
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Cyan))
        .title(format!(" {} ", title(f)))
        .title_bottom(Line::from(status).right_aligned());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        area,
    );
}

/// Splits `text` into lines of at most `width` characters, at spaces where possible.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let fits = line.chars().count() + word.chars().count() + usize::from(!line.is_empty());
        if !line.is_empty() && fits > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            line = line.chars().skip(width).collect();
            out.push(head);
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}
