//! Sending: the panel's measurement checked (Simple rows or the Advanced diagnostic), logged as
//! pending — on disk too, before any answer — and submitted on a task.

use super::advanced::Diagnostic;
use super::{draft, Focus, Mode, SubmitScreen};
use crate::m3ter::Measurement;
use crate::tui::log;
use crate::tui::msg::{Msg, SubmitError};
use crate::tui::state::Ctx;
use serde_json::Value;

impl SubmitScreen {
    pub(super) fn submit(&mut self, ctx: &mut Ctx) {
        if self.pending.is_some() {
            ctx.error("still sending the last measurement…");
            return;
        }
        let m = match self.mode {
            Mode::Simple => {
                let d = self.simple.draft();
                let codes = ctx.account_codes();
                let known = (!codes.is_empty()).then_some(codes.as_slice());
                let errors = draft::row_errors(&self.meter, &d, known);
                if let Some((row, e)) = errors
                    .iter()
                    .enumerate()
                    .find_map(|(i, e)| e.as_ref().map(|e| (i, e.clone())))
                {
                    self.simple.focus = row;
                    self.simple.tried = true;
                    self.focus = Focus::Form;
                    ctx.error(format!("not sent: {e}"));
                    return;
                }
                let v = draft::to_value(&self.meter, &d, false);
                match draft::check(&v, &self.meters) {
                    Ok(m) => m,
                    Err(e) => {
                        ctx.error(format!("not sent: {e}"));
                        return;
                    }
                }
            }
            Mode::Advanced => match &self.advanced.diagnostic {
                Diagnostic::Valid(m) => (**m).clone(),
                other => {
                    ctx.error(format!("not sent: {}", other.text()));
                    return;
                }
            },
        };
        self.send(ctx, m);
    }

    pub(super) fn send(&mut self, ctx: &mut Ctx, m: Measurement) {
        let uid = m.uid.clone().unwrap_or_default();
        let id = send(ctx, m);
        self.pending = Some((id, uid));
        ctx.info("sending…");
    }
}

/// Logs the measurement as pending and submits it on a task; returns the log id.
pub fn send(ctx: &mut Ctx, m: Measurement) -> u64 {
    let value = serde_json::to_value(&m).unwrap_or(Value::Null);
    let id = ctx.log.push_pending(ctx.now(), value);
    // On record before the answer: closing the console mid-send must not lose it.
    if let Some(entry) = ctx.log.get(id) {
        log::save(ctx, entry);
    }
    let client = ctx.client.clone();
    ctx.spawn(async move {
        let result = client
            .submit(std::slice::from_ref(&m))
            .await
            .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
            .map_err(SubmitError::from);
        Msg::Submitted { id, result }
    });
    id
}
