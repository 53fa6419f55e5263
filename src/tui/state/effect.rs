//! Side effects as data. Screens never spawn, print or sleep themselves: they queue an
//! [`Effect`] on [`super::Ctx`] and the loop carries it out after the input is handled. Tests
//! read the queue to see what a key press started (a request, a copy, the editor…).

use super::msg::Msg;
use futures::future::BoxFuture;
use std::time::Duration;

/// Something the loop does for a screen.
pub enum Effect {
    /// Work on a task — a request, a file read — whose answer comes back as a message. `what`
    /// names it for tests and the trace log (`submit`, `load meters`…).
    Spawn {
        what: String,
        task: BoxFuture<'static, Msg>,
    },
    /// Deliver `msg` after `after` (debounces: see [`Debounce`]).
    Later { after: Duration, msg: Box<Msg> },
    /// Put text on the clipboard (OSC 52: works over SSH, no X needed).
    Copy(String),
    /// Suspend the TUI, edit this text in `$EDITOR`; the result comes back as
    /// [`crate::tui::keys::Input::Edited`].
    Edit(String),
    /// Leave the TUI.
    Quit,
}

impl Effect {
    /// A short name: `spawn submit`, `later`, `copy`, `edit`, `quit`.
    pub fn name(&self) -> String {
        match self {
            Effect::Spawn { what, .. } => format!("spawn {what}"),
            Effect::Later { .. } => "later".into(),
            Effect::Copy(_) => "copy".into(),
            Effect::Edit(_) => "edit".into(),
            Effect::Quit => "quit".into(),
        }
    }
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// The one debounce: each call to [`Debounce::arm`] makes the earlier ones stale, so only the
/// last of a burst (typing) does its work when its delayed message arrives.
#[derive(Debug, Clone, Default)]
pub struct Debounce {
    gen: u64,
}

impl Debounce {
    /// A new generation; the message scheduled with it is the only one still [`Debounce::due`].
    pub fn arm(&mut self) -> u64 {
        self.gen += 1;
        self.gen
    }

    /// Whether `gen` is still the latest.
    pub fn due(&self, gen: u64) -> bool {
        gen == self.gen
    }

    /// Cancels whatever is scheduled (a save done now makes the pending one stale).
    pub fn cancel(&mut self) {
        self.gen += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_of_a_burst_is_due() {
        let mut d = Debounce::default();
        let a = d.arm();
        let b = d.arm();
        assert!(!d.due(a) && d.due(b));
        d.cancel();
        assert!(!d.due(b));
    }
}
