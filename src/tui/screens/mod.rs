//! The screens, and the contract they keep. A screen owns its view state (selection, focus,
//! typed text), turns inputs into state changes in [`Screen::update`], and draws that state in
//! [`Screen::draw`] without changing it. Data shared between screens (products, meters,
//! accounts, the submission log) lives in [`Ctx`]; work that leaves the screen — a request, the
//! clipboard, `$EDITOR` — is queued on [`Ctx`] as an effect and comes back as a [`Msg`].
//! Navigation between screens is returned as an [`Outcome`] for the app to carry out.

pub mod accounts;
pub mod event_detail;
pub mod events;
pub mod log_detail;
pub mod meter_detail;
pub mod meters;
pub mod products;
pub mod submit;
pub mod upload;
pub mod usage;

use crate::tui::keys::{Input, Tables};
use crate::tui::state::{Ctx, Msg};
use ratatui::layout::Rect;
use ratatui::Frame;

/// What a screen did with an input; navigation requests are carried out by the app.
pub enum Outcome {
    Consumed,
    /// Not for this screen: the app tries its global keys (help, back, quit, accounts).
    Ignored,
    Push(Box<dyn Screen>),
    Pop,
    Quit,
    /// Open the Accounts screen (or go back to it if it is on the stack).
    OpenAccounts,
    /// Go to the Submit panel with this account chosen: back to an open Submit screen, or
    /// through Products → Meters with the account remembered in [`Ctx::preselect_account`].
    SubmitFor(String),
    /// Open the Accounts screen showing the account with this code.
    ShowAccount(String),
    /// Open the usage explorer for a meter code and/or an account code.
    Usage {
        meter: Option<String>,
        account: Option<String>,
    },
}

/// Which screen this is, so the app can find one on the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenKind {
    Products,
    Meters,
    Submit,
    Accounts,
    LogDetail,
    MeterDetail,
    Usage,
    Events,
    EventDetail,
    Upload,
}

pub trait Screen {
    fn kind(&self) -> ScreenKind;
    /// Shown in the title bar's breadcrumb.
    fn title(&self) -> String;
    /// The key tables of the focused view: resolution, bottom bar and help all read them.
    fn keys(&self) -> Tables;
    /// True while a text input has focus: then only `in_text` bindings resolve, and plain
    /// letters reach the screen as [`Input::Key`].
    fn typing(&self) -> bool {
        false
    }
    fn update(&mut self, ctx: &mut Ctx, input: Input) -> Outcome;
    /// Every message reaches every screen on the stack (after the app updated [`Ctx`]).
    fn on_msg(&mut self, _ctx: &mut Ctx, _msg: &Msg) {}
    /// Reads only. Screens that need click targets keep the last areas in `Cell`s.
    fn draw(&self, ctx: &Ctx, frame: &mut Frame, area: Rect);
    /// Draws only the focused pane over `area` (the zoom key); screens with one pane draw
    /// themselves.
    fn draw_zoomed(&self, ctx: &Ctx, frame: &mut Frame, area: Rect) {
        self.draw(ctx, frame, area)
    }
    /// Something on screen moves by itself (a spinner): the loop ticks and redraws while true.
    fn animating(&self) -> bool {
        false
    }
    /// Just pushed on the stack (after the status line was cleared for it).
    fn opened(&mut self, _ctx: &mut Ctx) {}
    /// About to leave the stack (back, a jump down the stack, or quit): keep what must outlive
    /// the screen in [`Ctx`].
    fn closing(&mut self, _ctx: &mut Ctx) {}
    /// Choose this account, if the screen has an account field. Returns whether it did.
    fn preselect_account(&mut self, _ctx: &mut Ctx, _code: &str) -> bool {
        false
    }
    /// Show the account with this code, if the screen lists accounts.
    fn show_account(&mut self, _ctx: &mut Ctx, _code: &str) {}
}
