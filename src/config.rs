//! Where the console gets its credentials (placeholder; filled by the client/config work).
