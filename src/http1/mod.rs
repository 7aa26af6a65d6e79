//! HTTP/1.x: the message-head parser and chunked decoder, and the server connection (`conn`).

/// cbindgen:ignore
pub mod conn;
pub mod parser;
