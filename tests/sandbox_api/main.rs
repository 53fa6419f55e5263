//! Integration tests of the sandbox: a real server on 127.0.0.1:0 over a temp SQLite file,
//! spoken to over HTTP with reqwest (no handler shortcuts).

mod accounts;
mod auth;
mod checklist;
mod common;
mod hostile;
mod ingest;
mod limits;
mod meters;
mod pagination;
mod persistence;
mod products;
mod search;
mod security;
