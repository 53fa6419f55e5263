//! The title bar: where we are on the left (the breadcrumb, cut from the left when needed) and
//! what we talk to on the right, as a short target label (`sandbox`, `profile prod`, a host) so
//! the breadcrumb keeps the width; the full label when there is room.

use crate::tui::state::Ctx;
use crate::tui::style;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// `sandbox`, `profile prod`, or the host of a remote m3ter.
pub fn short_target(ctx: &Ctx) -> String {
    let target = &ctx.connection.target;
    if target.starts_with("sandbox:") || ctx.label.starts_with("sandbox") {
        return "sandbox".into();
    }
    if let Some(i) = ctx.label.find("profile ") {
        let name = ctx.label[i..].split(" · ").next().unwrap_or("");
        return name.to_string();
    }
    let rest = target.split("://").nth(1).unwrap_or(target);
    rest.split('/').next().unwrap_or(rest).to_string()
}

pub fn draw(frame: &mut Frame, area: Rect, ctx: &Ctx, crumbs: &[String]) {
    let style = style::title_bar();
    let bold = Style::default().add_modifier(Modifier::BOLD);
    frame.render_widget(Paragraph::new("").style(style), area);
    let width = area.width as usize;
    let full = ctx.label.clone();
    // The full label only when the breadcrumb keeps at least half the bar.
    let conn = if full.chars().count() * 2 <= width {
        full
    } else {
        short_target(ctx)
    };
    let conn = format!(" {conn} ");
    let app_name = if width >= 100 {
        " m3ter-console │"
    } else {
        ""
    };
    let room = width
        .saturating_sub(conn.chars().count() + app_name.chars().count() + 2)
        .max(1);
    let mut crumbs: Vec<String> = crumbs.to_vec();
    let mut text = crumbs.join(" › ");
    while text.chars().count() > room && crumbs.len() > 1 {
        crumbs.remove(0);
        text = format!("… › {}", crumbs.join(" › "));
    }
    if text.chars().count() > room {
        text = text
            .chars()
            .take(room.saturating_sub(1))
            .collect::<String>()
            + "…";
    }
    let line = Line::from(vec![
        Span::styled(app_name, bold),
        Span::styled(format!(" {text}"), bold),
    ]);
    let [l, r] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(conn.chars().count() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(line).style(style), l);
    frame.render_widget(Paragraph::new(conn).style(style), r);
}
