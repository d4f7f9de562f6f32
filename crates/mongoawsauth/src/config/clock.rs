//! The clock the credential sources and the cache read: the system's by default, a manual one in
//! tests, so that "these credentials expire in 4 minutes" can be checked without waiting and
//! without depending on when the test runs.
//!
//! Two readings: the wall clock ([`Clock::now`]), which expirations are compared with (they
//! come from AWS as wall-clock times), and a monotonic instant ([`Clock::instant`]), for the
//! cache's own intervals (the refresh-ahead back-off), which must not jump when the system's
//! time is set.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Where the time comes from.
///
/// Implement it to control time in an application's tests; the library only ever reads it.
/// [`SystemClock`] is the real one, [`ManualClock`] one that moves only when told.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The wall-clock time, which credentials' expirations are compared with.
    fn now(&self) -> SystemTime;

    /// A monotonic reading, for intervals measured inside the process.
    fn instant(&self) -> Instant;
}

/// The system's clocks: [`SystemTime::now`] and [`Instant::now`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn instant(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that stands still until moved: [`ManualClock::advance`] moves both readings,
/// [`ManualClock::set`] sets the wall clock alone (as a change of the system's time would).
/// Clones share the same time, so a test keeps one and gives the other to the library.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use mongoawsauth::config::{Clock, ManualClock};
///
/// let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
/// let clock = ManualClock::new(start);
/// let seen_by_the_library = clock.clone();
/// let before = seen_by_the_library.instant();
/// clock.advance(Duration::from_secs(60));
/// assert_eq!(seen_by_the_library.now(), start + Duration::from_secs(60));
/// assert_eq!(seen_by_the_library.instant() - before, Duration::from_secs(60));
/// ```
#[derive(Clone)]
pub struct ManualClock {
    state: Arc<Mutex<State>>,
}

struct State {
    now: SystemTime,
    instant: Instant,
}

impl ManualClock {
    /// A clock that reads `now`, with its monotonic reading at the real instant of this call.
    pub fn new(now: SystemTime) -> Self {
        ManualClock { state: Arc::new(Mutex::new(State { now, instant: Instant::now() })) }
    }

    /// A clock that starts at the system's current time.
    pub fn starting_now() -> Self {
        ManualClock::new(SystemTime::now())
    }

    /// Moves both readings forward by `by` (saturating at the end of what the platform can
    /// represent, rather than panicking).
    pub fn advance(&self, by: Duration) {
        let mut state = self.lock();
        state.now = state.now.checked_add(by).unwrap_or(state.now);
        state.instant = state.instant.checked_add(by).unwrap_or(state.instant);
    }

    /// Sets the wall clock to `now`; the monotonic reading does not move.
    pub fn set(&self, now: SystemTime) {
        self.lock().now = now;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is two plain values: a panic elsewhere cannot leave it half-written.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.lock().now
    }

    fn instant(&self) -> Instant {
        self.lock().instant
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualClock").field("now", &crate::time_fmt::iso8601(self.now())).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told_and_clones_share_it() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let clock = ManualClock::new(start);
        let other = clock.clone();
        let instant = clock.instant();
        assert_eq!((other.now(), other.instant()), (start, instant));
        clock.advance(Duration::from_secs(90));
        assert_eq!(other.now(), start + Duration::from_secs(90));
        assert_eq!(other.instant(), instant + Duration::from_secs(90));
        // Setting the wall clock back does not move the monotonic reading.
        other.set(start);
        assert_eq!((clock.now(), clock.instant()), (start, instant + Duration::from_secs(90)));
        assert!(format!("{clock:?}").contains("2027-01-15T08:00:00Z"), "{clock:?}");
    }

    #[test]
    fn the_system_clock_is_the_system_time() {
        let before = SystemTime::now();
        let read = SystemClock.now();
        assert!(read >= before && read <= SystemTime::now());
    }
}
