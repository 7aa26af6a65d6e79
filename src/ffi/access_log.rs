//! `h2o.h` access log and log format exports (hand-written header).
