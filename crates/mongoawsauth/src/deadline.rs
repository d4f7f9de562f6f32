//! The deadline of the credential resolution in progress, visible to the sources it runs.
//!
//! [`Authenticator`](crate::Authenticator) cancels a resolution when its deadline passes. A
//! source that has something better than a timeout to offer once its endpoint stops answering
//! (IMDS, with its last good credentials) must act a little before that moment, so it needs
//! to know the deadline rather than be cut off by it. A task-local carries it: the sources'
//! signature stays the same, and a fetch shared by several callers (the cache's single flight)
//! runs under the deadline of the caller whose task drives it. Background refreshes run
//! without one, bounded by their sources' own timeouts.

use std::future::Future;
use std::time::Instant;

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Runs `future` with `deadline` as the current resolution's deadline.
pub(crate) async fn scope<F: Future>(deadline: Instant, future: F) -> F::Output {
    DEADLINE.scope(deadline, future).await
}

/// The deadline of the resolution this task is running, if any.
pub(crate) fn current() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn visible_inside_the_scope_only() {
        assert_eq!(current(), None);
        let deadline = Instant::now() + Duration::from_secs(3);
        let seen = scope(deadline, async { current() }).await;
        assert_eq!(seen, Some(deadline));
        let spawned = scope(deadline, async { tokio::spawn(async { current() }).await.unwrap() }).await;
        assert_eq!(spawned, None, "a spawned task (a background refresh) has no caller's deadline");
    }
}
