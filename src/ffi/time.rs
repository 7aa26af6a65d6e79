//! `h2o/time_.h`: formatting and parsing HTTP and access-log dates.

use std::ffi::{c_char, c_int};

use crate::abi::panic::boundary;
use crate::core::time::{log_time, parse_rfc1123, rfc1123};

/// Copies `s` and a NUL to `buf`.
///
/// # Safety
/// `buf` has room for `s.len() + 1` bytes.
unsafe fn put(buf: *mut c_char, s: &str) {
    // SAFETY: the caller's contract.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), buf.cast::<u8>(), s.len());
        *buf.add(s.len()) = 0;
    }
}

/// `h2o_time2str_rfc1123`: writes `gmt` as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and a
/// NUL to `buf`, which has room for `H2O_TIMESTR_RFC1123_LEN + 1` bytes. The year is printed as four
/// digits (modulo 10000, as 2.2.5), the weekday and month names wrap around; a day, hour, minute or
/// second beyond two digits is refused (reported on stderr, `buf` left alone) rather than written
/// past the buffer.
///
/// # Safety
/// `buf` is writable for 30 bytes; `gmt` is a valid `struct tm`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_time2str_rfc1123(buf: *mut c_char, gmt: *mut libc::tm) {
    boundary("h2o_time2str_rfc1123", (), || {
        assert!(!buf.is_null() && !gmt.is_null(), "NULL argument");
        // SAFETY: the caller's contract.
        unsafe {
            let s = rfc1123(&*gmt);
            assert!(s.len() == 29, "a field of more than two digits does not fit the fixed-length date");
            put(buf, &s);
        }
    })
}

/// `h2o_time2str_log`: writes `time` in the local time zone in the Common Log Format
/// ("29/Aug/2014:15:34:38 +0900") and a NUL to `buf`, which has room for `H2O_TIMESTR_LOG_LEN + 1`
/// bytes.
///
/// # Safety
/// `buf` is writable for 27 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_time2str_log(buf: *mut c_char, time: libc::time_t) {
    boundary("h2o_time2str_log", (), || {
        assert!(!buf.is_null(), "NULL argument");
        // SAFETY: all-zero is a valid tm; valid pointers; localtime_r only writes `tm`.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        unsafe { libc::localtime_r(&time, &mut tm) };
        let s = log_time(&tm);
        assert!(s.len() == 26, "a year outside 1000..=9999 does not fit the fixed-length date");
        // SAFETY: the caller's contract.
        unsafe { put(buf, &s) }
    })
}

/// `h2o_time_parse_rfc1123`: parses an IMF-fixdate of exactly `H2O_TIMESTR_RFC1123_LEN` bytes
/// (digits and the month name at their fixed places; the weekday and zone are not checked, as in
/// 2.2.5) into `tm`'s year, month, day, hour, minute and second (its other fields are left alone).
/// Returns 0, or -1 with `tm` unchanged.
///
/// # Safety
/// `s` has `len` readable bytes; `tm` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_time_parse_rfc1123(s: *const c_char, len: usize, tm: *mut libc::tm) -> c_int {
    boundary("h2o_time_parse_rfc1123", -1, || {
        if s.is_null() || tm.is_null() {
            return -1;
        }
        // SAFETY: the caller's contract.
        let bytes = unsafe { std::slice::from_raw_parts(s.cast::<u8>(), len) };
        let Some([year, mon, mday, hour, min, sec]) = parse_rfc1123(bytes) else {
            return -1;
        };
        // SAFETY: the caller's contract.
        let t = unsafe { &mut *tm };
        (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec) = (year, mon, mday, hour, min, sec);
        0
    })
}
