//! The HTTP/2 server connection as a sans-IO state machine (no C types, no sockets).
#![forbid(unsafe_code)]
