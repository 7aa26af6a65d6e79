//! HTTP/2 (RFC 9113) for the server.
//!
//! ```text
//!   socket bytes ─► engine (sans-IO connection: preface, SETTINGS, streams, flow control,
//!                   │        defences; hpack + frame + scheduler below it, pure safe Rust)
//!                   ├─► events (request heads, bodies, resets) ─► conn glue ─► h2o_req_t / handlers
//!                   └◄─ responses (h2o_send) ◄─ conn glue; writes chosen by the scheduler
//! ```
//!
//! - [`frame`]: frame codec; [`scheduler`]: the priority tree; [`engine`]: the protocol state
//!   machine with no C types; [`conn`]: the C glue (socket, `h2o_req_t` per stream);
//!   [`c_scheduler`]: 2.2.5's scheduler API (caller-allocated nodes) over [`scheduler`]. HPACK is
//!   [`crate::hpack`].

pub mod frame;
pub mod scheduler;
pub mod engine;
pub mod conn;
pub mod c_scheduler;
pub mod casper;
pub mod golomb;
pub mod cache_digests;
pub mod push_memo;
