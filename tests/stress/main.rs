//! Fuzz, load and crash suite for the sandbox: bounded, loopback only, and reporting what it
//! tried, what failed and what was lost.
//!
//! - `cargo test --test stress` runs the fast part (a few seconds): hostile and fuzzed requests
//!   (never a 5xx, never a non-JSON error, never a dead server), a small concurrent ingest load
//!   (every acknowledged measurement stored), and one kill -9 of `sandbox serve` during ingest.
//! - `M3TER_STRESS=1 cargo test --release --test stress -- --ignored --nocapture` runs the long
//!   part: more fuzz cases, a bigger load with throughput and p50/p99, and several kill -9
//!   cycles. `STRESS_SCALE=N` multiplies its sizes (default 1).

mod crash;
mod hostile;
mod load;
mod support;
