//! The first screen: the org's products (in the server's order, as the CLI lists them), plus a
//! "Global meters" entry for meters that belong to no product. Enter opens the meters of the
//! chosen one.

use super::meters::MetersScreen;
use super::{Outcome, Screen, ScreenKind};
use crate::m3ter::Product;
use crate::tui::keys::tables::{FILTERING, LIST_ACTIONS, NAV};
use crate::tui::keys::{Action, Input, Tables};
use crate::tui::state::{Ctx, Loadable};
use crate::tui::widgets::list::{column_widths, FilterList, ListEvent};
use crate::tui::widgets::text::cut;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row};
use ratatui::Frame;

pub const GLOBAL_LABEL: &str = "◆ Global meters";

const KEYS: Tables = &[NAV, LIST_ACTIONS];

#[derive(Default)]
pub struct ProductsScreen {
    list: FilterList,
}

/// A row of the list: a product, or the global-meters entry (`None`).
fn rows(ctx: &Ctx) -> Vec<Option<&Product>> {
    let mut out = vec![None];
    if let Some(ps) = ctx.products.get() {
        out.extend(ps.iter().map(Some));
    }
    out
}

fn haystack(p: &Option<&Product>) -> String {
    match p {
        None => "global meters".into(),
        Some(p) => format!(
            "{} {}",
            p.name.as_deref().unwrap_or(""),
            p.code.as_deref().unwrap_or("")
        ),
    }
}

impl ProductsScreen {
    pub fn new() -> Self {
        Self::default()
    }

    fn meter_count(ctx: &Ctx, product: Option<&Product>) -> String {
        let Some(meters) = ctx.meters.get() else {
            return String::new();
        };
        let n = meters
            .iter()
            .filter(|m| match product {
                None => m.is_global(),
                Some(p) => m.product_id.as_deref() == Some(p.id.as_str()),
            })
            .count();
        n.to_string()
    }
}

impl Screen for ProductsScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Products
    }

    fn title(&self) -> String {
        "Products".into()
    }

    fn keys(&self) -> Tables {
        if self.list.typing() {
            &[FILTERING]
        } else {
            KEYS
        }
    }

    fn typing(&self) -> bool {
        self.list.typing()
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        if let Input::Action(Action::Refresh) = input {
            ctx.load_products();
            ctx.load_meters();
            return Outcome::Consumed;
        }
        let all = rows(ctx);
        let hay: Vec<String> = all.iter().map(haystack).collect();
        let visible = self.list.visible(&hay);
        match self.list.update(&input, visible.len()) {
            ListEvent::Ignored => Outcome::Ignored,
            ListEvent::Changed => Outcome::Consumed,
            ListEvent::Chosen => {
                let Some(&i) = visible.get(self.list.selected) else {
                    return Outcome::Consumed;
                };
                Outcome::Push(Box::new(MetersScreen::new(all[i].cloned())))
            }
        }
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let all = rows(ctx);
        let hay: Vec<String> = all.iter().map(haystack).collect();
        let visible = self.list.visible(&hay);
        let widths = [
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(7),
        ];
        let w = column_widths(area, &widths);
        let table_rows: Vec<Row> = visible
            .iter()
            .map(|&i| {
                let p = all[i];
                let (name, code) = match p {
                    None => (GLOBAL_LABEL.to_string(), "(no product)".to_string()),
                    Some(p) => (
                        p.name.clone().unwrap_or_default(),
                        p.code.clone().unwrap_or_default(),
                    ),
                };
                Row::new(vec![
                    Cell::from(cut(&name, w[0])),
                    Cell::from(cut(&code, w[1])),
                    Cell::from(Line::from(Self::meter_count(ctx, p)).right_aligned()),
                ])
            })
            .collect();
        let header = Row::new(vec![
            Cell::from("Name"),
            Cell::from("Code"),
            Cell::from(Line::from("Meters").right_aligned()),
        ]);
        self.list
            .draw(frame, area, "Products", header, table_rows, &widths, true);
        let note = match &ctx.products {
            Loadable::Loading => Some("loading products…".to_string()),
            Loadable::Failed(e) => Some(format!("cannot load products: {e}  (r to retry)")),
            Loadable::Loaded(_) => None,
        };
        if let Some(note) = note {
            if area.height > 4 && area.width > 4 {
                let r = Rect::new(area.x + 2, area.y + area.height - 2, area.width - 4, 1);
                frame.render_widget(Paragraph::new(note), r);
            }
        }
    }
}
