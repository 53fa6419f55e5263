//! Drawing the panel: the head line, the Simple form or the Advanced editor, the log pane, and
//! a question when one waits. On a small terminal the input wins the space first: the log
//! shrinks, then hides (the zoom key shows either pane alone).

use super::{log_pane, Focus, Mode, Question, SubmitScreen};
use crate::tui::state::Ctx;
use crate::tui::style;
use crate::tui::widgets::text::fit_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// The fewest rows the Advanced editor needs: head, borders, three lines, the diagnostic.
const ADVANCED_MIN: u16 = 8;
/// The fewest rows a log pane is worth: borders and two lines.
const LOG_MIN: u16 = 4;

impl SubmitScreen {
    pub(super) fn draw_panel(&self, ctx: &Ctx, frame: &mut Frame, area: Rect, zoomed: bool) {
        let codes = ctx.account_codes();
        let form_focused = self.focus == Focus::Form;
        let (panel, log) = if zoomed {
            match self.focus {
                Focus::Form => (area, Rect::default()),
                Focus::Log => (Rect::default(), area),
            }
        } else if area.width >= 120 {
            let [p, l] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(area);
            (p, l)
        } else {
            let form_h = self
                .simple
                .height(&self.meter, form_focused, (ctx.clock)(), area.width)
                + 1;
            let (want, min) = match self.mode {
                // Simple: the form takes what it needs and the log the rest.
                Mode::Simple => (area.height.saturating_sub(form_h), form_h.min(6)),
                // Advanced: the log a third.
                Mode::Advanced => (area.height / 3, ADVANCED_MIN),
            };
            let mut log_h = want.max(LOG_MIN).min(area.height.saturating_sub(min));
            if log_h < LOG_MIN {
                log_h = 0;
            }
            let [p, l] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(log_h)]).areas(area);
            (p, l)
        };
        self.log_area.set(log);
        if panel.height > 0 {
            let [head, body] =
                Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(panel);
            self.form_area.set(body);
            frame.render_widget(
                Paragraph::new(fit_line(
                    self.head(ctx, log.height == 0),
                    head.width as usize,
                )),
                head,
            );
            match self.mode {
                Mode::Simple => self.simple.draw(
                    frame,
                    body,
                    &self.meter,
                    &codes,
                    form_focused,
                    (ctx.clock)(),
                ),
                Mode::Advanced => self.advanced.draw(frame, body, &self.meter, form_focused),
            }
        } else {
            self.form_area.set(Rect::default());
        }
        if log.height > 0 {
            *self.log_rows.borrow_mut() =
                log_pane::draw(frame, log, ctx, &self.log_view, self.focus == Focus::Log);
        } else {
            self.log_rows.borrow_mut().clear();
        }
        if let Some(q) = &self.question {
            draw_question(frame, area, ctx, q);
        }
    }

    fn head(&self, ctx: &Ctx, log_hidden: bool) -> Line<'static> {
        let mode = match self.mode {
            Mode::Simple => "Simple",
            Mode::Advanced => "Advanced",
        };
        let mut spans = vec![
            Span::raw(" Submit usage · ").bold(),
            Span::raw(format!(
                "{} ({})",
                self.meter.name.as_deref().unwrap_or(""),
                self.meter.code.as_deref().unwrap_or("")
            )),
            Span::raw(" · "),
            Span::styled(mode, style::accent().add_modifier(Modifier::BOLD)),
        ];
        if self.pending.is_some() {
            let spin = ["◐", "◓", "◑", "◒"][(ctx.ticks % 4) as usize];
            spans.push(Span::styled(format!("  {spin} sending…"), style::warn()));
        } else if let Some(code) = &self.checking {
            spans.push(Span::styled(format!("  checking {code}…"), style::warn()));
        }
        if log_hidden && !ctx.log.entries.is_empty() {
            spans.push(Span::raw("  (log hidden)").dim());
        }
        Line::from(spans)
    }
}

/// The question over the middle of the screen: what will happen, and y / n.
fn draw_question(frame: &mut Frame, area: Rect, ctx: &Ctx, q: &Question) {
    let (title, lines) = match q {
        Question::Resend { request, why, .. } => (
            " Resend? ",
            vec![
                format!("Send this measurement again for {}?", who(request)),
                why.clone(),
            ],
        ),
        Question::Replace { request, why, .. } => (
            " Replace the draft? ",
            vec![
                format!("Load the measurement for {} into the editor?", who(request)),
                "What the panel holds now is replaced.".to_string(),
                why.clone(),
            ],
        ),
    };
    let yes = crate::tui::keys::tables::label_of(&ctx.keymap, super::keys::CONFIRM, 0);
    let no = crate::tui::keys::tables::label_of(&ctx.keymap, super::keys::CONFIRM, 1);
    let mut text: Vec<Line> = lines.into_iter().map(Line::from).collect();
    text.push(Line::from(""));
    text.push(Line::from(vec![
        Span::styled(yes, style::key()),
        Span::raw(" yes · "),
        Span::styled(no, style::key()),
        Span::raw(" no"),
    ]));
    let width = area.width.min(72);
    let inner_w = width.saturating_sub(2) as usize;
    let height: u16 = text
        .iter()
        .map(|l| (l.width().max(1).div_ceil(inner_w.max(1))) as u16)
        .sum::<u16>()
        + 2;
    let r = style::popup(area, width, height);
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style::warn())
        .title(title);
    frame.render_widget(
        Paragraph::new(text).block(block).wrap(Wrap { trim: false }),
        r,
    );
}

/// `meter for ACCOUNT`, from a measurement's JSON.
fn who(request: &serde_json::Value) -> String {
    let s = |k: &str| request.get(k).and_then(|v| v.as_str()).unwrap_or("?");
    format!("{} / {}", s("meter"), s("account"))
}
