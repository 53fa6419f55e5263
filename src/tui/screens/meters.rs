//! The meters of one product (or the global meters), with the selected meter's data fields
//! shown beside (wide) or under (narrow) the list. Enter opens the Submit usage panel.

use super::meter_detail::MeterDetailScreen;
use super::submit::SubmitScreen;
use super::{Outcome, Screen, ScreenKind};
use crate::m3ter::{Meter, Product};
use crate::tui::keys::tables::{FILTERING, LIST_ACTIONS, NAV};
use crate::tui::keys::{Action, Input, Key, KeyBinding, Tables};
use crate::tui::state::{Ctx, Loadable};
use crate::tui::style;
use crate::tui::widgets::list::{column_widths, FilterList, ListEvent};
use crate::tui::widgets::text::cut;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

const DETAILS: KeyBinding = KeyBinding::new(
    &[Key::ch('d')],
    Action::Details,
    "details",
    "The meter's details, code samples and CSV template",
)
.bar();
const USAGE: KeyBinding = KeyBinding::new(
    &[Key::ch('U')],
    Action::Usage,
    "usage",
    "The usage explorer for the selected meter",
);
const OWN: &[KeyBinding] = &[DETAILS, USAGE];

pub struct MetersScreen {
    /// `None`: the global meters.
    product: Option<Product>,
    list: FilterList,
}

impl MetersScreen {
    pub fn new(product: Option<Product>) -> Self {
        Self {
            product,
            list: FilterList::default(),
        }
    }

    fn product_name(&self) -> String {
        match &self.product {
            None => "Global meters".into(),
            Some(p) => p
                .name
                .clone()
                .or_else(|| p.code.clone())
                .unwrap_or_default(),
        }
    }

    fn meters<'c>(&self, ctx: &'c Ctx) -> Vec<&'c Meter> {
        let mut ms: Vec<&Meter> = ctx
            .meters
            .get()
            .map(|ms| {
                ms.iter()
                    .filter(|m| match &self.product {
                        None => m.is_global(),
                        Some(p) => m.product_id.as_deref() == Some(p.id.as_str()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        ms.sort_by_key(|m| m.name.clone().unwrap_or_default().to_lowercase());
        ms
    }

    fn visible<'c>(&self, ctx: &'c Ctx) -> Vec<&'c Meter> {
        let ms = self.meters(ctx);
        let hay: Vec<String> = ms
            .iter()
            .map(|m| {
                format!(
                    "{} {}",
                    m.name.as_deref().unwrap_or(""),
                    m.code.as_deref().unwrap_or("")
                )
            })
            .collect();
        self.list.visible(&hay).into_iter().map(|i| ms[i]).collect()
    }
}

impl Screen for MetersScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Meters
    }

    fn title(&self) -> String {
        self.product_name()
    }

    fn keys(&self) -> Tables {
        if self.list.typing() {
            &[FILTERING]
        } else {
            &[NAV, LIST_ACTIONS, OWN]
        }
    }

    fn typing(&self) -> bool {
        self.list.typing()
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        if let Input::Action(Action::Refresh) = input {
            ctx.load_meters();
            return Outcome::Consumed;
        }
        let visible = self.visible(ctx);
        if let Input::Action(a @ (Action::Details | Action::Usage)) = input {
            let Some(m) = visible.get(self.list.selected) else {
                return Outcome::Consumed;
            };
            return match a {
                Action::Details => {
                    Outcome::Push(Box::new(MeterDetailScreen::new(ctx, (*m).clone())))
                }
                _ => Outcome::Usage {
                    meter: m.code.clone(),
                    account: None,
                },
            };
        }
        match self.list.update(&input, visible.len()) {
            ListEvent::Ignored => Outcome::Ignored,
            ListEvent::Changed => Outcome::Consumed,
            ListEvent::Chosen => match visible.get(self.list.selected) {
                Some(m) => {
                    let meter = (*m).clone();
                    Outcome::Push(Box::new(SubmitScreen::new(ctx, meter)))
                }
                None => Outcome::Consumed,
            },
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let visible = self.visible(ctx);
        let wide = area.width >= 110;
        let [list_area, fields_area] = if wide {
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area)
        } else {
            // Room for the selected meter's fields, but never more than half, and the list
            // keeps at least two rows (the list comes first on a small terminal).
            let n = visible
                .get(self.list.selected)
                .map_or(0, |m| m.data_fields.len()) as u16;
            let fields_h = (n + 3).min(area.height / 2).max(3);
            let fields_h = fields_h.min(area.height.saturating_sub(5));
            Layout::vertical([Constraint::Fill(1), Constraint::Length(fields_h)]).areas(area)
        };
        let widths = [
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(6),
        ];
        let w = column_widths(list_area, &widths);
        let rows: Vec<Row> = visible
            .iter()
            .map(|m| {
                Row::new(vec![
                    Cell::from(cut(m.name.as_deref().unwrap_or_default(), w[0])),
                    Cell::from(cut(m.code.as_deref().unwrap_or_default(), w[1])),
                    Cell::from(Line::from(m.data_fields.len().to_string()).right_aligned()),
                ])
            })
            .collect();
        let title = format!("Meters · {}", self.product_name());
        self.list.draw(
            frame,
            list_area,
            &title,
            Row::new(vec![
                Cell::from("Name"),
                Cell::from("Code"),
                Cell::from(Line::from("Fields").right_aligned()),
            ]),
            rows,
            &widths,
            true,
        );
        let empty_note = match &ctx.meters {
            Loadable::Loading => Some("loading meters…".to_string()),
            Loadable::Failed(e) => Some(format!("cannot load meters: {e}  (r to retry)")),
            Loadable::Loaded(_) if visible.is_empty() => Some("no meters here".to_string()),
            _ => None,
        };
        if let Some(note) = empty_note {
            if list_area.height > 3 && list_area.width > 4 {
                let r = Rect::new(list_area.x + 2, list_area.y + 2, list_area.width - 4, 1);
                frame.render_widget(Paragraph::new(note), r);
            }
        }
        draw_fields(frame, fields_area, visible.get(self.list.selected).copied());
    }
}

/// The selected meter's data fields: code, name, category, unit.
fn draw_fields(frame: &mut Frame, area: Rect, meter: Option<&Meter>) {
    let title = match meter {
        Some(m) => format!(" Data fields · {} ", m.code.as_deref().unwrap_or("")),
        None => " Data fields ".into(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style::border(false))
        .title(title);
    let widths = [
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Length(9),
        Constraint::Fill(1),
    ];
    // This table has no selection mark: its columns are two cells wider than a list's.
    let w: Vec<usize> = column_widths(
        Rect {
            width: area.width + 2,
            ..area
        },
        &widths,
    );
    let rows: Vec<Row> = meter
        .map(|m| {
            m.data_fields
                .iter()
                .map(|f| {
                    Row::new(vec![
                        cut(&f.code, w[0]),
                        cut(&f.name, w[1]),
                        f.category.to_string(),
                        cut(f.unit.as_deref().unwrap_or_default(), w[3]),
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    let table = Table::new(rows, widths)
        .header(
            Row::new(vec!["Code", "Name", "Category", "Unit"])
                .style(Style::default().add_modifier(Modifier::BOLD)),
        )
        .block(block);
    frame.render_widget(table, area);
}
