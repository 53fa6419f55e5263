//! What the follow-up keeps in [`super::Ctx`]: the engine and its one timer (the glue that
//! drives them is [`super::follow`]).

use super::effect::Debounce;
use crate::m3ter::follow::Follower;
use chrono::{DateTime, Utc};

/// The follow-up's state in [`super::Ctx`].
#[derive(Debug, Default)]
pub struct Following {
    pub engine: Follower,
    /// Only the latest scheduled wake-up polls.
    pub(super) timer: Debounce,
    /// A wake-up is scheduled for this instant.
    pub(super) scheduled: Option<DateTime<Utc>>,
}
