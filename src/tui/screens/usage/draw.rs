//! Drawing the usage explorer: the settings, then the result as a table or a chart.

use super::{QueryState, UsageScreen};
use crate::m3ter::usage_table::UsageTable;
use crate::tui::state::Ctx;
use crate::tui::style;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, TableState,
};
use ratatui::Frame;

pub fn draw(s: &UsageScreen, _ctx: &Ctx, frame: &mut Frame, area: Rect) {
    let wide = area.width >= 110;
    let settings_n = s.form.settings().len() as u16;
    let (settings_area, result_area) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Length(42), Constraint::Fill(1)]).areas(area);
        (a, b)
    } else {
        let [a, b] =
            Layout::vertical([Constraint::Length(settings_n + 2), Constraint::Fill(1)]).areas(area);
        (a, b)
    };
    draw_settings(s, frame, settings_area);
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
        r
    } else {
        result_area
    };
    draw_result(s, frame, result_area);
}

fn draw_settings(s: &UsageScreen, frame: &mut Frame, area: Rect) {
    let focused = !s.on_result && s.export.is_none();
    let lines: Vec<Line> = s
        .form
        .settings()
        .into_iter()
        .enumerate()
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
            if setting.is_text() {
                let input = match setting {
                    super::form::Setting::From => &s.form.from,
                    super::form::Setting::To => &s.form.to,
                    super::form::Setting::Account => &s.form.account,
                    _ => &s.form.dimension,
                };
                if input.value().is_empty() && !selected {
                    spans.push(Span::raw(placeholder(setting)).dim());
                } else {
                    spans.extend(input.spans(selected, style::warn()).spans);
                }
            } else if selected {
                spans.push(Span::styled(
                    format!("◀ {} ▶", s.form.value(setting)),
                    style::accent(),
                ));
            } else {
                spans.push(Span::raw(s.form.value(setting)));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(style::border(focused))
                .title(" Query "),
        ),
        area,
    );
}

fn placeholder(s: super::form::Setting) -> &'static str {
    use super::form::Setting::*;
    match s {
        From => "2026-11-01 or a date-time",
        To => "2026-11-30 (included)",
        Account => "any account",
        _ => "field=value,value",
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
        Some(QueryState::Running) => {
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
        Some(QueryState::Done { table, has_more }) => {
            title.push(Span::raw(format!("· {} rows ", table.rows.len())));
            if *has_more {
                title.push(Span::styled(" more data: narrow the query ", style::warn()));
            }
            if table.is_empty() {
                frame.render_widget(
                    Paragraph::new("no usage in this period").block(block(title)),
                    area,
                );
            } else if s.chart {
                draw_chart(table, frame, area, block(title));
            } else {
                draw_table(table, s.row, frame, area, block(title));
            }
        }
    }
}

fn draw_table(t: &UsageTable, row: usize, frame: &mut Frame, area: Rect, block: Block<'static>) {
    let widths: Vec<Constraint> = t
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
            Constraint::Length(longest.min(32) as u16)
        })
        .collect();
    let header = Row::new(t.columns.iter().map(|c| Cell::from(c.clone()))).bold();
    let rows = t.rows.iter().map(|r| {
        Row::new(r.iter().enumerate().map(|(c, v)| {
            if t.numeric[c] {
                Cell::from(Line::from(v.clone()).right_aligned())
            } else {
                Cell::from(v.clone())
            }
        }))
    });
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .row_highlight_style(style::selected());
    let mut state = TableState::default().with_selected(Some(row));
    frame.render_stateful_widget(table, area, &mut state);
}

const COLOURS: [fn() -> Style; 4] = [style::accent, style::ok, style::warn, style::error];

fn draw_chart(t: &UsageTable, frame: &mut Frame, area: Rect, block: Block<'static>) {
    let series = t.series();
    if series.is_empty() {
        frame.render_widget(
            Paragraph::new(
                "nothing to chart: the rows have no time column (group by time, or list raw measurements)",
            )
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block),
            area,
        );
        return;
    }
    let points: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .map(|(t, v)| (t.timestamp() as f64, *v))
                .collect()
        })
        .collect();
    let all = || points.iter().flatten();
    let (x0, x1) = all().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = all().fold((0f64, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let x1 = if x1 <= x0 { x0 + 1.0 } else { x1 };
    let y1 = if y1 <= y0 { y0 + 1.0 } else { y1 };
    let datasets: Vec<Dataset> = series
        .iter()
        .zip(&points)
        .take(COLOURS.len())
        .enumerate()
        .map(|(i, (s, p))| {
            Dataset::default()
                .name(s.column.clone())
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(COLOURS[i]())
                .data(p)
        })
        .collect();
    let date = |secs: f64| {
        chrono::DateTime::from_timestamp(secs as i64, 0)
            .map(|d| d.format("%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let chart = Chart::new(datasets)
        .block(block)
        .x_axis(
            Axis::default()
                .bounds([x0, x1])
                .labels([date(x0), date(x1)]),
        )
        .y_axis(
            Axis::default()
                .bounds([y0, y1 * 1.05])
                .labels([format!("{y0}"), format!("{:.0}", y1)]),
        );
    frame.render_widget(chart, area);
}
