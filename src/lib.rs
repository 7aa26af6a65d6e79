//! libh2o-rs: the engine of a drop-in replacement for libh2o-evloop 2.2.5 and picohttpparser.
//!
//! ```text
//!   C program ──► include/*.h (the contract) ──► ffi/ (extern "C", panic boundary, #[repr(C)])
//!                                                    │
//!                                                    ▼
//!                                   http1::parser (picohttpparser semantics, SIMD scanners)
//! ```
//!
//! Modules are listed in data-flow order. Everything outside `ffi` is safe Rust except the SIMD
//! scanners in `http1::parser`, whose `unsafe` blocks each carry a `SAFETY:` note.

pub mod abi;

/// cbindgen:ignore
pub mod mem;
/// cbindgen:ignore
pub mod buffer;
pub mod strings;
/// cbindgen:ignore
pub mod evloop;
/// cbindgen:ignore
pub mod token;
/// cbindgen:ignore
pub mod core;

pub mod http1;
/// cbindgen:ignore
pub mod hpack;
/// cbindgen:ignore
pub mod http2;
/// cbindgen:ignore
pub mod handler;

pub mod ffi;
