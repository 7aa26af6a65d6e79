//! The server core of `h2o.h`: configuration (hosts, paths, handlers), the context, and header
//! lists. Later: requests and responses, the file handler, the access log.
//!
//! As in `crate::mem`, the C structs of `crate::ffi::core` are the state (embedders read and write
//! them directly), so this module works on them in place; memory that C code reads or frees comes
//! from libc `malloc` or from a `h2o_mem_pool_t`. Decisions are plain safe functions; raw-memory
//! steps carry `SAFETY:` notes.

pub mod config;
pub mod context;
pub mod headers;
pub mod mimemap;
pub mod request;
pub mod url;
