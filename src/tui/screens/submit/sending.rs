//! Sending: the panel's measurement checked (Simple rows or the Advanced diagnostic), logged as
//! pending — on disk too, before any answer — and submitted on a task.

use super::advanced::{warned_message, Diagnostic};
use super::{draft, Focus, Mode, SubmitScreen};
use crate::m3ter::{Account, Measurement};
use crate::tui::state::msg::SubmitError;
use crate::tui::state::{persistence, Ctx, Msg};
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
                let errors = draft::row_errors(&self.meter, &d, (ctx.clock)());
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
                // Only the newest accounts are preloaded: an account not among them is looked
                // up on the server before it is called unknown.
                let account = d.account.trim().to_string();
                if !ctx.account_codes().contains(&account.as_str()) {
                    self.checking = Some(account.clone());
                    ctx.check_account(&account);
                    return;
                }
                let v = draft::to_value(&self.meter, &d);
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
                Diagnostic::Many(ms) => {
                    let n = ms.len();
                    send_many(ctx, ms.clone());
                    ctx.info(format!("sending {n} measurements in one request…"));
                    return;
                }
                // m3ter accepts it and drops it later: sent on a second Ctrl+S, on purpose.
                Diagnostic::Warned { ms, warning } => {
                    let text = self.advanced.text();
                    if self.advanced.warned_text.as_deref() != Some(text.as_str()) {
                        ctx.error(format!(
                            "{}. Ctrl+S again sends it anyway",
                            warned_message(warning)
                        ));
                        self.advanced.warned_text = Some(text);
                        return;
                    }
                    self.advanced.warned_text = None;
                    match ms.as_slice() {
                        [m] => m.clone(),
                        _ => {
                            let n = ms.len();
                            send_many(ctx, ms.clone());
                            ctx.info(format!("sending {n} measurements in one request anyway…"));
                            return;
                        }
                    }
                }
                other => {
                    ctx.error(format!("not sent: {}", other.message()));
                    self.advanced.cursor_to_error();
                    return;
                }
            },
        };
        self.send(ctx, m);
    }

    /// The server's answer about the Simple form's account: send if it exists.
    pub(super) fn account_checked(
        &mut self,
        ctx: &mut Ctx,
        code: &str,
        found: &Result<Option<Box<Account>>, String>,
    ) {
        if self.checking.as_deref() != Some(code) {
            return;
        }
        self.checking = None;
        match found {
            // `Ctx` already remembers it: the form's check now passes.
            Ok(Some(_)) => self.submit(ctx),
            Ok(None) => {
                self.simple.missing = Some(code.to_string());
                self.simple.focus = super::simple::ACCOUNT;
                self.simple.tried = true;
                self.focus = Focus::Form;
                ctx.error(format!(
                    "not sent: no account {code}: pick one from the list (Advanced mode takes any code)"
                ));
            }
            Err(e) => ctx.error(format!("not sent: cannot check account {code}: {e}")),
        }
    }

    pub(super) fn send(&mut self, ctx: &mut Ctx, m: Measurement) {
        let uid = m.uid.clone().unwrap_or_default();
        let id = send(ctx, m);
        self.pending = Some((id, uid));
        ctx.info("sending…");
    }
}

/// Several measurements in one request: each gets its own log entry (so each is followed to
/// its own outcome), all of them the request's answer.
pub fn send_many(ctx: &mut Ctx, ms: Vec<Measurement>) {
    let conn = ctx.connection.id();
    let mut ids = Vec::with_capacity(ms.len());
    for m in &ms {
        let value = serde_json::to_value(m).unwrap_or(Value::Null);
        let id = ctx.log.push_pending(&conn, ctx.now(), value);
        if let Some(entry) = ctx.log.get(id) {
            persistence::save_entry(ctx, entry);
        }
        ids.push(id);
    }
    let client = ctx.client.clone();
    ctx.spawn("submit", async move {
        let result = client
            .submit(&ms)
            .await
            .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
            .map_err(SubmitError::from);
        Msg::SubmittedMany { ids, result }
    });
}

/// Logs the measurement as pending and submits it on a task; returns the log id.
pub fn send(ctx: &mut Ctx, m: Measurement) -> u64 {
    let value = serde_json::to_value(&m).unwrap_or(Value::Null);
    let conn = ctx.connection.id();
    let id = ctx.log.push_pending(&conn, ctx.now(), value);
    // On record before the answer: closing the console mid-send must not lose it.
    if let Some(entry) = ctx.log.get(id) {
        persistence::save_entry(ctx, entry);
    }
    let client = ctx.client.clone();
    ctx.spawn("submit", async move {
        let result = client
            .submit(std::slice::from_ref(&m))
            .await
            .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
            .map_err(SubmitError::from);
        Msg::Submitted { id, result }
    });
    id
}
