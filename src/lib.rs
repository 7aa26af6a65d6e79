//! libh2o-rs: the engine of a drop-in replacement for libh2o-evloop 2.2.5 and picohttpparser.
//!
//! Three layers; every dependency points down (no engine module imports `ffi`):
//!
//! ```text
//!   C program ──► include/*.h (the contract)
//!                     │
//!   ┌─────────────────▼───────────────────────────────────────────────────────────────────────┐
//!   │ ffi/     the exported extern "C" functions and data objects, one file per header:      │
//!   │          check and convert the arguments, run inside abi::panic::boundary, call down     │
//!   └─────────────────┬───────────────────────────────────────────────────────────────────────┘
//!   ┌─────────────────▼───────────────────────────────────────────────────────────────────────┐
//!   │ engine   mem, buffer, strings, token ── evloop (loop, sockets, timeouts, addr)          │
//!   │          core (config, context, headers, mimemap, url, request + filters)               │
//!   │          http1 (parser, conn) · hpack · http2 (frame, scheduler, engine) · handler      │
//!   │          (file, access_log, redirect, reproxy). hpack and http2's protocol parts are     │
//!   │          pure safe Rust with no C types; the rest works on the abi structs in place.     │
//!   └─────────────────┬───────────────────────────────────────────────────────────────────────┘
//!   ┌─────────────────▼───────────────────────────────────────────────────────────────────────┐
//!   │ abi/     the #[repr(C)] mirrors of include/ (one file per header, 2.2.5 layouts checked  │
//!   │          at compile time), constants, callback typedefs, the data objects the engine     │
//!   │          refers to by address, and the panic boundary. Data only; depends on nothing.   │
//!   └─────────────────────────────────────────────────────────────────────────────────────────┘
//! ```
//!
//! A request, from socket to handler (HTTP/1.x; HTTP/2 takes the same path from `h2o_req_t` on):
//!
//! ```text
//!   h2o_accept (ffi::request) ─► http1::conn::accept: a Conn on the h2o_socket_t (evloop::socket)
//!   evloop::Loop (mio) ─► socket read callback http1::conn::on_read ─► http1::parser (head, body)
//!     ─► core::request::init_request / process_request: host and path chosen (core::config),
//!        path normalized (core::url) ─► each handler's on_req (handler::*, or the embedder's C code)
//!   handler ─► h2o_start_response / h2o_send (core::request) ─► filters' ostreams (core::filters,
//!     handler::*) ─► the connection's final ostream (http1::conn::do_send: head + body)
//!     ─► evloop::socket::write ─► kernel; the write callback asks the generator for more
//!     (`proceed`), and the loggers (handler::access_log) run when the request is disposed.
//! ```
//!
//! `unsafe` is confined to where C memory is touched (the exports, and the engine's work on the abi
//! structs in place) and to the SIMD scanners of `http1::parser`; each block carries a `SAFETY:`
//! note. `hpack` and the protocol modules of `http2` forbid it.

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

pub mod tls;

pub mod ffi;
