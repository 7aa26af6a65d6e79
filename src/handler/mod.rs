//! The handlers and loggers an embedder registers on a path (`h2o_file_register`,
//! `h2o_access_log_register`, ...). Each works on the request API of `crate::core::request`.

pub mod access_log;
pub mod file;
pub mod redirect;
pub mod reproxy;
pub mod filecache;
