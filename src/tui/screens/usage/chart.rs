//! The result as a chart: lines over time when the rows span two or more points in time (one
//! series per numeric column and group, named in the legend), otherwise bars — one group of bars
//! per category (the group keys, or the single point in time), one bar per numeric column, with
//! a legend line above. A single point never draws as a lonely dot.

use crate::m3ter::usage_table::UsageTable;
use crate::tui::style;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Chart, Dataset, GraphType, Paragraph, Wrap,
};
use ratatui::Frame;

const COLOURS: [fn() -> Style; 6] = [
    style::accent,
    style::ok,
    style::warn,
    style::json_string,
    style::json_number,
    style::error,
];

/// At most this many lines are drawn (the table has every row).
const MAX_SERIES: usize = COLOURS.len();

/// `aggregated`: the text columns are group keys (a raw measurement's are not: uid, account…).
pub fn draw_chart(
    t: &UsageTable,
    aggregated: bool,
    frame: &mut Frame,
    area: Rect,
    block: Block<'static>,
) {
    let keys = if aggregated {
        t.key_columns()
    } else {
        Vec::new()
    };
    if t.numeric_names().is_empty() {
        let note = "nothing to chart: the rows have no numeric column";
        frame.render_widget(
            Paragraph::new(note).wrap(Wrap { trim: false }).block(block),
            area,
        );
    } else if t.time_points() >= 2 {
        draw_lines(t, &keys, frame, area, block);
    } else {
        draw_bars(t, &keys, frame, area, block);
    }
}

/// A number for an axis or a bar: whole numbers as they are, others with up to 2 decimals.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn draw_lines(
    t: &UsageTable,
    keys: &[usize],
    frame: &mut Frame,
    area: Rect,
    block: Block<'static>,
) {
    let series = t.series(keys);
    let hidden = series.len().saturating_sub(MAX_SERIES);
    let block = if hidden > 0 {
        block.title_bottom(Line::from(Span::styled(
            format!(" {hidden} more series not drawn (the table has them) "),
            style::warn(),
        )))
    } else {
        block
    };
    let points: Vec<Vec<(f64, f64)>> = series
        .iter()
        .take(MAX_SERIES)
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
    // Names padded to one width: the legend box does not clear what a shorter name leaves,
    // so the lines drawn beneath would show through beside it.
    let width = series
        .iter()
        .take(MAX_SERIES)
        .map(|s| s.column.chars().count())
        .max()
        .unwrap_or(0);
    let datasets: Vec<Dataset> = series
        .iter()
        .zip(&points)
        .enumerate()
        .map(|(i, (s, p))| {
            Dataset::default()
                .name(format!("{:width$}", s.column))
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(COLOURS[i % COLOURS.len()]())
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
        .hidden_legend_constraints((Constraint::Ratio(2, 3), Constraint::Ratio(2, 3)))
        .x_axis(
            Axis::default()
                .bounds([x0, x1])
                .labels([date(x0), date(x1)]),
        )
        .y_axis(
            Axis::default()
                .bounds([y0, y1 * 1.05])
                .labels([number(y0), number(y1)]),
        );
    frame.render_widget(chart, area);
}

fn draw_bars(t: &UsageTable, keys: &[usize], frame: &mut Frame, area: Rect, block: Block<'static>) {
    let names = t.numeric_names();
    let cats = t.categories(keys);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [legend_area, bars_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    // Each category takes a row per bar, and a gap row when it has several.
    let per = names.len() + usize::from(names.len() > 1);
    let fit = ((bars_area.height as usize + 1) / per).max(1);
    let hidden = cats.len().saturating_sub(fit);
    let mut legend: Vec<Span> = Vec::new();
    for (i, n) in names.iter().enumerate() {
        legend.push(Span::styled("■ ", COLOURS[i % COLOURS.len()]()));
        legend.push(Span::raw(format!("{n}  ")));
    }
    if hidden > 0 {
        legend.push(Span::styled(
            format!("{hidden} more not shown (the table has them)"),
            style::warn(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(legend)), legend_area);
    let label_w = cats
        .iter()
        .take(fit)
        .map(|c| c.0.chars().count())
        .max()
        .unwrap_or(0)
        .min(bars_area.width as usize / 3);
    let mut chart = BarChart::default()
        .direction(Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        // One bar per category needs no gap; several do, to keep categories apart.
        .group_gap(u16::from(names.len() > 1));
    for (label, values) in cats.iter().take(fit) {
        let label: String = label.chars().take(label_w).collect();
        let bars: Vec<Bar> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                Bar::default()
                    // Heights are relative: thousandths keep fractions apart.
                    .value((v.max(0.0) * 1000.0).round() as u64)
                    .text_value(number(*v))
                    .label(Line::from(if i == 0 {
                        label.clone()
                    } else {
                        String::new()
                    }))
                    .style(COLOURS[i % COLOURS.len()]())
                    .value_style(style::selected())
            })
            .collect();
        chart = chart.data(BarGroup::default().bars(&bars));
    }
    frame.render_widget(chart, bars_area);
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_read_short() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(0.126), "0.13");
        assert_eq!(number(-3.0), "-3");
    }
}
