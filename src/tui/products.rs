//! The first screen: the org's products, plus a "Global meters" entry for meters that belong to
//! no product. Enter opens the meters of the chosen one.

use super::keys::{Action, Key, KeyBinding, LIST_SCREEN_KEYS};
use super::meters::MetersScreen;
use super::screen::{Input, Outcome, Screen, ScreenKind};
use super::state::{Ctx, Loadable};
use super::widgets::list::{FilterList, ListEvent, FILTER_KEYS};
use crate::m3ter::Product;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row};
use ratatui::Frame;

pub const GLOBAL_LABEL: &str = "◆ Global meters";

/// The list keys plus `A`/F9 in the bar: a first-time user looks at this screen's bar for where
/// accounts are (the binding itself is the global one, so the help explains it once).
const KEYS: [KeyBinding; 10] = [
    LIST_SCREEN_KEYS[0],
    LIST_SCREEN_KEYS[1],
    LIST_SCREEN_KEYS[2],
    LIST_SCREEN_KEYS[3],
    LIST_SCREEN_KEYS[4],
    LIST_SCREEN_KEYS[5],
    LIST_SCREEN_KEYS[6],
    LIST_SCREEN_KEYS[7],
    LIST_SCREEN_KEYS[8],
    KeyBinding::new(
        &[Key::ch('A'), Key::f(9)],
        Action::Accounts,
        "accounts",
        "Open the Accounts screen",
    )
    .bar(),
];

#[derive(Default)]
pub struct ProductsScreen {
    list: FilterList,
}

/// A row of the list: a product, or the global-meters entry (`None`).
fn rows(ctx: &Ctx) -> Vec<Option<&Product>> {
    let mut out = vec![None];
    if let Some(ps) = ctx.products.get() {
        let mut ps: Vec<&Product> = ps.iter().collect();
        ps.sort_by_key(|p| p.name.clone().unwrap_or_default().to_lowercase());
        out.extend(ps.into_iter().map(Some));
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

    fn keys(&self) -> &[KeyBinding] {
        if self.list.typing() {
            FILTER_KEYS
        } else {
            &KEYS
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
                    Cell::from(name),
                    Cell::from(code),
                    Cell::from(Self::meter_count(ctx, p)),
                ])
            })
            .collect();
        let header = Row::new(vec!["Name", "Code", "Meters"]);
        let widths = [
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(6),
        ];
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
