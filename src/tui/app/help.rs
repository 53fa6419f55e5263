//! The `?`/F1 overlay and the bottom bar, both drawn from the same key tables (the focused
//! view's, then the global one), so what the bar promises the help explains and the keys do.

use crate::tui::keys::tables::HELP_OVERLAY;
use crate::tui::keys::{Action, KeyBinding, Keymap};
use crate::tui::style;
use crate::tui::widgets::text::wrap;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table};
use ratatui::Frame;
use std::cell::Cell as StdCell;

/// The overlay's state: open or not, and how far it is scrolled.
#[derive(Debug, Default)]
pub struct HelpOverlay {
    pub open: bool,
    /// First row shown.
    scroll: u16,
    /// The largest useful `scroll` and the rows shown at the last draw (only drawing knows the
    /// size).
    max: StdCell<u16>,
    page: StdCell<u16>,
}

impl HelpOverlay {
    pub fn show(&mut self) {
        self.open = true;
        self.scroll = 0;
        // Until the first draw says otherwise, let the keys scroll freely.
        self.max.set(u16::MAX);
        self.page.set(10);
    }

    /// An action of [`HELP_OVERLAY`] while the overlay is open: close it, or scroll it.
    pub fn action(&mut self, a: Action) {
        let page = self.page.get().max(1) as i32;
        match a {
            Action::Help | Action::Back => self.open = false,
            Action::Up => self.scroll_by(-1),
            Action::Down => self.scroll_by(1),
            Action::PageUp => self.scroll_by(-page),
            Action::PageDown => self.scroll_by(page),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll = self.max.get(),
            _ => {}
        }
    }

    pub fn scroll_by(&mut self, delta: i32) {
        let to = (self.scroll as i32 + delta).clamp(0, self.max.get() as i32);
        self.scroll = to as u16;
    }

    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        title: &str,
        keymap: &Keymap,
        tables: &[&[KeyBinding]],
        typing: bool,
    ) {
        let (max, page) = draw_help(frame, area, title, keymap, tables, typing, self.scroll);
        self.max.set(max);
        self.page.set(page);
    }
}

/// The label of the first binding of `action` in the overlay's own table.
fn overlay_key(keymap: &Keymap, action: Action, printable: bool) -> String {
    HELP_OVERLAY
        .iter()
        .find(|b| b.action == action)
        .map(|b| {
            keymap
                .keys(b)
                .iter()
                .find(|k| k.is_printable() == printable)
                .or_else(|| keymap.keys(b).first())
                .map(|k| k.label())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// The help popup: every binding of every table, from row `scroll` on; a sentence too long for
/// the popup wraps onto the next rows, so nothing is cut. While a text input has focus, the
/// keys that would be typed instead are dimmed and say so. When the list does not fit, the
/// bottom border says `more ↓` and the caller scrolls. Returns the largest useful `scroll` and
/// the rows shown (a page).
pub fn draw_help(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    keymap: &Keymap,
    tables: &[&[KeyBinding]],
    typing: bool,
    scroll: u16,
) -> (u16, u16) {
    let width = 84.min(area.width);
    const KEYS_W: u16 = 14;
    let text_w = width.saturating_sub(KEYS_W + 3) as usize;
    let mut rows = Vec::new();
    let mut seen: Vec<Action> = Vec::new();
    for table in tables {
        // A later table (the global one) may repeat an action a view already explained.
        let before = seen.clone();
        for b in table.iter() {
            if before.contains(&b.action) {
                continue;
            }
            seen.push(b.action);
            let now = keymap.label_for(b, true);
            let (keys, help, dim) = if !typing {
                (keymap.label(b), b.help.to_string(), false)
            } else if b.in_text && !now.is_empty() {
                (now, b.help.to_string(), false)
            } else {
                (
                    keymap.label(b),
                    format!("{} (not while typing)", b.help),
                    true,
                )
            };
            for (i, part) in wrap(&help, text_w).into_iter().enumerate() {
                let k = if i == 0 { keys.clone() } else { String::new() };
                let row = if dim {
                    Row::new(vec![
                        Cell::from(Span::raw(k).dim()),
                        Cell::from(Span::raw(part).dim()),
                    ])
                } else {
                    Row::new(vec![
                        Cell::from(Span::styled(k, style::key())),
                        Cell::from(Span::raw(part)),
                    ])
                };
                rows.push(row);
            }
        }
    }
    let total = rows.len() as u16;
    let height = (total + 2).min(area.height);
    let shown = height.saturating_sub(2);
    let max_scroll = total.saturating_sub(shown);
    let scroll = scroll.min(max_scroll);
    let rows: Vec<Row> = rows.into_iter().skip(scroll as usize).collect();
    let mut hints = Vec::new();
    if scroll > 0 {
        hints.push("↑ more".to_string());
    }
    if scroll < max_scroll {
        hints.push("more ↓".to_string());
    }
    if !hints.is_empty() {
        hints.push(format!(
            "{}/{}/{} scroll",
            overlay_key(keymap, Action::Down, true),
            overlay_key(keymap, Action::Up, true),
            overlay_key(keymap, Action::PageDown, false),
        ));
    }
    let close = HELP_OVERLAY
        .iter()
        .find(|b| b.action == Action::Help)
        .map(|b| keymap.label(b))
        .unwrap_or_default();
    hints.push(format!("{close} close"));
    let popup = style::popup(area, width, height);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style::border(true))
        .title(format!(" Keys · {title} "))
        .title_bottom(Line::from(format!(" {} ", hints.join(" · "))).right_aligned());
    let table = Table::new(rows, [Constraint::Length(KEYS_W), Constraint::Fill(1)]).block(block);
    frame.render_widget(table, popup);
    (max_scroll, shown)
}

/// The bottom bar: the `bar` bindings that work right now, `key label` pairs, in the terminal's
/// own colours. When they do not fit, the view's last ones give way first (the global keys,
/// help above all, stay).
pub fn draw_bar(
    frame: &mut Frame,
    area: Rect,
    keymap: &Keymap,
    view: &[&[KeyBinding]],
    global: &[KeyBinding],
    typing: bool,
) {
    let mut seen: Vec<Action> = Vec::new();
    let mut pick = |bindings: Vec<&KeyBinding>| -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        for b in bindings {
            if !b.bar || !keymap.active(b, typing) || seen.contains(&b.action) {
                continue;
            }
            seen.push(b.action);
            out.push((keymap.label_for(b, typing), b.label));
        }
        out
    };
    let own = pick(view.iter().flat_map(|t| t.iter()).collect());
    let global = pick(global.iter().collect());
    // What gives way when the bar is short: the view's later keys first, then the global ones
    // but help; the view's first key (its main action) and help stay longest.
    let help_at = global.iter().position(|(_, l)| *l == "help");
    let mut order: Vec<(bool, usize)> = Vec::new();
    if !own.is_empty() {
        order.push((true, 0));
    }
    order.extend(help_at.map(|h| (false, h)));
    order.extend(
        (0..global.len())
            .filter(|i| Some(*i) != help_at)
            .map(|i| (false, i)),
    );
    order.extend((1..own.len()).map(|i| (true, i)));
    let item = |(is_own, i): (bool, usize)| if is_own { &own[i] } else { &global[i] };
    let mut used = 0usize;
    let mut keep: Vec<(bool, usize)> = Vec::new();
    for o in order {
        let (k, l) = item(o);
        let w = k.chars().count() + l.chars().count() + 3;
        if used + w <= area.width as usize + 2 {
            used += w;
            keep.push(o);
        }
    }
    keep.sort_by_key(|(is_own, i)| (!is_own, *i));
    let own: Vec<&(String, &str)> = keep.iter().filter(|o| o.0).map(|o| item(*o)).collect();
    let global: Vec<&(String, &str)> = keep.iter().filter(|o| !o.0).map(|o| item(*o)).collect();
    let mut spans = Vec::new();
    for (k, l) in own.into_iter().chain(global) {
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k.clone(), style::key()));
        spans.push(Span::raw(format!(" {l}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
