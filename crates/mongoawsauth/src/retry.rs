//! When a failed request to a credential endpoint is tried again, and how long to wait first:
//! the one retry policy every network source uses, with its numbers as data.
//!
//! A [`RetryPolicy`] is a number of attempts, an exponential backoff (a base delay that doubles
//! with each retry, up to a cap) and a [`Jitter`]. Each endpoint has its own constant ([`IMDS`],
//! [`CONTAINER`], [`STS`], [`SSO_PORTAL`]); the code that sends the requests decides which
//! failures are worth another attempt (that depends on the protocol) and asks
//! [`RetryPolicy::next`] what to do, giving the server's `Retry-After` and the [`Room`] it
//! has left to wait in. The answer is a [`Next`]: wait and retry, give up, or give up at once
//! because the server asked for a wait that does not fit.
//!
//! The rules [`RetryPolicy::next`] applies, in order:
//! 1. a failure that is not retryable, or the last allowed attempt, ends the call;
//! 2. a `Retry-After` longer than [`Room::retry_after_limit`] ends the call at once
//!    ([`Next::TooLate`]): sleeping into the deadline would only trade the server's clear
//!    answer for a bare timeout;
//! 3. the wait is the longer of the jittered backoff and the `Retry-After`;
//! 4. a wait that does not fit in [`Room::remaining`] (what is left of the call's budget) ends
//!    the call.
//!
//! Jitter comes from a [`RandomSource`]: [`OsRandom`] in the library, a fixed or scripted one
//! in tests, so that a backoff can be asserted exactly.

use std::fmt;
use std::time::{Duration, Instant};

/// Attempts, backoff and jitter of one endpoint's retries.
///
/// ```
/// use std::time::Duration;
/// use mongoawsauth::retry::{Jitter, Next, Room, RetryPolicy};
///
/// let policy = RetryPolicy::new(3, Duration::from_millis(200), Duration::from_secs(1), Jitter::None);
/// assert_eq!(policy.backoff_before(1, 0.0), Duration::from_millis(200));
/// assert_eq!(policy.backoff_before(2, 0.0), Duration::from_millis(400));
/// // A 5xx on the first attempt, with 5 s left: wait 200 ms and try again.
/// let room = Room::budget(Duration::from_secs(5));
/// let random = mongoawsauth::retry::FixedRandom(0.0);
/// assert_eq!(policy.next(1, true, None, room, &random), Next::Retry(Duration::from_millis(200)));
/// // The server asks for an hour: end the call now, saying so.
/// let hour = Some(Duration::from_secs(3600));
/// assert_eq!(policy.next(1, true, hour, room, &random), Next::TooLate(Duration::from_secs(3600)));
/// // The third attempt was the last.
/// assert_eq!(policy.next(3, true, None, room, &random), Next::GiveUp);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: Jitter,
}

/// How a backoff is spread, so that the tasks of one host (or the pods of one fleet) do not
/// retry in lockstep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Jitter {
    /// Exactly the exponential delay.
    None,
    /// The exponential delay scaled by a random factor in `[min_factor, 1]`; `0.5` is the
    /// "equal jitter" of the AWS SDKs' backoff literature (at least half the delay, at most all).
    Scaled {
        /// The smallest factor, in `[0, 1]` (a value outside is clamped).
        min_factor: f64,
    },
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Not worth another attempt, or no attempts or time left for one.
    GiveUp,
    /// The server asked (`Retry-After`) to wait this long, more than the call may wait: end
    /// the call now with an error that says so.
    TooLate(Duration),
}

/// How long a retry may wait: the limits of the call that is retrying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Room {
    /// The longest `Retry-After` honoured; a server asking for more ends the call at once.
    pub retry_after_limit: Duration,
    /// What is left of the call's budget; a wait that does not fit ends the call. `None` when
    /// the call has no budget of its own (the caller's deadline still cuts it off).
    pub remaining: Option<Duration>,
}

impl Room {
    /// A call with a budget of its own (STS, the SSO portal), of which `remaining` is left:
    /// both the `Retry-After` and the wait must fit in it.
    pub fn budget(remaining: Duration) -> Room {
        Room { retry_after_limit: remaining, remaining: Some(remaining) }
    }

    /// A call with a budget that ends at `deadline`, measured now.
    pub fn until(deadline: Instant) -> Room {
        Room::budget(deadline.saturating_duration_since(Instant::now()))
    }

    /// A call made of requests that each have a timeout but no overall budget (IMDS, the
    /// container endpoint): a `Retry-After` longer than one request's `timeout` ends the call,
    /// and the caller's deadline bounds the rest.
    pub fn per_request(timeout: Duration) -> Room {
        Room { retry_after_limit: timeout, remaining: None }
    }
}

/// IMDS: 3 attempts per request, backoff 200 ms then 400 ms (capped at 1 s), equal jitter, so
/// 100–200 ms then 200–400 ms. Shorter than the SDKs' 1 s base: the endpoint is link-local, so
/// a failure is the agent's hiccup, not a congested network, and the caller's deadline has to
/// cover every attempt.
pub const IMDS: RetryPolicy = RetryPolicy::new(3, ms(200), ms(1000), Jitter::Scaled { min_factor: 0.5 });

/// The container endpoint (ECS, EKS Pod Identity): the same numbers as [`IMDS`], for the same
/// reason (the agent is local).
pub const CONTAINER: RetryPolicy = IMDS;

/// STS (`AssumeRoleWithWebIdentity`, `AssumeRoleWithSAML`, `AssumeRole`): 3 attempts in all (the
/// Rust SDK's standard mode), backoff 200 ms then 400 ms (capped at 2 s), equal jitter, all
/// within the STS budget.
pub const STS: RetryPolicy = RetryPolicy::new(3, ms(200), ms(2000), Jitter::Scaled { min_factor: 0.5 });

/// The IAM Identity Center portal (`GetRoleCredentials`): 3 attempts, backoff 200 ms then
/// 400 ms (capped at 1.6 s), without jitter (one user's login, not a fleet), within the STS
/// budget.
pub const SSO_PORTAL: RetryPolicy = RetryPolicy::new(3, ms(200), ms(1600), Jitter::None);

const fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

impl RetryPolicy {
    /// A policy of `max_attempts` attempts in all (the first included; at least 1), waiting
    /// `base_delay × 2^(retry-1)`, at most `max_delay`, before retry number `retry`, spread by
    /// `jitter`.
    pub const fn new(max_attempts: u32, base_delay: Duration, max_delay: Duration, jitter: Jitter) -> Self {
        let max_attempts = if max_attempts == 0 { 1 } else { max_attempts };
        RetryPolicy { max_attempts, base_delay, max_delay, jitter }
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff before the first retry, before jitter.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The longest backoff, before jitter.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// How the backoff is spread.
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    /// The wait before retry number `retry` (1 for the first retry, that is after the first
    /// attempt failed), with `unit` (in `[0, 1]`, clamped) as the random draw of the jitter.
    pub fn backoff_before(&self, retry: u32, unit: f64) -> Duration {
        // The shift stops at 2^16: any cap is reached long before, and it cannot overflow.
        let doubled = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let exponential = doubled.min(self.max_delay);
        match self.jitter {
            Jitter::None => exponential,
            Jitter::Scaled { min_factor } => {
                let low = clamp_unit(min_factor);
                exponential.mul_f64(low + (1.0 - low) * clamp_unit(unit))
            }
        }
    }

    /// What to do after attempt number `attempt` (1 for the first) failed. `retryable` says
    /// whether the failure is worth another attempt (the caller's protocol decides),
    /// `retry_after` is what the answer's `Retry-After` asked for, `room` the limits of the call,
    /// and `random` the source of the jitter. See the module documentation for the rules.
    pub fn next(
        &self,
        attempt: u32,
        retryable: bool,
        retry_after: Option<Duration>,
        room: Room,
        random: &dyn RandomSource,
    ) -> Next {
        if !retryable || attempt >= self.max_attempts {
            return Next::GiveUp;
        }
        let backoff = self.backoff_before(attempt, random.unit());
        let wait = match retry_after {
            Some(asked) if asked > room.retry_after_limit => return Next::TooLate(asked),
            Some(asked) => asked.max(backoff),
            None => backoff,
        };
        match room.remaining {
            Some(remaining) if wait >= remaining => Next::GiveUp,
            _ => Next::Retry(wait),
        }
    }
}

/// The words an error gains when the server's `Retry-After` did not fit: `who` is the server
/// ("the server", "the portal"), `asked` its wish, `budget` what the whole call may take.
/// `" (the portal asked to wait 3600 s before another try, more than the 5000 ms this call may
/// take)"`.
pub(crate) fn too_late_note(who: &str, asked: Duration, budget: Duration) -> String {
    format!(
        " ({who} asked to wait {} s before another try, more than the {} ms this call may take)",
        asked.as_secs_f64().ceil(),
        budget.as_millis()
    )
}

fn clamp_unit(x: f64) -> f64 {
    if x.is_nan() { 1.0 } else { x.clamp(0.0, 1.0) }
}

/// Where the jitter's randomness comes from.
pub trait RandomSource: Send + Sync {
    /// A number in `[0, 1]`.
    fn unit(&self) -> f64;
}

/// The operating system's random number generator. If it fails, the draw is `1.0`: the full
/// backoff, still correct, merely not spread out.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn unit(&self) -> f64 {
        getrandom::u32().map(|r| f64::from(r) / f64::from(u32::MAX)).unwrap_or(1.0)
    }
}

/// Always the same draw (clamped to `[0, 1]`): `FixedRandom(0.0)` gives the shortest jittered
/// wait, `FixedRandom(1.0)` the longest. For tests.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FixedRandom(pub f64);

impl RandomSource for FixedRandom {
    fn unit(&self) -> f64 {
        clamp_unit(self.0)
    }
}

impl fmt::Display for RetryPolicy {
    /// `3 attempts, backoff 200 ms doubling to at most 1000 ms, jitter 50–100 %`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} attempts, backoff {} ms doubling to at most {} ms",
            self.max_attempts,
            self.base_delay.as_millis(),
            self.max_delay.as_millis()
        )?;
        match self.jitter {
            Jitter::None => f.write_str(", no jitter"),
            Jitter::Scaled { min_factor } => {
                write!(f, ", jitter {:.0}–100 %", clamp_unit(min_factor) * 100.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::new(10, MS(200), MS(1000), Jitter::None);
        let waits: Vec<u128> = (1..=6).map(|r| p.backoff_before(r, 0.3).as_millis()).collect();
        assert_eq!(waits, [200, 400, 800, 1000, 1000, 1000]);
        assert_eq!(p.backoff_before(0, 0.0), MS(200), "retry 0 is read as the first");
        assert_eq!(p.backoff_before(u32::MAX, 0.0), MS(1000), "no overflow on a huge retry number");
    }

    #[test]
    fn scaled_jitter_spans_its_range_exactly() {
        let p = RetryPolicy::new(3, MS(200), MS(1000), Jitter::Scaled { min_factor: 0.5 });
        assert_eq!(p.backoff_before(1, 0.0), MS(100));
        assert_eq!(p.backoff_before(1, 1.0), MS(200));
        assert_eq!(p.backoff_before(2, 0.5), MS(300));
        assert_eq!(p.backoff_before(2, 7.0), MS(400), "a draw above 1 is clamped");
        assert_eq!(p.backoff_before(2, f64::NAN), MS(400), "a NaN draw is the full wait");
        let odd = RetryPolicy::new(3, MS(100), MS(100), Jitter::Scaled { min_factor: -3.0 });
        assert_eq!(odd.backoff_before(1, 0.0), Duration::ZERO, "a factor below 0 is clamped");
    }

    #[test]
    fn the_os_source_stays_in_range() {
        for _ in 0..100 {
            let d = STS.backoff_before(2, OsRandom.unit());
            assert!((MS(200)..=MS(400)).contains(&d), "{d:?}");
        }
    }

    #[test]
    fn attempts_and_retryability_come_first() {
        let room = Room::budget(Duration::from_secs(5));
        let r = FixedRandom(0.0);
        assert_eq!(STS.next(1, false, None, room, &r), Next::GiveUp);
        assert_eq!(STS.next(3, true, None, room, &r), Next::GiveUp);
        assert_eq!(STS.next(3, true, Some(Duration::from_secs(3600)), room, &r), Next::GiveUp);
        assert_eq!(STS.next(1, true, None, room, &r), Next::Retry(MS(100)));
        assert_eq!(STS.next(2, true, None, room, &FixedRandom(1.0)), Next::Retry(MS(400)));
        assert_eq!(RetryPolicy::new(0, MS(1), MS(1), Jitter::None).max_attempts(), 1);
    }

    #[test]
    fn retry_after_lengthens_the_wait_or_ends_the_call() {
        let r = FixedRandom(1.0);
        let room = Room::budget(Duration::from_secs(5));
        let secs = Duration::from_secs;
        assert_eq!(STS.next(1, true, Some(secs(2)), room, &r), Next::Retry(secs(2)));
        assert_eq!(STS.next(1, true, Some(Duration::ZERO), room, &r), Next::Retry(MS(200)), "backoff wins");
        assert_eq!(STS.next(1, true, Some(secs(60)), room, &r), Next::TooLate(secs(60)));
        // Exactly the budget is not "too late" but leaves no time for the attempt.
        assert_eq!(STS.next(1, true, Some(secs(5)), room, &r), Next::GiveUp);
        assert_eq!(STS.next(1, true, None, Room::budget(MS(150)), &r), Next::GiveUp, "no time left");
    }

    #[test]
    fn per_request_room_caps_retry_after_but_not_the_backoff() {
        let r = FixedRandom(1.0);
        let room = Room::per_request(MS(100));
        assert_eq!(IMDS.next(1, true, None, room, &r), Next::Retry(MS(200)), "no budget to fit in");
        assert_eq!(IMDS.next(1, true, Some(MS(100)), room, &r), Next::Retry(MS(200)));
        assert_eq!(IMDS.next(1, true, Some(MS(101)), room, &r), Next::TooLate(MS(101)));
        assert_eq!(Room::until(Instant::now()).remaining, Some(Duration::ZERO));
    }

    #[test]
    fn the_endpoint_policies_keep_their_documented_numbers() {
        let r = FixedRandom(0.0);
        let spans = |p: RetryPolicy| {
            (p.max_attempts(), p.backoff_before(1, 0.0), p.backoff_before(1, 1.0), p.backoff_before(2, 1.0))
        };
        assert_eq!(spans(IMDS), (3, MS(100), MS(200), MS(400)));
        assert_eq!(spans(CONTAINER), (3, MS(100), MS(200), MS(400)));
        assert_eq!(spans(STS), (3, MS(100), MS(200), MS(400)));
        assert_eq!(spans(SSO_PORTAL), (3, MS(200), MS(200), MS(400)));
        assert_eq!(
            SSO_PORTAL.next(2, true, None, Room::budget(Duration::from_secs(9)), &r),
            Next::Retry(MS(400))
        );
        assert_eq!(
            IMDS.to_string(),
            "3 attempts, backoff 200 ms doubling to at most 1000 ms, jitter 50–100 %"
        );
        assert_eq!(
            SSO_PORTAL.to_string(),
            "3 attempts, backoff 200 ms doubling to at most 1600 ms, no jitter"
        );
    }

    #[test]
    fn the_too_late_note_says_what_was_asked_and_allowed() {
        assert_eq!(
            too_late_note("the portal", MS(59_100), MS(800)),
            " (the portal asked to wait 60 s before another try, more than the 800 ms this call may take)"
        );
    }
}
