//! Latency-optimized writes: `h2o_socket_do_prepare_for_latency_optimized_write` (2.2.5's API).
//!
//! For a TCP connection with a large RTT and a small congestion window, keep the kernel's unsent
//! queue nearly empty (`TCP_NOTSENT_LOWAT` = 1, so "writable" means "everything handed over has been
//! sent") and hand the kernel only what the window can carry now:
//!
//! ```text
//!   suggested_write_size = (cwnd - unacked + 2) * payload      payload = mss (- TLS record overhead)
//! ```
//!
//! (2 rather than 1 extra packets, as 2.2.5: enough that the next writable event does not come
//! before the window has room again.) A high-priority response produced meanwhile then overtakes
//! what is still in the application's queue instead of waiting behind a full socket buffer.
//! Otherwise (`rtt < min_rtt`, or the loop itself adds more delay than `max_additional_delay` % of
//! the RTT) the mode is disabled and writes are bulk (`SIZE_MAX`). With `mss * cwnd >= max_cwnd`
//! the mode is "determined" but bulk too (the window is big enough that the unsent queue does not
//! matter). [`decide`] is the pure part; [`prepare`] reads `TCP_INFO` and applies the decision.
//!
//! The socket writer (socket.rs) honours the result: in the mode, it writes at most
//! `suggested_write_size` bytes per writable event and waits for the next one (poll-then-write),
//! refreshing the numbers from `TCP_INFO` each time.

use std::os::fd::RawFd;

use crate::abi::socket::{h2o_socket_latency_optimization_conditions_t as Conditions, h2o_socket_t};

/// `H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_*`.
pub const STATE_TBD: u8 = 0;
pub const STATE_NEEDS_UPDATE: u8 = 1;
pub const STATE_DISABLED: u8 = 2;
pub const STATE_DETERMINED: u8 = 3;

/// Whether `sock` is in latency-optimized mode with a window to honour (the mode was decided or
/// is to be refreshed, and a suggested write size is set): what the writer, the TLS record sizing
/// and the HTTP/2 poll-then-write all ask.
pub fn in_mode(sock: &h2o_socket_t) -> bool {
    (sock._lo_state == STATE_DETERMINED || sock._lo_state == STATE_NEEDS_UPDATE) && sock._lo_suggested_write_size != usize::MAX
}

/// The TLS record payload used when the mode does not ask for small records.
pub const DEFAULT_TLS_PAYLOAD: u16 = 16384;

/// What `TCP_INFO` says about a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpState {
    /// Smoothed RTT, microseconds.
    pub rtt_us: u32,
    /// Send MSS, bytes.
    pub mss: u32,
    /// Congestion window, packets.
    pub cwnd: u32,
    /// Packets sent and not acknowledged.
    pub unacked: u32,
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Not worth it (or impossible): bulk writes, normal `TCP_NOTSENT_LOWAT`.
    Disable,
    /// The mode applies but the window is large: bulk writes, normal `TCP_NOTSENT_LOWAT`.
    Bulk,
    /// Minimize the unsent queue and write at most `write_size` per writable event, in TLS records
    /// of `tls_payload` bytes.
    Minimize { tls_payload: u16, write_size: usize },
}

/// The decision for `conditions` (min_rtt in ms, max_additional_delay in percent of the RTT,
/// max_cwnd in bytes), the connection's state, the loop's mean execution time per iteration (ms)
/// and the TLS record overhead (0 for plain TCP).
pub fn decide(c: &Conditions, t: &TcpState, loop_time_ms: u64, tls_overhead: usize) -> Decision {
    let rtt = u128::from(t.rtt_us);
    if rtt < u128::from(c.min_rtt) * 1000 {
        return Decision::Disable;
    }
    // the time the loop spends per iteration delays every poll-then-write round
    if rtt * u128::from(c.max_additional_delay) < u128::from(loop_time_ms) * 1000 * 100 {
        return Decision::Disable;
    }
    if u64::from(t.mss) * u64::from(t.cwnd) >= u64::from(c.max_cwnd) {
        return Decision::Bulk;
    }
    let mss = u16::try_from(t.mss).unwrap_or(u16::MAX);
    let tls_payload = if tls_overhead < usize::from(mss) { mss - tls_overhead as u16 } else { mss };
    let avail = t.cwnd.saturating_sub(t.unacked) as usize + 2;
    Decision::Minimize { tls_payload, write_size: avail * usize::from(tls_payload) }
}

/// Reads `TCP_INFO`; None when `fd` is not a TCP socket (or the call fails).
pub fn tcp_state(fd: RawFd) -> Option<TcpState> {
    // SAFETY: tcp_info is plain integers (all-zero is valid); getsockopt writes at most `len` bytes.
    unsafe {
        let mut info: libc::tcp_info = std::mem::zeroed();
        let mut len = std::mem::size_of::<libc::tcp_info>() as libc::socklen_t;
        let r = libc::getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_INFO, (&raw mut info).cast(), &mut len);
        if r != 0 || (len as usize) < std::mem::offset_of!(libc::tcp_info, tcpi_snd_cwnd) + 4 {
            return None;
        }
        Some(TcpState { rtt_us: info.tcpi_rtt, mss: info.tcpi_snd_mss, cwnd: info.tcpi_snd_cwnd, unacked: info.tcpi_unacked })
    }
}

/// Bytes written to `fd` that the kernel has not sent yet (`SIOCOUTQNSD`); None when it cannot
/// tell (not a TCP socket).
pub fn notsent_bytes(fd: RawFd) -> Option<u32> {
    let mut n: libc::c_int = 0;
    // SAFETY: the ioctl writes one int into a live local.
    let r = unsafe { libc::ioctl(fd, libc::SIOCOUTQNSD as _, &raw mut n) };
    (r == 0).then_some(n.max(0) as u32)
}

fn set_notsent_lowat(fd: RawFd, value: u32) -> bool {
    let v: libc::c_int = value as libc::c_int;
    // SAFETY: setsockopt reads an int from a live local.
    unsafe {
        libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NOTSENT_LOWAT, (&raw const v).cast(), std::mem::size_of_val(&v) as _)
            == 0
    }
}

const MINIMIZED: u8 = 1; // notsent_is_minimized, the first bit of the bit-field byte

fn disable(sock: &mut h2o_socket_t, fd: RawFd) {
    if sock._lo_flags & MINIMIZED != 0 {
        // 0: back to the system default (net.ipv4.tcp_notsent_lowat)
        set_notsent_lowat(fd, 0);
        sock._lo_flags &= !MINIMIZED;
    }
    sock._lo_state = STATE_DISABLED;
    sock._lo_suggested_tls_payload_size = DEFAULT_TLS_PAYLOAD;
    sock._lo_suggested_write_size = usize::MAX;
}

/// Applies a decision to the socket's `_latency_optimization` fields and its `TCP_NOTSENT_LOWAT`.
pub fn apply(sock: &mut h2o_socket_t, fd: RawFd, d: Decision) {
    match d {
        Decision::Disable => disable(sock, fd),
        Decision::Bulk => {
            if sock._lo_flags & MINIMIZED != 0 {
                if !set_notsent_lowat(fd, 0) {
                    return disable(sock, fd);
                }
                sock._lo_flags &= !MINIMIZED;
            }
            sock._lo_state = STATE_DETERMINED;
            sock._lo_suggested_tls_payload_size = DEFAULT_TLS_PAYLOAD;
            sock._lo_suggested_write_size = usize::MAX;
        }
        Decision::Minimize { tls_payload, write_size } => {
            if sock._lo_flags & MINIMIZED == 0 {
                // 1, not 0: Linux takes 0 as "the system default"
                if !set_notsent_lowat(fd, 1) {
                    return disable(sock, fd);
                }
                sock._lo_flags |= MINIMIZED;
            }
            sock._lo_state = STATE_DETERMINED;
            sock._lo_suggested_tls_payload_size = tls_payload;
            sock._lo_suggested_write_size = write_size;
        }
    }
}

/// `h2o_socket_do_prepare_for_latency_optimized_write` on the socket's fields; returns
/// `suggested_write_size`. `tls_overhead`: the bytes a TLS record adds (0 for plain TCP), so that
/// the suggested TLS payload fills a packet.
pub fn prepare(sock: &mut h2o_socket_t, fd: RawFd, c: &Conditions, loop_time_ms: u64, tls_overhead: usize) -> usize {
    let d = match tcp_state(fd) {
        Some(t) => decide(c, &t, loop_time_ms, tls_overhead),
        None => Decision::Disable,
    };
    apply(sock, fd, d);
    sock._lo_suggested_write_size
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(min_rtt: u32, delay: u32, max_cwnd: u32) -> Conditions {
        Conditions { min_rtt, max_additional_delay: delay, max_cwnd }
    }
    const DEFAULTS: Conditions = Conditions { min_rtt: 50, max_additional_delay: 10, max_cwnd: 65535 };

    #[test]
    fn small_window_on_a_long_path_minimizes() {
        // 100 ms, 10 packets of 1448 bytes, 4 in flight: (10 - 4 + 2) * 1448
        let t = TcpState { rtt_us: 100_000, mss: 1448, cwnd: 10, unacked: 4 };
        assert_eq!(decide(&DEFAULTS, &t, 0, 0), Decision::Minimize { tls_payload: 1448, write_size: 8 * 1448 });
        // with TLS the payload per packet shrinks by the record overhead
        assert_eq!(decide(&DEFAULTS, &t, 0, 29), Decision::Minimize { tls_payload: 1419, write_size: 8 * 1419 });
        // more in flight than the window: still two packets
        let t = TcpState { unacked: 12, ..t };
        assert_eq!(decide(&DEFAULTS, &t, 0, 0), Decision::Minimize { tls_payload: 1448, write_size: 2 * 1448 });
    }

    #[test]
    fn short_rtt_or_slow_loop_disables() {
        let t = TcpState { rtt_us: 49_999, mss: 1448, cwnd: 10, unacked: 0 };
        assert_eq!(decide(&DEFAULTS, &t, 0, 0), Decision::Disable);
        let t = TcpState { rtt_us: 50_000, ..t };
        assert!(matches!(decide(&DEFAULTS, &t, 0, 0), Decision::Minimize { .. }));
        // 10 % of 50 ms is 5 ms: a loop taking 5 ms is fine, 6 ms is not
        assert!(matches!(decide(&DEFAULTS, &t, 5, 0), Decision::Minimize { .. }));
        assert_eq!(decide(&DEFAULTS, &t, 6, 0), Decision::Disable);
    }

    #[test]
    fn big_window_is_bulk() {
        // 45 * 1448 = 65160 < 65535 minimizes; 46 * 1448 = 66608 does not
        let t = TcpState { rtt_us: 200_000, mss: 1448, cwnd: 45, unacked: 0 };
        assert!(matches!(decide(&DEFAULTS, &t, 0, 0), Decision::Minimize { .. }));
        let t = TcpState { cwnd: 46, ..t };
        assert_eq!(decide(&DEFAULTS, &t, 0, 0), Decision::Bulk);
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let t = TcpState { rtt_us: u32::MAX, mss: u32::MAX, cwnd: u32::MAX, unacked: 0 };
        assert_eq!(decide(&cond(u32::MAX, u32::MAX, u32::MAX), &t, u64::MAX, 0), Decision::Disable);
        assert_eq!(decide(&cond(0, u32::MAX, u32::MAX), &t, 0, 0), Decision::Bulk);
        // loopback-like: tiny RTT, min_rtt 0 forces the mode; a 64 KiB MSS fits the u16 payload
        let t = TcpState { rtt_us: 30, mss: 65483, cwnd: 10, unacked: 0 };
        assert_eq!(
            decide(&cond(0, u32::MAX, u32::MAX), &t, 0, 0),
            Decision::Minimize { tls_payload: 65483, write_size: 12 * 65483 }
        );
    }
}
