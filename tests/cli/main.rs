//! The CLI as users run it: the real binary against a real sandbox over HTTP (and a few
//! scripted servers), one test binary so the helpers in [`support`] are shared, not copied.

mod accounts;
mod bulk;
mod commands;
mod config;
mod ingest_commands;
mod resend_wait;
mod send_anyway;
mod shared_journal;
mod submit;
mod support;
mod terminal;
