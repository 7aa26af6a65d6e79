//! Socket addresses (no socket involved): the numeric host, the port and the ordering of
//! `h2o_socket_getnumerichost`, `h2o_socket_getport` and `h2o_socket_compare_address`.

use std::cmp::Ordering;
use std::ffi::{c_char, c_int};

/// See `h2o_socket_getnumerichost`.
///
/// # Safety
/// `sa` is valid for `salen` bytes; `buf` has room for NI_MAXHOST bytes.
pub unsafe fn numeric_host(sa: *const libc::sockaddr, salen: libc::socklen_t, buf: *mut c_char) -> usize {
    // SAFETY: per the contract.
    unsafe {
        if c_int::from((*sa).sa_family) == libc::AF_INET {
            let a = u32::from_be((*sa.cast::<libc::sockaddr_in>()).sin_addr.s_addr).to_be_bytes();
            let s = format!("{}.{}.{}.{}\0", a[0], a[1], a[2], a[3]);
            std::ptr::copy_nonoverlapping(s.as_ptr().cast::<c_char>(), buf, s.len());
            return s.len() - 1;
        }
        let r = libc::getnameinfo(sa, salen, buf, libc::NI_MAXHOST, std::ptr::null_mut(), 0, libc::NI_NUMERICHOST);
        if r != 0 {
            return usize::MAX;
        }
        libc::strlen(buf)
    }
}

/// See `h2o_socket_getport`.
///
/// # Safety
/// `sa` is a valid address of its family.
pub unsafe fn port(sa: *const libc::sockaddr) -> i32 {
    // SAFETY: per the contract.
    unsafe {
        match c_int::from((*sa).sa_family) {
            libc::AF_INET => i32::from(u16::from_be((*sa.cast::<libc::sockaddr_in>()).sin_port)),
            libc::AF_INET6 => i32::from(u16::from_be((*sa.cast::<libc::sockaddr_in6>()).sin6_port)),
            _ => -1,
        }
    }
}

fn ord(o: Ordering) -> c_int {
    o as c_int
}

/// See `h2o_socket_compare_address`. Unknown families compare equal when the families are.
///
/// # Safety
/// `x` and `y` are valid addresses of their families.
pub unsafe fn compare(x: *const libc::sockaddr, y: *const libc::sockaddr) -> c_int {
    // SAFETY: per the contract.
    unsafe {
        let (fx, fy) = ((*x).sa_family, (*y).sa_family);
        if fx != fy {
            return ord(fx.cmp(&fy));
        }
        match c_int::from(fx) {
            libc::AF_UNIX => {
                let (a, b) = (x.cast::<libc::sockaddr_un>(), y.cast::<libc::sockaddr_un>());
                ord(libc::strcmp((*a).sun_path.as_ptr(), (*b).sun_path.as_ptr()).cmp(&0))
            }
            libc::AF_INET => {
                let (a, b) = (&*x.cast::<libc::sockaddr_in>(), &*y.cast::<libc::sockaddr_in>());
                let ka = (u32::from_be(a.sin_addr.s_addr), u16::from_be(a.sin_port));
                let kb = (u32::from_be(b.sin_addr.s_addr), u16::from_be(b.sin_port));
                ord(ka.cmp(&kb))
            }
            libc::AF_INET6 => {
                let (a, b) = (&*x.cast::<libc::sockaddr_in6>(), &*y.cast::<libc::sockaddr_in6>());
                let ka = (a.sin6_addr.s6_addr, u16::from_be(a.sin6_port), a.sin6_flowinfo, a.sin6_scope_id);
                let kb = (b.sin6_addr.s6_addr, u16::from_be(b.sin6_port), b.sin6_flowinfo, b.sin6_scope_id);
                ord(ka.cmp(&kb))
            }
            _ => 0,
        }
    }
}
