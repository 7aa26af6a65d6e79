//! HTTP/1.x: the message-head parser and chunked decoder (the connection handling comes with the
//! event loop).

pub mod parser;
