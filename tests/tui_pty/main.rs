//! The real binary in a pseudo-terminal against a sandbox started by the test: what a user sees
//! and types, end to end.

mod accounts;
mod accounts_100k;
mod follow;
mod pty;
mod submit;
mod terminal;
mod upload;
