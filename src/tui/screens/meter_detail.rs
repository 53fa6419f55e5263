//! A meter's details, as m3ter's Console shows them: name, code, product, ID, who created and
//! changed it and when, its data fields in two groups (Measure: measure/income/cost; Dimension:
//! who/what/where/other/metadata) with units, its derived fields with their calculations; the
//! Ingest API view (the submission URL for this org and the same request in JSON, cURL,
//! JavaScript, Python and Java, each copyable); and the CSV template, written to a file the user
//! names.

use super::submit::SubmitScreen;
use super::{Outcome, Screen, ScreenKind};
use crate::m3ter::csv_template::template_csv;
use crate::m3ter::samples::{example_measurement, IngestSamples, SampleLanguage};
use crate::m3ter::Meter;
use crate::tui::keys::tables::UPLOAD;
use crate::tui::keys::{Action, Input, Key, KeyBinding, Tables};
use crate::tui::state::explore::ExploreMsg;
use crate::tui::state::{Ctx, Msg};
use crate::tui::style;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::scroll::{self, Scroll};
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::cell::Cell;

const PREV: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Left), Key::ch('h')],
    Action::Prev,
    "language",
    "Previous code sample language",
);
const NEXT: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Right), Key::ch('l')],
    Action::Next,
    "language",
    "Next code sample language",
);
const COPY: KeyBinding = KeyBinding::new(
    &[Key::ch('y')],
    Action::CopyJson,
    "copy sample",
    "Copy the code sample shown",
)
.bar();
const COPY_ID: KeyBinding = KeyBinding::new(
    &[Key::ch('i')],
    Action::CopyUid,
    "copy ID",
    "Copy the meter's ID",
)
.bar();
const COPY_URL: KeyBinding = KeyBinding::new(
    &[Key::ch('u')],
    Action::CopyCurl,
    "copy URL",
    "Copy the submission URL",
);
const TEMPLATE: KeyBinding = KeyBinding::new(
    &[Key::ch('t')],
    Action::Template,
    "CSV template",
    "Write the meter's CSV template to a file you name",
)
.bar();
const SUBMIT: KeyBinding = KeyBinding::new(
    &[Key::plain(KeyCode::Enter)],
    Action::Choose,
    "submit usage",
    "Open the Submit usage panel for this meter",
)
.bar();
const USAGE: KeyBinding = KeyBinding::new(
    &[Key::ch('U')],
    Action::Usage,
    "usage",
    "Open the usage explorer for this meter",
);
const OWN: &[KeyBinding] = &[
    SUBMIT,
    COPY,
    PREV.bar(),
    NEXT,
    TEMPLATE,
    COPY_ID,
    COPY_URL,
    USAGE,
];
const KEYS: Tables = &[OWN, scroll::KEYS];

const PROMPT_KEYS: &[KeyBinding] = &[
    KeyBinding::new(
        &[Key::plain(KeyCode::Enter)],
        Action::Choose,
        "write",
        "Write the template to this file",
    )
    .bar()
    .text(),
    KeyBinding::new(
        &[Key::plain(KeyCode::Esc)],
        Action::Back,
        "cancel",
        "Do not write",
    )
    .bar()
    .text(),
];
const PROMPT: Tables = &[PROMPT_KEYS];

pub struct MeterDetailScreen {
    meter: Meter,
    lang: usize,
    /// The samples pane (wide) or the whole page (narrow); the facts pane scrolls on its own.
    scroll: Scroll,
    info_scroll: Scroll,
    /// Where the samples start in `scroll`'s text, as last drawn (0 when they have their own
    /// pane): a language switch shows the new sample from its top.
    sample_top: Cell<u16>,
    /// The file name being typed for the CSV template.
    prompt: Option<TextInput>,
    /// The uid and ts the samples show (fixed while the screen is open, so a copy matches).
    uid: String,
    ts: String,
}

impl MeterDetailScreen {
    pub fn new(ctx: &Ctx, meter: Meter) -> Self {
        Self {
            meter,
            lang: 0,
            scroll: Scroll::default(),
            info_scroll: Scroll::default(),
            sample_top: Cell::new(0),
            prompt: None,
            uid: ctx.new_uid(),
            ts: ctx.now(),
        }
    }

    fn code(&self) -> &str {
        self.meter.code.as_deref().unwrap_or("")
    }

    /// The account the samples and the template name: one the org has, else a placeholder.
    fn account(ctx: &Ctx) -> String {
        ctx.account_codes()
            .first()
            .map(|c| c.to_string())
            .unwrap_or_else(|| "ACCOUNT_CODE".into())
    }

    fn samples(&self, ctx: &Ctx) -> IngestSamples {
        let m = example_measurement(&self.meter, &Self::account(ctx), &self.ts, &self.uid);
        IngestSamples::new(&ctx.client.config().ingest_url, ctx.org_id(), &[m])
    }

    fn language(&self) -> SampleLanguage {
        SampleLanguage::ALL[self.lang % SampleLanguage::ALL.len()]
    }

    fn product(&self, ctx: &Ctx) -> String {
        let Some(pid) = self.meter.product_id.as_deref().filter(|p| !p.is_empty()) else {
            return "(global meter)".into();
        };
        ctx.products
            .get()
            .and_then(|ps| ps.iter().find(|p| p.id == pid))
            .and_then(|p| p.name.clone().or_else(|| p.code.clone()))
            .unwrap_or_else(|| pid.to_string())
    }

    fn info_lines(&self, ctx: &Ctx) -> Vec<Line<'static>> {
        let a = &self.meter.audit;
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        let mut out = vec![
            kv("Name", self.meter.name.clone().unwrap_or_default()),
            kv("Code", self.code().to_string()),
            kv("Product", self.product(ctx)),
            kv("ID", self.meter.id.clone()),
            kv(
                "Created",
                format!("{} by {}", opt(&a.dt_created), opt(&a.created_by)),
            ),
            kv(
                "Modified",
                format!(
                    "{} by {}",
                    opt(&a.dt_last_modified),
                    opt(&a.last_modified_by)
                ),
            ),
        ];
        let groups = [("Measure", true), ("Dimension", false)];
        for (title, numeric) in groups {
            out.push(Line::from(""));
            out.push(Line::from(Span::styled(title, style::accent())));
            let fields: Vec<_> = self
                .meter
                .data_fields
                .iter()
                .filter(|f| f.category.is_numeric() == numeric)
                .collect();
            if fields.is_empty() {
                out.push(Line::from("  none").dim());
            }
            for f in fields {
                out.push(Line::from(vec![
                    Span::raw(format!("  {:<9}", f.category.as_str())).dim(),
                    Span::raw(format!("{:<20} ", f.code)),
                    Span::raw(f.name.clone()),
                    Span::raw(
                        f.unit
                            .as_ref()
                            .map(|u| format!(" ({u})"))
                            .unwrap_or_default(),
                    )
                    .dim(),
                ]));
            }
        }
        out.push(Line::from(""));
        out.push(Line::from(Span::styled("Derived fields", style::accent())));
        if self.meter.derived_fields.is_empty() {
            out.push(Line::from("  none").dim());
        }
        for d in &self.meter.derived_fields {
            out.push(Line::from(vec![
                Span::raw(format!("  {:<9}", d.category.as_str())).dim(),
                Span::raw(format!("{:<20} ", d.code)),
                Span::raw(d.name.clone()),
            ]));
            out.push(Line::from(vec![
                Span::raw("      = ").dim(),
                Span::styled(d.calculation.clone(), style::json_string()),
            ]));
        }
        out
    }

    fn sample_lines(&self, ctx: &Ctx) -> Vec<Line<'static>> {
        let samples = self.samples(ctx);
        let mut tabs = vec![Span::raw("Ingest API  ").bold()];
        for (i, l) in SampleLanguage::ALL.iter().enumerate() {
            let text = format!(" {} ", l.label());
            tabs.push(if i == self.lang % SampleLanguage::ALL.len() {
                Span::styled(text, style::selected())
            } else {
                Span::raw(text)
            });
        }
        // The footer has no room for these at 80 columns: the sample says its own keys.
        let k = |b: &KeyBinding| ctx.keymap.label(b);
        tabs.push(Span::raw(format!("  {} {}", k(&PREV), k(&NEXT))).dim());
        let mut out = vec![
            Line::from(tabs),
            Line::from(vec![
                Span::raw("POST ").dim(),
                Span::styled(samples.url.clone(), style::accent()),
            ]),
            Line::from(
                format!(
                    "{} copies the sample · {} the URL · {} writes the CSV template",
                    k(&COPY),
                    k(&COPY_URL),
                    k(&TEMPLATE)
                )
                .dim(),
            ),
            Line::from(""),
        ];
        out.extend(
            samples
                .render(self.language())
                .lines()
                .map(|l| Line::from(l.to_string())),
        );
        out
    }
}

fn kv(k: &str, v: String) -> Line<'static> {
    Line::from(vec![Span::raw(format!("{k:<9} ")).dim(), Span::raw(v)])
}

impl Screen for MeterDetailScreen {
    fn kind(&self) -> ScreenKind {
        ScreenKind::MeterDetail
    }

    fn title(&self) -> String {
        format!("Meter {}", self.code())
    }

    fn keys(&self) -> Tables {
        if self.prompt.is_some() {
            PROMPT
        } else {
            KEYS
        }
    }

    fn typing(&self) -> bool {
        self.prompt.is_some()
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: &Msg) {
        if let Msg::Explore(m) = msg {
            if let ExploreMsg::Written { what, result } = m.as_ref() {
                if what == "template" {
                    match result {
                        Ok(p) => {
                            // Filled in, it is the file to upload next: the Upload screen
                            // opens with its path.
                            ctx.last_upload_path = p.display().to_string();
                            let keys = ctx.keymap.label_for(&UPLOAD, false);
                            ctx.info(format!(
                                "CSV template written to {} (fill it in, then {keys} uploads it)",
                                p.display()
                            ))
                        }
                        Err(e) => ctx.error(format!("CSV template not written: {e}")),
                    }
                }
            }
        }
    }

    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome {
        if let Some(prompt) = &mut self.prompt {
            match input {
                Input::Action(Action::Choose) => {
                    let path = prompt.value().to_string();
                    if path.trim().is_empty() {
                        ctx.error("type a file name for the template");
                        return Outcome::Consumed;
                    }
                    let text = template_csv(&self.meter, &Self::account(ctx), &self.ts);
                    ctx.write_user_file("template", &path, text);
                    self.prompt = None;
                }
                Input::Action(Action::Back) => self.prompt = None,
                Input::Key(k) => {
                    prompt.handle_key(&k);
                }
                Input::Paste(s) => prompt.insert(&s),
                _ => return Outcome::Ignored,
            }
            return Outcome::Consumed;
        }
        if self.scroll.mouse(&input) {
            self.info_scroll.mouse(&input);
            return Outcome::Consumed;
        }
        let Input::Action(a) = input else {
            return Outcome::Ignored;
        };
        let n = SampleLanguage::ALL.len();
        match a {
            a if self.scroll.apply(a) => {
                self.info_scroll.apply(a);
            }
            Action::Prev | Action::Next => {
                let step = if a == Action::Next { 1 } else { n - 1 };
                self.lang = (self.lang + step) % n;
                self.scroll.reveal(self.sample_top.get());
            }
            Action::CopyJson => {
                ctx.copy(self.samples(ctx).render(self.language()));
                ctx.info(format!("copied the {} sample", self.language().label()));
            }
            Action::CopyUid => {
                ctx.copy(self.meter.id.clone());
                ctx.info(format!("copied the meter ID {}", self.meter.id));
            }
            Action::CopyCurl => {
                let url = self.samples(ctx).url;
                ctx.copy(url.clone());
                ctx.info(format!("copied {url}"));
            }
            Action::Template => {
                self.prompt = Some(TextInput::new(format!("{}-template.csv", self.code())));
            }
            Action::Choose => {
                return Outcome::Push(Box::new(SubmitScreen::new(ctx, self.meter.clone())))
            }
            Action::Usage => {
                return Outcome::Usage {
                    meter: Some(self.code().to_string()),
                    account: None,
                }
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }

    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        let wide = area.width >= 120;
        let info = self.info_lines(ctx);
        let samples = self.sample_lines(ctx);
        let block = |t: &str| {
            Block::default()
                .borders(Borders::ALL)
                .border_style(style::border(true))
                .title(format!(" {t} "))
        };
        let body = if let Some(p) = &self.prompt {
            let [body, prompt] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(3)]).areas(area);
            let mut line = vec![Span::raw("file: ")];
            line.extend(p.spans(true, style::warn()).spans);
            frame.render_widget(
                Paragraph::new(Line::from(line)).block(block("Write the CSV template to")),
                prompt,
            );
            body
        } else {
            area
        };
        if wide {
            let [l, r] =
                Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                    .areas(body);
            self.sample_top.set(0);
            self.info_scroll
                .render(frame, l, block(&format!("Meter {}", self.code())), info);
            // Wrapped, not cut: a long URL or line stays whole on screen (`y` copies it as is).
            self.scroll
                .render(frame, r, block("Submit measurements"), samples);
        } else {
            let width = body.width.saturating_sub(2) as usize;
            let top = crate::tui::widgets::scroll::wrap_lines(info.clone(), width).len() + 1;
            self.sample_top.set(top as u16);
            let mut all = info;
            all.push(Line::from(""));
            all.extend(samples);
            self.scroll
                .render(frame, body, block(&format!("Meter {}", self.code())), all);
        }
    }
}
