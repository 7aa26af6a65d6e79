//! `h2o.h` file handler exports (hand-written header).
