//! Drawing the usage explorer: the settings, then the result as a table (scrolled sideways when
//! it is wider than the pane) or a chart ([`super::chart`]); an open picker covers the screen.

use super::chart::draw_chart;
use super::form::Setting;
use super::{QueryState, UsageScreen};
use crate::m3ter::usage_table::UsageTable;
use crate::tui::state::Ctx;
use crate::tui::style;
use crate::tui::widgets::text::cut;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

/// The result's rows (borders included) below which the settings pane collapses to one line.
const MIN_RESULT_ROWS: u16 = 8;

pub fn draw(s: &UsageScreen, ctx: &Ctx, frame: &mut Frame, area: Rect) {
    let meters = ctx.meters.get().map(Vec::as_slice).unwrap_or_default();
    let wide = area.width >= 110;
    let settings_n = s.form.settings().len() as u16;
    // On a short terminal the full settings would leave the result a row or two: the settings
    // pane then shows only the focused setting (↑/↓ still walk them all).
    let collapsed = !wide && area.height < settings_n + 2 + MIN_RESULT_ROWS;
    let (settings_area, result_area) = if wide {
        let [a, b] = Layout::horizontal([
            Constraint::Length((area.width / 3).max(50)),
            Constraint::Fill(1),
        ])
        .areas(area);
        (a, b)
    } else {
        let rows = if collapsed { 1 } else { settings_n };
        let [a, b] =
            Layout::vertical([Constraint::Length(rows + 2), Constraint::Fill(1)]).areas(area);
        (a, b)
    };
    let pick = ctx.keymap.label(&super::PICK);
    draw_settings(s, meters, &pick, collapsed, frame, settings_area);
    let result_area = if let Some(p) = &s.export {
        let [r, prompt] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(3)]).areas(result_area);
        let mut line = vec![Span::raw("file: ")];
        line.extend(p.spans(true, style::warn()).spans);
        frame.render_widget(
            Paragraph::new(Line::from(line)).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(style::border(true))
                    .title(" Export the result to CSV "),
            ),
            prompt,
        );
        let right = (prompt.x + prompt.width).saturating_sub(1);
        p.place_cursor(frame, prompt.x + 1 + 6, prompt.y + 1, right);
        r
    } else {
        result_area
    };
    draw_result(s, frame, result_area);
    if let Some(p) = &s.picker {
        let rows = p.rows.len() as u16 + 3;
        let r = style::popup(area, area.width.saturating_sub(4).min(90), rows.max(6));
        frame.render_widget(ratatui::widgets::Clear, r);
        p.draw(frame, r);
    }
}

fn draw_settings(
    s: &UsageScreen,
    meters: &[crate::m3ter::Meter],
    pick: &str,
    collapsed: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let n = s.form.settings().len();
    let at = s.form.focus.min(n - 1);
    let focused = !s.on_result && s.export.is_none() && s.picker.is_none();
    // Columns left for a value after the borders, the marker and the label.
    let value_room = area.width.saturating_sub(2 + 12) as usize;
    if focused {
        // The terminal's own cursor on a typed setting: after the border, "▶ " and the label.
        let i = if collapsed { 0 } else { at };
        if let Some(input) = s.form.input(s.form.focused()) {
            let right = (area.x + area.width).saturating_sub(1);
            let y = area.y + 1 + i as u16;
            if y + 1 < area.y + area.height {
                input.place_cursor(frame, area.x + 1 + 12, y, right);
            }
        }
    }
    let lines: Vec<Line> = s
        .form
        .settings()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !collapsed || *i == at)
        .map(|(i, setting)| {
            let selected = focused && i == s.form.focus.min(s.form.settings().len() - 1);
            let mut spans = vec![Span::styled(
                format!(
                    "{}{:<10}",
                    if selected { "▶ " } else { "  " },
                    setting.label()
                ),
                if selected {
                    style::selected()
                } else {
                    Style::default().dim()
                },
            )];
            if let Some(input) = s.form.input(setting) {
                if selected {
                    spans.extend(input.spans(true, style::warn()).spans);
                }
                if input.value().is_empty() {
                    // A hint, not a value: dim and italic, also beside the cursor.
                    // Cut with "…" where the pane is narrow; the cursor cell comes first.
                    let room = value_room.saturating_sub(usize::from(selected));
                    spans.push(Span::raw(cut(placeholder(setting), room)).dim().italic());
                } else if !selected {
                    spans.extend(input.spans(false, style::warn()).spans);
                }
            } else if selected {
                let hint = if setting.has_picker() {
                    format!(" {pick}: several")
                } else {
                    String::new()
                };
                // Long lists end in "…" (the picker shows them whole), keeping ▶ and the hint.
                let room = value_room.saturating_sub(4 + hint.chars().count()).max(8);
                spans.push(Span::styled(
                    format!("◀ {} ▶", cut(&s.form.value(setting, meters), room)),
                    style::accent(),
                ));
                spans.push(Span::raw(hint).dim());
            } else {
                spans.push(Span::raw(cut(&s.form.value(setting, meters), value_room)));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(style::border(focused))
                .title(if collapsed {
                    format!(" Query · {}/{n} ↑↓ ", at + 1)
                } else {
                    " Query ".to_string()
                }),
        ),
        area,
    );
}

fn placeholder(s: Setting) -> &'static str {
    match s {
        Setting::From => "e.g. 2026-11-01 or 2026-11-01T09:00:00Z",
        Setting::To => "e.g. 2026-11-30 (included)",
        Setting::Account => "any · e.g. ACME, GLOBEX",
        _ => "none · e.g. region=eu,us; user=bob",
    }
}

fn draw_result(s: &UsageScreen, frame: &mut Frame, area: Rect) {
    let mut title = vec![Span::raw(if s.chart { " Chart " } else { " Result " })];
    let block = |title: Vec<Span<'static>>| {
        Block::default()
            .borders(Borders::ALL)
            .border_style(style::border(s.on_result))
            .title(Line::from(title))
    };
    match &s.result {
        None => frame.render_widget(
            Paragraph::new("Enter runs the query").block(block(title)),
            area,
        ),
        Some(QueryState::Running { .. }) => {
            frame.render_widget(Paragraph::new("querying…").block(block(title)), area)
        }
        Some(QueryState::Failed(e)) => frame.render_widget(
            Paragraph::new(Span::styled(
                format!("the query failed: {e}"),
                style::error(),
            ))
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block(title)),
            area,
        ),
        Some(QueryState::Refused(e)) => frame.render_widget(
            Paragraph::new(Span::styled(format!("not run: {e}"), style::warn()))
                .wrap(ratatui::widgets::Wrap { trim: false })
                .block(block(title)),
            area,
        ),
        Some(QueryState::Done {
            table,
            has_more,
            aggregated,
        }) => {
            let n = table.rows.len();
            title.push(Span::raw(format!(
                "· {n} {} ",
                if n == 1 { "row" } else { "rows" }
            )));
            if *has_more {
                title.push(Span::styled(" more data: narrow the query ", style::warn()));
            }
            if table.is_empty() {
                frame.render_widget(
                    Paragraph::new("no usage in this period").block(block(title)),
                    area,
                );
            } else if s.chart {
                draw_chart(table, *aggregated, frame, area, block(title));
            } else {
                draw_table(table, s.row, s.col, frame, area, block(title));
            }
        }
    }
}

fn draw_table(
    t: &UsageTable,
    row: usize,
    col: usize,
    frame: &mut Frame,
    area: Rect,
    block: Block<'static>,
) {
    let widths: Vec<u16> = t
        .columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let longest = t
                .rows
                .iter()
                .take(200)
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
                .max(name.chars().count());
            // Wide enough for a whole UUID; a longer value ends in `…`.
            longest.min(36) as u16
        })
        .collect();
    // The columns from `col` that fit (at least one), one space apart.
    let room = area.width.saturating_sub(2);
    let col = col.min(t.columns.len().saturating_sub(1));
    let mut end = col;
    let mut used = 0u16;
    while end < t.columns.len() && (end == col || used + widths[end] <= room) {
        used += widths[end] + 1;
        end += 1;
    }
    let block = if col > 0 || end < t.columns.len() {
        block.title_bottom(Line::from(format!(
            " columns {}–{} of {} (←/→ on the result) ",
            col + 1,
            end,
            t.columns.len()
        )))
    } else {
        block
    };
    let shown = col..end;
    let header = Row::new(
        t.columns[shown.clone()]
            .iter()
            .map(|c| Cell::from(c.clone())),
    )
    .bold();
    let rows = t.rows.iter().map(|r| {
        Row::new(shown.clone().map(|c| {
            let v = crate::tui::widgets::text::cut(&r[c], widths[c] as usize);
            if t.numeric[c] {
                Cell::from(Line::from(v).right_aligned())
            } else {
                Cell::from(v)
            }
        }))
    });
    let table = Table::new(rows, shown.clone().map(|c| Constraint::Length(widths[c])))
        .header(header)
        .block(block)
        .row_highlight_style(style::selected());
    let mut state = TableState::default().with_selected(Some(row));
    frame.render_stateful_widget(table, area, &mut state);
}
