//! What decoders hold at once, process-wide.
//!
//! A compressed stream or member is decoded into memory before it is
//! scanned, and held until the scan of it ends. One stream is bounded by the
//! member limit and the ratio limit; this bounds what all threads hold
//! together (a batch of hundreds of targets on many cores, or Python threads
//! calling the API). Every decoded buffer is charged to the thread that
//! decoded it, in the allocation's real size, before it is allocated. A
//! decoder that would take the total past the budget waits until others
//! release theirs, unless its thread holds the most (ties broken by thread
//! number): that thread always proceeds, so the largest scan runs on, frees
//! what it holds when it ends, and waiting cannot deadlock. What is held at
//! once is at most the budget plus what that one thread takes past it (the
//! buffers of the scan it is in, each within the member limit).
//!
//! A task that another thread joins (the zip walk's early scan of
//! `data.pkl`) never waits: the joining thread may be the largest holder,
//! and it cannot free anything before the task ends. See [`never_wait`].
//! Work stealing can build such a dependency anywhere (a thread waiting in
//! a join runs another file's scan, whose decoder then waits for the pool
//! while the largest holder waits for that join), so a wait is also cut
//! short: a decoder that has waited [`STALL`] while nothing was released
//! anywhere goes on (counted as `forced`). The bound then gives way rather
//! than the scan hanging.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Decoded bytes held at once, process-wide, unless `--max-decoded-in-flight`
/// (`ContainerLimits::max_in_flight`) says otherwise.
pub const DEFAULT_BUDGET: u64 = 2 << 30;

/// The process's pool: every decoder charges it.
pub(crate) static DECODED: InFlight = InFlight::new(STALL);

/// How long a decoder waits with nothing released anywhere before it goes
/// on regardless.
pub const STALL: Duration = Duration::from_secs(5);

/// The process's pool, as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InFlightStats {
    /// Decoded bytes held now.
    pub held: u64,
    /// The most held at once since the process started.
    pub peak: u64,
    /// Waits cut short because nothing was released for [`STALL`].
    pub forced: u64,
}

/// What the process's decoders hold, and held at most.
pub fn decoded_in_flight() -> InFlightStats {
    let s = DECODED.lock();
    InFlightStats {
        held: s.total,
        peak: s.peak,
        forced: s.forced,
    }
}

thread_local! {
    static HOLDER: u64 = {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        NEXT.fetch_add(1, Ordering::Relaxed)
    };
    static NO_WAIT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` on this thread without ever waiting for the pool (its charges
/// still count).
pub(crate) fn never_wait<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            NO_WAIT.with(|w| w.set(self.0));
        }
    }
    let _restore = Restore(NO_WAIT.with(|w| w.replace(true)));
    f()
}

#[derive(Debug, Default)]
struct State {
    /// Bytes held per thread (holders with nothing are removed).
    held: BTreeMap<u64, u64>,
    total: u64,
    peak: u64,
    /// Times a charge waited (for tests).
    waits: u64,
    /// Releases so far: a waiter that sees none for [`STALL`] goes on.
    releases: u64,
    /// Waits cut short that way.
    forced: u64,
}

impl State {
    /// Whether `holder` holds the most (then it never waits).
    fn is_largest(&self, holder: u64) -> bool {
        let mine = (self.held.get(&holder).copied().unwrap_or(0), holder);
        self.held
            .iter()
            .all(|(&h, &bytes)| h == holder || (bytes, h) < mine)
    }
}

/// A pool of decoded bytes with a budget per charge.
#[derive(Debug)]
pub(crate) struct InFlight {
    state: Mutex<State>,
    freed: Condvar,
    stall: Duration,
}

/// Bytes charged to one thread; released when dropped.
#[derive(Debug)]
pub(crate) struct Charge<'p> {
    pool: &'p InFlight,
    holder: u64,
    bytes: u64,
}

impl InFlight {
    pub(crate) const fn new(stall: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                held: BTreeMap::new(),
                total: 0,
                peak: 0,
                waits: 0,
                releases: 0,
                forced: 0,
            }),
            freed: Condvar::new(),
            stall,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An empty charge for this thread.
    pub(crate) fn charge(&self) -> Charge<'_> {
        Charge {
            pool: self,
            holder: HOLDER.with(|h| *h),
            bytes: 0,
        }
    }

    fn add(&self, holder: u64, more: u64, budget: u64) {
        let may_wait = !NO_WAIT.with(Cell::get);
        let mut s = self.lock();
        let mut waited = false;
        let mut seen = s.releases;
        while may_wait && s.total.saturating_add(more) > budget && !s.is_largest(holder) {
            if !waited {
                s.waits += 1;
                waited = true;
            }
            let (guard, timeout) = self
                .freed
                .wait_timeout(s, self.stall)
                .unwrap_or_else(PoisonError::into_inner);
            s = guard;
            if timeout.timed_out() {
                if s.releases == seen {
                    s.forced += 1;
                    break;
                }
                seen = s.releases;
            }
        }
        let st = &mut *s;
        *st.held.entry(holder).or_default() += more;
        st.total += more;
        st.peak = st.peak.max(st.total);
    }

    fn release(&self, holder: u64, bytes: u64) {
        if bytes == 0 {
            return;
        }
        let mut s = self.lock();
        let st = &mut *s;
        if let Some(h) = st.held.get_mut(&holder) {
            *h = h.saturating_sub(bytes);
            if *h == 0 {
                st.held.remove(&holder);
            }
        }
        st.total = st.total.saturating_sub(bytes);
        st.releases += 1;
        drop(s);
        self.freed.notify_all();
    }

    #[cfg(test)]
    fn snapshot(&self) -> (u64, u64, u64) {
        let s = self.lock();
        (s.total, s.peak, s.waits)
    }

    #[cfg(test)]
    fn forced(&self) -> u64 {
        self.lock().forced
    }
}

impl Charge<'_> {
    /// Charges `more` bytes (waiting while the pool is over `budget` and
    /// another thread holds more).
    pub(crate) fn grow(&mut self, more: u64, budget: u64) {
        self.pool.add(self.holder, more, budget);
        self.bytes += more;
    }

    /// Bytes charged.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Charge<'_> {
    fn drop(&mut self) {
        self.pool.release(self.holder, self.bytes);
    }
}

/// A growable buffer of decoded bytes, charged to the pool before it grows.
#[derive(Debug)]
pub(crate) struct Buffer {
    data: Vec<u8>,
    charge: Charge<'static>,
    budget: u64,
    /// Capacity never asked for beyond this (the stream's own limit).
    cap: u64,
}

impl Buffer {
    pub(crate) fn new(budget: u64, cap: u64) -> Self {
        Self::in_pool(&DECODED, budget, cap)
    }

    pub(crate) fn in_pool(pool: &'static InFlight, budget: u64, cap: u64) -> Self {
        Self {
            data: Vec::new(),
            charge: pool.charge(),
            budget,
            cap,
        }
    }

    /// Appends `bytes`, growing the allocation (and the charge) first.
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        let need = self.data.len() + bytes.len();
        if need > self.data.capacity() {
            let doubled = (self.data.capacity() * 2).max(64 << 10);
            let cap = usize::try_from(self.cap).unwrap_or(usize::MAX);
            let target = doubled.min(cap).max(need);
            let more = (target as u64).saturating_sub(self.charge.bytes());
            if more > 0 {
                self.charge.grow(more, self.budget);
            }
            self.data.reserve_exact(target - self.data.len());
        }
        self.data.extend_from_slice(bytes);
    }

    pub(crate) fn len(&self) -> usize {
        self.data.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

impl std::ops::Deref for Buffer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.data
    }
}

impl AsRef<[u8]> for Buffer {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use super::*;

    fn pool() -> &'static InFlight {
        Box::leak(Box::new(InFlight::new(STALL)))
    }

    #[test]
    fn charges_are_released_when_buffers_are_dropped() {
        let pool = pool();
        let mut b = Buffer::in_pool(pool, 1 << 30, 1 << 30);
        b.extend(&[7u8; 100_000]);
        assert_eq!(&b[..3], &[7, 7, 7]);
        let (held, peak, _) = pool.snapshot();
        assert!(held >= 100_000 && held == b.charge.bytes(), "{held}");
        assert_eq!(peak, held);
        drop(b);
        assert_eq!(pool.snapshot().0, 0);
    }

    #[test]
    fn the_largest_holder_proceeds_past_the_budget() {
        // Alone, a thread is the largest holder: it never waits, however
        // far past the budget its stream goes.
        let pool = pool();
        let mut b = Buffer::in_pool(pool, 1 << 20, 64 << 20);
        for _ in 0..64 {
            b.extend(&[0u8; 1 << 20]);
        }
        let (held, peak, waits) = pool.snapshot();
        assert_eq!(waits, 0);
        assert!(held >= 64 << 20 && peak == held);
    }

    #[test]
    fn a_smaller_holder_waits_until_the_largest_releases() {
        let pool = pool();
        let budget = 4 << 20;
        let mut big = Buffer::in_pool(pool, budget, 1 << 30);
        big.extend(&vec![1u8; 4 << 20]);
        let released = Arc::new(AtomicBool::new(false));
        let seen = Arc::clone(&released);
        let small = std::thread::spawn(move || {
            let mut b = Buffer::in_pool(pool, budget, 1 << 30);
            b.extend(&[2u8; 1 << 20]);
            // Only after the big buffer was dropped.
            seen.load(Ordering::SeqCst)
        });
        // Wait until the small one waits, then release.
        while pool.snapshot().2 == 0 {
            std::thread::yield_now();
        }
        released.store(true, Ordering::SeqCst);
        drop(big);
        assert!(
            small.join().expect("join"),
            "the charge returned before the release"
        );
        let (held, peak, waits) = pool.snapshot();
        assert_eq!((held, waits), (0, 1));
        assert!(peak <= budget + (64 << 10), "peak {peak}");
    }

    #[test]
    fn a_task_that_is_joined_never_waits() {
        let pool = pool();
        let budget = 1 << 20;
        let mut big = Buffer::in_pool(pool, budget, 1 << 30);
        big.extend(&vec![1u8; 2 << 20]);
        let small = std::thread::spawn(move || {
            never_wait(|| {
                let mut b = Buffer::in_pool(pool, budget, 1 << 30);
                b.extend(&[2u8; 1 << 20]);
                b.len()
            })
        });
        assert_eq!(small.join().expect("join"), 1 << 20);
        assert_eq!(pool.snapshot().2, 0);
        drop(big);
    }

    #[test]
    fn a_wait_with_nothing_released_anywhere_is_cut_short() {
        // The largest holder never releases (as if it waited on a join
        // that needs the waiter): after the stall time the waiter goes on.
        let pool: &'static InFlight = Box::leak(Box::new(InFlight::new(Duration::from_millis(50))));
        let budget = 1 << 20;
        let mut big = Buffer::in_pool(pool, budget, 1 << 30);
        big.extend(&vec![1u8; 2 << 20]);
        let small = std::thread::spawn(move || {
            let mut b = Buffer::in_pool(pool, budget, 1 << 30);
            b.extend(&[2u8; 1 << 20]);
            b.len()
        });
        assert_eq!(small.join().expect("join"), 1 << 20);
        assert_eq!(pool.forced(), 1);
        assert_eq!(pool.snapshot().2, 1);
        drop(big);
        assert_eq!(pool.snapshot().0, 0);
    }

    #[test]
    fn ties_are_broken_by_thread_number() {
        let mut s = State::default();
        s.held.insert(3, 10);
        s.held.insert(5, 10);
        assert!(s.is_largest(5));
        assert!(!s.is_largest(3));
        s.held.insert(3, 11);
        assert!(s.is_largest(3));
        // A thread with nothing is the largest only when nobody holds anything.
        assert!(!s.is_largest(9));
        assert!(State::default().is_largest(9));
    }
}
