//! Integration tests of the sandbox: a real server on 127.0.0.1:0 over a temp SQLite file,
//! spoken to over HTTP with reqwest (no handler shortcuts).

mod accounts;
mod async_ingest;
mod auth;
mod checklist;
mod client_ingest;
mod common;
mod hostile;
mod ingest;
mod limits;
mod meters;
mod pagination;
mod persistence;
mod products;
mod restart;
mod search;
mod security;
mod uploads;
mod usage;
