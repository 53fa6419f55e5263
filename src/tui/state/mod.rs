//! The data layer: what every screen shares ([`Ctx`]), the submission log and the drafts with
//! their files, the messages tasks send back, and the side effects screens ask for. Nothing here
//! knows a screen: screens stand on this layer, never the other way round.

pub mod apply;
pub mod ctx;
pub mod disk;
pub mod drafts;
pub mod effect;
pub mod explore;
pub mod follow;
pub mod following;
pub mod log;
pub mod msg;
pub mod msg_explore;
pub mod msg_upload;
pub mod persistence;
pub mod upload_follow;
pub mod upload_follow_log;

pub use ctx::{Clock, ConnectionKey, Ctx, Loadable, Status, UidSource, ACCOUNTS_PRELOAD};
pub use effect::{Debounce, Effect};
pub use msg::Msg;
