//! The window reserve of latency-optimized writes: keep the last [`RESERVE`] packets of the
//! congestion window free for a moment, so that a request which arrives just after the
//! acknowledgements of a round (a browser asking for a script it found in the first bytes of the
//! HTML) is answered in this round, not one RTT later.
//!
//! Why: in slow start the acknowledgements of a round arrive together (all of them within a
//! fraction of a millisecond when the path has no bottleneck), and a writer that fills the
//! window as each one arrives has used it all before the client's request, sent a moment after
//! the kernel's acknowledgements, gets there. The response then waits for the next round: 2 RTT
//! instead of 1, depending on a race of about a millisecond (the measurement in BENCHMARKS.md,
//! "Latency-optimized writes on an emulated WAN", showed ON runs flipping between 1 and 2 RTT
//! without a bandwidth cap, on 2.2.5 and on us before this).
//!
//! The rule, at each writable moment of a connection in latency-optimized mode (`avail` =
//! `cwnd - unacked` from TCP_INFO, in packets):
//! - a request arrived since the last write: the whole window (`avail` + 2, as the socket's
//!   suggested size), the scheduler putting the new stream first;
//! - `avail` > [`RESERVE`]: all but the reserve (progress: the hold restarts);
//! - otherwise hold (the glue looks again every millisecond: an acknowledgement may open the
//!   window) until [`hold_ms`] passed without progress, then the whole window.
//!
//! The cost: the reserve's packets of each round leave at most [`hold_ms`] later (5 ms at most,
//! against RTTs of 50 ms and more in this mode).
#![forbid(unsafe_code)]

/// Packets of the window kept for a request that may come (a small response fits in one).
pub const RESERVE: u32 = 2;
/// Packets beyond the window handed to the kernel (the socket's suggested size has them too).
pub const SLACK: u32 = 2;
/// The longest hold, milliseconds.
pub const MAX_HOLD_MS: u64 = 5;

/// How long the reserve is held without progress: 5 ms, or `max_additional_delay` % of the RTT
/// when that is less (the delay the mode is allowed to add), at least 1 ms.
pub fn hold_ms(rtt_us: u32, max_additional_delay: u32) -> u64 {
    let allowed = u64::from(rtt_us) * u64::from(max_additional_delay) / 100 / 1000;
    allowed.clamp(1, MAX_HOLD_MS)
}

/// What to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Write at most this many bytes.
    Write(usize),
    /// Write nothing; look again in a millisecond.
    Hold,
}

/// The reserve's state, one per connection.
#[derive(Debug, Default, Clone, Copy)]
pub struct Reserve {
    holding: bool,
    progress_at_ms: u64,
}

impl Reserve {
    /// The step for a window of `avail` packets of `mss` bytes at `now_ms`; `new_request`: a
    /// request arrived since the last write; `hold`: [`hold_ms`].
    pub fn step(&mut self, avail: u32, mss: usize, now_ms: u64, hold: u64, new_request: bool) -> Step {
        let packets = |n: u32| n as usize * mss.max(1);
        if new_request {
            self.holding = false;
            return Step::Write(packets(avail + SLACK));
        }
        if avail > RESERVE {
            self.holding = true;
            self.progress_at_ms = now_ms;
            return Step::Write(packets(avail - RESERVE));
        }
        if !self.holding {
            self.holding = true;
            self.progress_at_ms = now_ms;
            return Step::Hold;
        }
        if now_ms.saturating_sub(self.progress_at_ms) < hold {
            return Step::Hold;
        }
        self.holding = false;
        Step::Write(packets(avail + SLACK))
    }

    /// Holding (the glue's millisecond check is wanted).
    pub fn holding(&self) -> bool {
        self.holding
    }

    /// Forget the hold (the connection left the mode).
    pub fn reset(&mut self) {
        self.holding = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: usize = 1448;

    #[test]
    fn a_round_keeps_the_reserve_until_the_hold_ends() {
        let mut r = Reserve::default();
        // initial window of 10: all but 2, then hold
        assert_eq!(r.step(10, MSS, 0, 5, false), Step::Write(8 * MSS));
        assert_eq!(r.step(2, MSS, 0, 5, false), Step::Hold);
        assert!(r.holding());
        assert_eq!(r.step(2, MSS, 4, 5, false), Step::Hold);
        // 5 ms without progress: the whole window and the slack
        assert_eq!(r.step(2, MSS, 5, 5, false), Step::Write(4 * MSS));
        assert!(!r.holding());
    }

    #[test]
    fn acknowledgements_during_the_hold_are_progress() {
        let mut r = Reserve::default();
        assert_eq!(r.step(10, MSS, 0, 5, false), Step::Write(8 * MSS));
        assert_eq!(r.step(2, MSS, 3, 5, false), Step::Hold);
        // an ACK opened the window at 4 ms: write all but the reserve, the hold restarts
        assert_eq!(r.step(6, MSS, 4, 5, false), Step::Write(4 * MSS));
        assert_eq!(r.step(2, MSS, 8, 5, false), Step::Hold);
        assert_eq!(r.step(2, MSS, 9, 5, false), Step::Write(4 * MSS));
    }

    #[test]
    fn a_new_request_gets_the_whole_window_at_once() {
        let mut r = Reserve::default();
        assert_eq!(r.step(20, MSS, 0, 5, false), Step::Write(18 * MSS));
        assert_eq!(r.step(2, MSS, 1, 5, true), Step::Write(4 * MSS));
        assert!(!r.holding());
        // a full window (nothing in it) still has the slack
        assert_eq!(r.step(0, MSS, 1, 5, true), Step::Write(2 * MSS));
    }

    #[test]
    fn a_small_window_is_held_first() {
        let mut r = Reserve::default();
        assert_eq!(r.step(1, MSS, 10, 5, false), Step::Hold);
        assert_eq!(r.step(1, MSS, 15, 5, false), Step::Write(3 * MSS));
        r.reset();
        assert!(!r.holding());
    }

    #[test]
    fn the_hold_is_short_against_the_rtt() {
        assert_eq!(hold_ms(250_000, 10), 5);
        assert_eq!(hold_ms(40_000, 10), 4);
        assert_eq!(hold_ms(5_000, 10), 1);
        assert_eq!(hold_ms(u32::MAX, u32::MAX), 5);
        assert_eq!(hold_ms(0, 0), 1);
    }
}
