//! Drawing the form: one line per field, its error on the line below it (where there is room
//! for the whole message), the parent suggestions under the parent field. The form scrolls so
//! the focused field is always in view.

use super::fields::Field;
use super::form::{credit_label, mode_label, Form};
use super::nav;
use crate::tui::style;
use crate::tui::style::AUTO_BADGE;
use crate::tui::widgets::text::wrap;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub fn title(f: &Form) -> String {
    match &f.editing {
        None => "new account".into(),
        Some(a) if f.promote => format!("make {} a real account", nav::code(a)),
        Some(a) => format!("edit {}", nav::code(a)),
    }
}

const LABEL_W: usize = 17;

pub fn draw(f: &Form, frame: &mut Frame, area: Rect) {
    let (_, errs) = f.request();
    let mut lines: Vec<Line> = Vec::new();
    let mut focus_line = 0usize;
    if f.promote {
        lines.push(Line::from(vec![
            Span::styled(format!(" {AUTO_BADGE} "), style::badge()),
            Span::styled(
                " auto-created: give it a real name and email to make it a real account",
                style::warn(),
            ),
        ]));
    }
    if f.stash.is_some() {
        lines.push(Line::styled(
            "two versions kept (yours, the server's) — Ctrl+Z/F8 swaps which one is in the form",
            style::warn(),
        ));
    }
    let mut owners: Vec<Option<Field>> = vec![None; lines.len()];
    let label_style = style::accent();
    let err_style = style::error();
    for i in Field::ALL {
        let label = i.label();
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
            Field::CreditOrder | Field::Statements => {
                let v = if i == Field::CreditOrder {
                    credit_label(f.credit)
                } else {
                    mode_label(f.mode)
                };
                spans.push(Span::styled(format!("‹ {v} ›"), value_style));
                if focused {
                    spans.push(Span::styled("  ←/→ change", style::muted()));
                }
            }
            _ => {
                let mut l = f.input(i).spans(focused, value_style);
                spans.append(&mut l.spans);
                if i == Field::Parent && f.parent.is_some() && !f.input(i).value().is_empty() {
                    spans.push(Span::styled("  ✓", style::ok()));
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
        if i == Field::Parent && focused {
            for (n, (_, code)) in f.parent_hits.iter().take(6).enumerate() {
                let st = if n == f.parent_pick {
                    style::selected()
                } else {
                    style::muted()
                };
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(LABEL_W + 2)),
                    Span::styled(format!("▸ {code}"), st),
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
    // The terminal's own cursor on the focused text field (IMEs and screen readers follow it).
    if !f.focus.is_choice() && focus_line >= scroll && focus_line - scroll < inner {
        let x = area.x + 1 + 2 + LABEL_W.max(f.focus.label().chars().count()) as u16;
        let y = area.y + 1 + (focus_line - scroll) as u16;
        let limit = (area.x + area.width).saturating_sub(1);
        f.input(f.focus).place_cursor(frame, x, y, limit);
    }
    let status = if f.saving {
        Span::styled(" saving… ", style::warn())
    } else if errs.is_empty() {
        Span::styled(" ready: Ctrl+S/F5 saves ", style::ok())
    } else {
        Span::styled(
            format!(" {} to fix before saving ", errs.len()),
            style::error(),
        )
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style::border(true))
        .title(format!(" {} ", title(f)))
        .title_bottom(Line::from(status).right_aligned());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        area,
    );
}
