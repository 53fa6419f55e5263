//! The HTTP client on its own, against scripted servers ([`support`]).

mod http;
mod support;
