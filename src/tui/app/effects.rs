//! Carrying out the effects screens queue on [`Ctx`]: tasks and timers on tokio, the clipboard
//! through the terminal. (`$EDITOR` and quitting need the terminal and the loop: see
//! [`super::event_loop`].)

use crate::tui::state::{Ctx, Effect};
use base64::Engine;
use std::io::Write;

/// Starts every queued task and timer on the current runtime (without one — tests driving the
/// app by hand — they are dropped, as nothing could answer them); the other effects stay queued.
pub fn start_tasks(ctx: &mut Ctx) {
    let handle = tokio::runtime::Handle::try_current().ok();
    let mut rest = Vec::new();
    for e in ctx.effects.drain(..) {
        match e {
            Effect::Spawn { what, task } => {
                tracing::debug!(task = %what, "spawn");
                let tx = ctx.tx.clone();
                if let Some(h) = &handle {
                    h.spawn(async move {
                        let _ = tx.send(task.await);
                    });
                }
            }
            Effect::Later { after, msg } => {
                let tx = ctx.tx.clone();
                if let Some(h) = &handle {
                    h.spawn(async move {
                        tokio::time::sleep(after).await;
                        let _ = tx.send(*msg);
                    });
                }
            }
            other => rest.push(other),
        }
    }
    ctx.effects = rest;
}

/// OSC 52 asks the terminal to put the text on the clipboard (works over SSH, no X needed).
pub fn copy_to_clipboard(text: &str) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = std::io::stdout();
    let _ = write!(out, "\x1b]52;c;{b64}\x07");
    let _ = out.flush();
}
