//! The panic boundary every C entry point goes through: the exported functions (`crate::ffi`) and
//! the engine callbacks C code may call directly (the `dispose` of a shared allocation, which the
//! header's inline `h2o_mem_release_shared` calls; the file handler's callbacks).
//! It sits at the bottom, beside the C types, so that the engine can use it without depending on
//! `crate::ffi`.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`; if it panics, reports the panic on stderr and returns `on_panic` instead.
///
/// `AssertUnwindSafe` is sound here because after a caught panic the exported function returns its
/// documented error value, and the state `f` touched is the caller's output arguments (documented
/// as unspecified after an error) or state that is reset on error.
#[inline(always)]
pub(crate) fn boundary<R>(name: &'static str, on_panic: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            report(name, payload.as_ref());
            on_panic
        }
    }
}

#[cold]
#[inline(never)]
fn report(name: &str, payload: &(dyn std::any::Any + Send)) {
    let msg = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(|s| s.as_str()))
        .unwrap_or("(non-string panic payload)");
    eprintln!("libh2o-rs: internal error in {name}: {msg}; returning an error to the caller");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_the_error_value() {
        let r = boundary("test", -1, || -> i32 { panic!("boom") });
        assert_eq!(r, -1);
        assert_eq!(boundary("test", -1, || 7), 7);
    }
}
