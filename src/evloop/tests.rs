use std::cell::RefCell;
use std::mem::offset_of;
use std::ptr::null_mut;

use super::*;
use crate::abi::evloop::{h2o_timeout_entry_t, h2o_timeout_t};

fn zero_timeout() -> Box<h2o_timeout_t> {
    // SAFETY: all-zero is a valid (unlinked) h2o_timeout_t: integers and null pointers.
    Box::new(unsafe { std::mem::zeroed() })
}

/// An entry with a test id, as C code embeds an entry in its own object.
#[repr(C)]
struct Job {
    entry: h2o_timeout_entry_t,
    id: u32,
}

impl Job {
    fn new(id: u32) -> Box<Job> {
        Box::new(Job {
            entry: h2o_timeout_entry_t {
                registered_at: 0,
                cb: Some(on_fire),
                _link: h2o_linklist_t { next: null_mut(), prev: null_mut() },
            },
            id,
        })
    }
}

thread_local! {
    static FIRED: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    /// (loop, timeout, job) the callback of job `id` links again; used by the relink test.
    static RELINK: RefCell<Option<(*mut h2o_evloop_t, *mut h2o_timeout_t)>> = const { RefCell::new(None) };
}

unsafe extern "C" fn on_fire(e: *mut h2o_timeout_entry_t) {
    let job = e.wrapping_byte_sub(offset_of!(Job, entry)).cast::<Job>();
    // SAFETY: every entry in these tests is the first field of a live Job.
    let id = unsafe { (*job).id };
    FIRED.with(|f| f.borrow_mut().push(id));
    if let Some((lp, t)) = RELINK.with(|r| *r.borrow()) {
        // SAFETY: lp and t are live for the test's duration; the entry was unlinked before the call.
        unsafe { timeout::link(lp, t, e) };
    }
}

fn fired() -> Vec<u32> {
    FIRED.with(|f| std::mem::take(&mut *f.borrow_mut()))
}

#[test]
fn counter_keeps_the_mean_of_eight_periods() {
    let mut c = h2o_sliding_counter_t::default();
    for i in 0..8u64 {
        c.cur_start_at = 1000;
        counter_stop(&mut c, 1000 + 8 * (i + 1));
    }
    // 8, 16, ..., 64: mean 36
    assert_eq!(c.average, 36);
    c.cur_start_at = 5;
    counter_stop(&mut c, 5 + 80); // replaces the 8
    assert_eq!(c.average, (36 * 8 - 8 + 80) / 8);
    assert_eq!(c.cur_start_at, 0);
}

#[test]
fn entries_fire_in_link_order_once_due() {
    let lp = Loop::create();
    let mut t = zero_timeout();
    let tp = &raw mut *t;
    let mut jobs: Vec<Box<Job>> = (1..=3).map(Job::new).collect();
    // SAFETY: lp is live; t and the jobs stay boxed (in place) while linked.
    unsafe {
        timeout::init(lp, tp, 50);
        let now = (*lp)._now;
        for j in jobs.iter_mut() {
            timeout::link(lp, tp, &raw mut j.entry);
        }
        assert_eq!(timeout::wake_at(&raw mut (*lp)._timeouts), now + 50);
        timeout::run(lp, tp, now + 49);
        assert!(fired().is_empty());
        // job 2 cancelled
        timeout::unlink_entry(&raw mut jobs[1].entry);
        assert_eq!(jobs[1].entry.registered_at, 0);
        timeout::run(lp, tp, now + 50);
        assert_eq!(fired(), vec![1, 3]);
        assert!(!timeout::is_linked(&raw const jobs[0].entry._link));
        assert_eq!(timeout::wake_at(&raw mut (*lp)._timeouts), u64::MAX);
        timeout::dispose(lp, tp);
        // the loop's list is empty again (its own 1 ms timeout is linked only once used)
        assert!(timeout::is_empty(&raw const (*lp)._timeouts));
        let own = Loop::one_ms_timeout(lp);
        assert_eq!((*lp)._timeouts.next, &raw mut (*own)._link, "linked at its first use");
        assert_eq!(Loop::one_ms_timeout(lp), own, "once");
        assert_eq!((*lp)._timeouts.prev, &raw mut (*own)._link);
        Loop::destroy(lp);
    }
}

#[test]
fn run_waits_for_the_earliest_timeout_and_fires_it() {
    let lp = Loop::create();
    let (mut short, mut long) = (zero_timeout(), zero_timeout());
    let (sp, lgp) = (&raw mut *short, &raw mut *long);
    let (mut a, mut b) = (Job::new(10), Job::new(20));
    let start = std::time::Instant::now();
    // SAFETY: as above.
    unsafe {
        timeout::init(lp, sp, 30);
        timeout::init(lp, lgp, 5000);
        timeout::link(lp, lgp, &raw mut b.entry);
        timeout::link(lp, sp, &raw mut a.entry);
        // max_wait is larger than the short timeout: run() must wake up for it
        let mut got = Vec::new();
        for _ in 0..100 {
            assert_eq!(Loop::run(lp, 10_000), 0);
            got = fired();
            if !got.is_empty() {
                break;
            }
        }
        assert_eq!(got, vec![10], "the 30 ms timeout fired alone");
        let el = start.elapsed();
        assert!(el >= Duration::from_millis(29) && el < Duration::from_secs(3), "fired after {el:?}");
        assert!(timeout::is_linked(&raw const b.entry._link));
        timeout::unlink_entry(&raw mut b.entry);
        timeout::dispose(lp, sp);
        timeout::dispose(lp, lgp);
        Loop::destroy(lp);
    }
}

#[test]
fn a_zero_timeout_relinked_by_its_callback_fires_once_per_iteration() {
    let lp = Loop::create();
    let mut t = zero_timeout();
    let tp = &raw mut *t;
    let mut j = Job::new(7);
    // SAFETY: as above.
    unsafe {
        timeout::init(lp, tp, 0);
        timeout::link(lp, tp, &raw mut j.entry);
        RELINK.with(|r| *r.borrow_mut() = Some((lp, tp)));
        assert_eq!(Loop::run(lp, 1000), 0);
        assert_eq!(fired(), vec![7]);
        assert!(timeout::is_linked(&raw const j.entry._link));
        assert_eq!(Loop::run(lp, 1000), 0);
        assert_eq!(fired(), vec![7]);
        RELINK.with(|r| *r.borrow_mut() = None);
        timeout::unlink_entry(&raw mut j.entry);
        timeout::dispose(lp, tp);
        Loop::destroy(lp);
    }
}

#[test]
fn max_wait_bounds_an_idle_run_and_the_clock_advances() {
    let lp = Loop::create();
    // SAFETY: lp is live.
    unsafe {
        let before = (*lp)._now;
        let start = std::time::Instant::now();
        assert_eq!(Loop::run(lp, 20), 0);
        assert!(start.elapsed() >= Duration::from_millis(19));
        assert!((*lp)._now >= before + 19);
        Loop::destroy(lp);
    }
}

// ---- sockets --------------------------------------------------------------------------------------

#[test]
fn snapshot_lists_the_structs_on_a_list_in_order() {
    let mut anchor = Box::new(h2o_linklist_t { next: null_mut(), prev: null_mut() });
    let mut jobs: Vec<Box<Job>> = (1..=3).map(Job::new).collect();
    // SAFETY: the anchor and the jobs are boxed (they stay in place) and outlive the list.
    unsafe {
        timeout::init_anchor(&mut *anchor);
        for j in &mut jobs {
            timeout::insert(&mut *anchor, &raw mut j.entry._link);
        }
        let at = offset_of!(Job, entry) + offset_of!(h2o_timeout_entry_t, _link);
        let got: Vec<u32> = timeout::snapshot::<Job>(&mut *anchor, at).iter().map(|&j| (*j).id).collect();
        assert_eq!(got, [1, 2, 3]);
        timeout::unlink(&raw mut jobs[1].entry._link);
        let got: Vec<u32> = timeout::snapshot::<Job>(&mut *anchor, at).iter().map(|&j| (*j).id).collect();
        assert_eq!(got, [1, 3]);
        for j in [0, 2] {
            timeout::unlink(&raw mut jobs[j].entry._link);
        }
        assert!(timeout::snapshot::<Job>(&mut *anchor, at).is_empty());
    }
}

mod sockets {
    use std::ffi::c_char;
    use std::io::{Read, Write};
    use std::os::fd::IntoRawFd;
    use std::os::unix::net::UnixStream;

    use super::super::{socket, Loop};
    use crate::abi::memory::h2o_iovec_t;
    use crate::abi::socket::{errors, h2o_socket_t};

    thread_local! {
        static EVENTS: std::cell::RefCell<Vec<(&'static str, usize, bool)>> = const { std::cell::RefCell::new(Vec::new()) };
        static IN_WRITE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    unsafe extern "C" fn on_read(s: *mut h2o_socket_t, err: *const c_char) {
        // SAFETY: called by the loop with a live socket.
        let n = unsafe { (*(*s).input).size };
        EVENTS.with(|e| e.borrow_mut().push(("read", n, err == errors::closed())));
        if !err.is_null() {
            // SAFETY: closing from inside the socket's own callback is allowed.
            unsafe { socket::close(s.cast()) };
        }
    }

    unsafe extern "C" fn on_written(_s: *mut h2o_socket_t, err: *const c_char) {
        assert!(!IN_WRITE.with(|w| w.get()), "the write callback ran inside h2o_socket_write");
        EVENTS.with(|e| e.borrow_mut().push(("written", 0, err.is_null())));
    }

    fn events() -> Vec<(&'static str, usize, bool)> {
        EVENTS.with(|e| std::mem::take(&mut *e.borrow_mut()))
    }

    #[test]
    fn reads_land_in_input_and_end_of_stream_closes() {
        let lp = Loop::create();
        let (ours, mut peer) = UnixStream::pair().unwrap();
        // SAFETY: lp is live; the descriptor passes to the socket.
        unsafe {
            let s = socket::create(lp.cast(), ours.into_raw_fd(), 0);
            assert!(!s.is_null());
            socket::read_start(s, Some(on_read));
            peer.write_all(b"hello").unwrap();
            for _ in 0..50 {
                Loop::run(lp, 100);
                if !EVENTS.with(|e| e.borrow().is_empty()) {
                    break;
                }
            }
            assert_eq!(events(), vec![("read", 5, false)]);
            drop(peer);
            for _ in 0..50 {
                Loop::run(lp, 100);
                if !EVENTS.with(|e| e.borrow().is_empty()) {
                    break;
                }
            }
            assert_eq!(events(), vec![("read", 5, true)]);
            Loop::destroy(lp);
        }
    }

    #[test]
    fn a_large_write_completes_once_from_the_loop() {
        let lp = Loop::create();
        let (ours, peer) = UnixStream::pair().unwrap();
        let data: Vec<u8> = (0..4 << 20).map(|i: u32| (i % 251) as u8).collect();
        let expect = data.clone();
        let reader = std::thread::spawn(move || {
            let mut peer = peer;
            let mut got = Vec::new();
            peer.read_to_end(&mut got).unwrap();
            got
        });
        // SAFETY: lp is live; `data` outlives the write.
        unsafe {
            let s = socket::create(lp.cast(), ours.into_raw_fd(), 0);
            let half = data.len() / 2;
            let bufs = [
                h2o_iovec_t { base: data.as_ptr() as *mut c_char, len: half },
                h2o_iovec_t { base: std::ptr::null_mut(), len: 0 },
                h2o_iovec_t { base: data.as_ptr().add(half) as *mut c_char, len: data.len() - half },
            ];
            IN_WRITE.with(|w| w.set(true));
            socket::write(s, bufs.as_ptr(), bufs.len(), Some(on_written));
            IN_WRITE.with(|w| w.set(false));
            assert!((*s).base._cb_write.is_some());
            for _ in 0..1000 {
                Loop::run(lp, 100);
                if !EVENTS.with(|e| e.borrow().is_empty()) {
                    break;
                }
            }
            assert_eq!(events(), vec![("written", 0, true)]);
            assert!((*s).base._cb_write.is_none());
            assert_eq!((*s).base.bytes_written, data.len());
            socket::close(s);
            Loop::run(lp, 0);
            Loop::destroy(lp);
        }
        assert!(reader.join().unwrap() == expect);
    }
}

/// Latency-optimized writes on a loopback connection (RTT is tiny there: min_rtt 0 forces the mode).
mod latency_loopback {
    use std::ffi::c_char;
    use std::io::Read;
    use std::net::{TcpListener, TcpStream};
    use std::os::fd::{AsRawFd, IntoRawFd};
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::super::latency::{self, STATE_DETERMINED, STATE_DISABLED};
    use super::*;
    use crate::abi::memory::h2o_iovec_t;
    use crate::abi::socket::{h2o_socket_latency_optimization_conditions_t as Conditions, h2o_socket_t};

    static DONE: AtomicBool = AtomicBool::new(false);

    unsafe extern "C" fn on_done(_s: *mut h2o_socket_t, err: *const c_char) {
        assert!(err.is_null());
        DONE.store(true, Ordering::SeqCst);
    }

    fn lowat(fd: i32) -> i32 {
        let mut v: libc::c_int = -1;
        let mut l = 4 as libc::socklen_t;
        // SAFETY: getsockopt writes an int into a live local.
        unsafe { libc::getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NOTSENT_LOWAT, (&raw mut v).cast(), &mut l) };
        v
    }

    #[test]
    fn enters_and_leaves_the_mode_and_writes_in_rounds() {
        const LEN: usize = 8 << 20;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let ours = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        let fd = ours.as_raw_fd();
        let data: Vec<u8> = (0..LEN).map(|i| (i * 7 % 251) as u8).collect();
        let expect = data.clone();
        let lp = Loop::create();
        let force = Conditions { min_rtt: 0, max_additional_delay: u32::MAX, max_cwnd: u32::MAX };
        // SAFETY: lp is live; `data` outlives the write; the socket is closed before the loop.
        unsafe {
            let s = socket::create(lp.cast(), ours.into_raw_fd(), 0);
            assert_eq!((*s).base._lo_state, latency::STATE_TBD);
            let size = socket::prepare_latency_optimized(s, &force);
            let t = latency::tcp_state(fd).unwrap();
            assert_eq!((*s).base._lo_state, STATE_DETERMINED);
            assert_ne!(size, usize::MAX);
            assert!(size <= (t.cwnd as usize + 2) * t.mss as usize, "{size} with {t:?}");
            assert_eq!(lowat(fd), 1);

            // the first write hands the kernel one window at most, the rest goes in later rounds
            let reader = std::thread::spawn(move || {
                let mut got = Vec::with_capacity(LEN);
                let mut buf = vec![0u8; 1 << 16];
                while got.len() < LEN {
                    let n = peer.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                got
            });
            let buf = h2o_iovec_t { base: data.as_ptr() as *mut c_char, len: data.len() };
            socket::write(s, &buf, 1, Some(on_done));
            let first = (*s).base.bytes_written;
            let t = latency::tcp_state(fd).unwrap();
            assert!(first <= (t.cwnd as usize + 2) * t.mss.max(65535) as usize, "first round wrote {first}");
            assert!(first < LEN);
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            let mut rounds = 0;
            while !DONE.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
                Loop::run(lp, 10);
                rounds += 1;
            }
            assert!(DONE.load(Ordering::SeqCst), "the write completed ({} of {LEN} after {rounds} rounds)", (*s).base.bytes_written);
            assert_eq!((*s).base.bytes_written, LEN);
            assert!(reader.join().unwrap() == expect);

            // a window above max_cwnd: bulk, the unsent limit back to the default
            let bulky = Conditions { max_cwnd: 1, ..force };
            assert_eq!(socket::prepare_latency_optimized(s, &bulky), usize::MAX);
            assert_eq!((*s).base._lo_state, STATE_DETERMINED);
            assert_eq!(lowat(fd), 0);
            // an RTT below min_rtt: disabled
            let off = Conditions { min_rtt: u32::MAX, ..force };
            assert_eq!(socket::prepare_latency_optimized(s, &off), usize::MAX);
            assert_eq!((*s).base._lo_state, STATE_DISABLED);

            socket::close(s);
            Loop::run(lp, 0);
            Loop::destroy(lp);
        }
    }
}
