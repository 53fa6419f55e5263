//! How the Accounts screen's views hand over to each other: a view's update returns a [`Step`]
//! naming the next view by its data ([`Go`]), and the screen builds that view. Views know this
//! file, never each other (nor the screen). Also the small lookups they share.

use super::form::Form;
use crate::m3ter::Account;
use crate::tui::keys::Action;
use crate::tui::screens::Outcome;
use crate::tui::state::msg::AcctMsg;
use crate::tui::state::{Ctx, Msg};

/// The view to show next.
#[derive(Debug)]
pub enum Go {
    List,
    Detail(Box<Account>),
    Form(Box<Form>),
    Conflict {
        form: Box<Form>,
        server: Box<Account>,
    },
    Delete {
        account: Box<Account>,
        from_detail: bool,
    },
}

/// What a view's update asks of the screen.
pub enum Step {
    /// Handled; the view stays.
    Stay,
    /// Not for this view: global keys get it.
    Ignored,
    /// Show another view.
    To(Go),
    /// Leave the screen (submit usage for an account).
    Out(Outcome),
}

/// How an account is named to people: its code (its id when it has none).
pub fn code(a: &Account) -> String {
    a.code.clone().unwrap_or_else(|| a.id.clone())
}

/// Looks up the parent's code (one GET), for the detail and the form: people know accounts by
/// code, not by id.
pub fn lookup_parent(ctx: &mut Ctx, a: &Account) {
    let Some(id) = a.parent_account_id.clone() else {
        return;
    };
    let client = ctx.client.clone();
    ctx.spawn("look up the parent account", async move {
        match client.retrieve::<Account>(&id).await {
            Ok(p) => Msg::acct(AcctMsg::ParentCode { id, code: code(&p) }),
            Err(e) => Msg::Status(format!("cannot look up the parent account: {e}")),
        }
    });
}

/// Enter/e/d/s on an account, from the list or its detail: the view it opens.
pub fn open(ctx: &mut Ctx, a: Action, acc: Account, from_detail: bool) -> Step {
    match a {
        Action::Choose => {
            lookup_parent(ctx, &acc);
            Step::To(Go::Detail(Box::new(acc)))
        }
        Action::Edit => {
            lookup_parent(ctx, &acc);
            let f = Form::edit(&acc);
            if f.promote {
                ctx.info(format!(
                    "making {} a real account: check the name, fill in the email, then save",
                    code(&acc)
                ));
            }
            Step::To(Go::Form(Box::new(f)))
        }
        Action::Delete => Step::To(Go::Delete {
            account: Box::new(acc),
            from_detail,
        }),
        Action::SubmitFor => {
            let Some(c) = acc.code.clone() else {
                return Step::Stay;
            };
            // The Submit picker only preloads the newest accounts: make sure it knows this one.
            ctx.remember_accounts(std::slice::from_ref(&acc));
            Step::Out(Outcome::SubmitFor(c))
        }
        _ => Step::Ignored,
    }
}
