//! The event loop: `h2o_evloop_t` on a `mio::Poll` (epoll on Linux), its clock, sockets and timeouts.
//!
//! A [`Loop`] is one heap block whose first field is the C-visible `h2o_evloop_t` (152 bytes, as
//! 2.2.5), so the pointer C holds is the pointer to the whole block; the engine's state follows.
//! One iteration ([`Loop::run`]):
//!
//! ```text
//!   clock ─► wait = min(max_wait, earliest timeout deadline - now) ─► mio poll ─► clock
//!         ─► socket callbacks (socket.rs) ─► every due timeout entry, in link order ─► free closed sockets
//! ```
//!
//! The clock (`_now`, what the inline `h2o_now()` reads) is wall-clock milliseconds since the epoch,
//! as 2.2.5's; unlike 2.2.5 it never goes backwards, so a clock set back cannot stall timeouts.

pub mod latency;
pub mod addr;
pub mod socket;
pub mod timeout;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::abi::evloop::{h2o_evloop_t, h2o_linklist_t, h2o_sliding_counter_t, h2o_timeout_t};

/// How many readiness events one poll returns at most (more wait for the next iteration).
const EVENTS_CAPACITY: usize = 256;

/// The whole loop; C sees only `base`.
#[repr(C)]
pub struct Loop {
    /// Must stay the first field: `*mut Loop` and `*mut h2o_evloop_t` are the same pointer.
    pub base: h2o_evloop_t,
    pub(crate) poll: mio::Poll,
    events: mio::Events,
    pub(crate) sockets: socket::Sockets,
    /// The readiness of one poll (token, readable, writable, read side closed), kept between
    /// iterations so that running the loop allocates nothing.
    ready: Vec<(usize, bool, bool, bool)>,
    /// A 1 ms timeout for the library's own short waits (the HTTP/2 writer's window reserve,
    /// `http2::conn::reserve`), on the loop's list from its first use; it lives as long as the
    /// loop, so entries of connections freed from their callbacks never leave a dangling timeout
    /// behind.
    one_ms_timeout: h2o_timeout_t,
}

impl Loop {
    /// Allocates and initializes a loop; the caller owns the returned pointer (see
    /// [`Loop::destroy`]). Dies through `fatal` when the kernel refuses a poller (2.2.5 dies too).
    pub fn create() -> *mut h2o_evloop_t {
        let poll = match mio::Poll::new() {
            Ok(p) => p,
            Err(e) => crate::mem::fatal(&format!("h2o_evloop_create: cannot create a poller: {e}")),
        };
        let lp = Box::into_raw(Box::new(Loop {
            base: h2o_evloop_t {
                _pending_as_client: std::ptr::null_mut(),
                _pending_as_server: std::ptr::null_mut(),
                _statechanged_head: std::ptr::null_mut(),
                _statechanged_tail_ref: std::ptr::null_mut(),
                _now: 0,
                _timeouts: h2o_linklist_t { next: std::ptr::null_mut(), prev: std::ptr::null_mut() },
                exec_time_counter: h2o_sliding_counter_t::default(),
            },
            poll,
            events: mio::Events::with_capacity(EVENTS_CAPACITY),
            sockets: socket::Sockets::default(),
            ready: Vec::with_capacity(EVENTS_CAPACITY),
            one_ms_timeout: h2o_timeout_t {
                timeout: 1,
                _link: h2o_linklist_t { next: std::ptr::null_mut(), prev: std::ptr::null_mut() },
                _entries: h2o_linklist_t { next: std::ptr::null_mut(), prev: std::ptr::null_mut() },
                _backend: crate::abi::evloop::st_h2o_timeout_backend_properties_t { _dummy: 0 },
            },
        }));
        // SAFETY: `lp` is the live allocation just made; the self-references point into it and the
        // block does not move until `destroy`.
        unsafe {
            let base = &raw mut (*lp).base;
            (*base)._statechanged_tail_ref = &raw mut (*base)._statechanged_head;
            timeout::init_anchor(&raw mut (*base)._timeouts);
            (*base)._now = wall_clock_ms();
            (*base).exec_time_counter.cur_start_at = (*base)._now;
        }
        lp.cast()
    }

    /// Frees a loop made by [`Loop::create`].
    ///
    /// # Safety
    /// `lp` came from `create` and is not used afterwards.
    pub unsafe fn destroy(lp: *mut h2o_evloop_t) {
        // SAFETY: per the contract, this is the Box made in `create`; closed sockets are freed
        // first (open ones are the caller's mistake and stay allocated).
        unsafe {
            socket::reap(lp.cast());
            drop(Box::from_raw(lp.cast::<Loop>()));
        }
    }

    /// The loop's 1 ms timeout (see the field), linked into the loop's list on first use: until
    /// the library needs it the list holds only the embedder's timeouts, as in 2.2.5 (whose
    /// embedders may check that disposing theirs empties it).
    ///
    /// # Safety
    /// `lp` came from `create`.
    pub unsafe fn one_ms_timeout(lp: *mut h2o_evloop_t) -> *mut h2o_timeout_t {
        // SAFETY: per the contract, `lp` is a Loop; the timeout lives as long as the loop.
        unsafe {
            let t = &raw mut (*lp.cast::<Loop>()).one_ms_timeout;
            if (*t)._link.next.is_null() {
                timeout::init(lp, t, 1);
            }
            t
        }
    }

    /// One iteration; 0 on success, -1 when polling failed.
    ///
    /// # Safety
    /// `lp` came from `create`; not called from inside one of this loop's callbacks.
    pub unsafe fn run(lp: *mut h2o_evloop_t, max_wait: i32) -> i32 {
        let this = lp.cast::<Loop>();
        // SAFETY: `lp` is a live Loop (contract); `run` is not re-entered, so the list is ours.
        let mut ready = unsafe { std::mem::take(&mut (*this).ready) };
        ready.clear();
        // Only raw pointers are held across the C callbacks below: they may re-enter the library
        // with this loop (link timeouts, read h2o_now) while a callback runs.
        // SAFETY: `lp` is a live Loop (contract); the anchor is initialized.
        let wake_at = unsafe { timeout::wake_at(&raw mut (*lp)._timeouts) };
        // SAFETY: as above; no callback runs during this block, so the &mut is unique.
        let rc = unsafe {
            let lpm = &mut *this;
            let now = lpm.update_clock();
            let busy = lpm.sockets.has_next() || lpm.sockets.has_pending();
            let wait = if wake_at <= now || busy {
                Some(Duration::ZERO)
            } else {
                let until_timeout = wake_at - now;
                match u64::try_from(max_wait) {
                    Ok(m) => Some(Duration::from_millis(m.min(until_timeout))),
                    Err(_) if wake_at == u64::MAX => None,
                    Err(_) => Some(Duration::from_millis(until_timeout)),
                }
            };
            let counter = &mut lpm.base.exec_time_counter;
            if counter.cur_start_at != 0 {
                counter_stop(counter, now);
            }
            let rc = match lpm.poll.poll(&mut lpm.events, wait) {
                Ok(()) => 0,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => 0,
                Err(_) => -1,
            };
            let now = lpm.update_clock();
            lpm.base.exec_time_counter.cur_start_at = now;
            ready.extend(lpm.events.iter().map(|ev| {
                let r = ev.is_readable() || ev.is_read_closed() || ev.is_error();
                let w = ev.is_writable() || ev.is_write_closed() || ev.is_error();
                (ev.token().0, r, w, ev.is_read_closed() || ev.is_error())
            }));
            rc
        };
        // SAFETY: `this` is live; no reference into it is held across the callbacks.
        unsafe {
            socket::dispatch_events(this, &ready);
            socket::run_pending(this);
            (*this).ready = ready;
        }

        // SAFETY: `lp` is live; `run_all` re-reads every pointer after each callback.
        unsafe {
            timeout::run_all(lp);
            socket::reap(this);
        }
        rc
    }

    /// After each timeout callback: the socket work it queued (write completions, reads).
    ///
    /// # Safety
    /// `lp` came from `create`.
    pub unsafe fn post_callback(lp: *mut h2o_evloop_t) {
        // SAFETY: per the contract.
        unsafe { socket::run_pending(lp.cast()) }
    }

    /// Sets `_now` from the wall clock, never backwards; returns it.
    fn update_clock(&mut self) -> u64 {
        let now = wall_clock_ms().max(self.base._now);
        self.base._now = now;
        now
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
fn wall_clock_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Ends the counter's running period at `now`: stores its length in the next of the 8 slots and
/// sets `average` to the mean of the slots.
pub fn counter_stop(counter: &mut h2o_sliding_counter_t, now: u64) {
    let elapsed = now.saturating_sub(counter.cur_start_at);
    counter.cur_start_at = 0;
    let slots = counter.prev_slots.len();
    let i = counter.prev_index % slots;
    counter.prev_sum = counter.prev_sum.wrapping_sub(counter.prev_slots[i]).wrapping_add(elapsed);
    counter.prev_slots[i] = elapsed;
    counter.prev_index = (i + 1) % slots;
    counter.average = counter.prev_sum / slots as u64;
}

#[cfg(test)]
mod tests;
