//! The server core of `h2o.h`: configuration (hosts, paths, handlers, environments), the context,
//! header lists and rewrite commands, requests and responses with their filters, MIME maps.
//!
//! As in `crate::mem`, the C structs of `crate::abi::core` / `crate::abi::request` are the state (embedders read and write
//! them directly), so this module works on them in place; memory that C code reads or frees comes
//! from libc `malloc` or from a `h2o_mem_pool_t`. Decisions are plain safe functions; raw-memory
//! steps carry `SAFETY:` notes.

pub mod config;
pub mod context;
pub mod filters;
pub mod headers;
pub mod headers_cmd;
pub mod link;
pub mod mimemap;
pub mod request;
pub mod time;
pub mod url;
pub mod util;
