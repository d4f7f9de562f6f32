//! Credential resolution: chain order and outcomes, the environment source (through an injected
//! `Env`, never the process environment), the custom provider's place in the spec's order, and
//! the authenticator's deadline and credential policy.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mongoawsauth::provider::chain::Chain;
use mongoawsauth::provider::custom::CustomProvider;
use mongoawsauth::provider::environment::EnvironmentProvider;
use mongoawsauth::provider::static_keys::StaticProvider;
use mongoawsauth::provider::{ProvideCredentials, ProvideFuture, ProviderError};
use mongoawsauth::settings::CredentialPolicy;
use mongoawsauth::{AttemptOutcome, Authenticator, Credentials, Env, Error, ErrorKind, Options};

fn creds(akid: &str, source: &str) -> Credentials {
    Credentials::new(Some(akid), Some("secret-for-tests"), None, None, source).unwrap()
}

/// What a scripted source answers.
#[derive(Clone, Debug)]
enum Answer {
    Credentials(&'static str),
    NotConfigured(&'static str),
    Failed(ErrorKind, &'static str),
}

/// A source that gives a fixed answer and counts its calls.
#[derive(Debug)]
struct Scripted {
    name: &'static str,
    answer: Answer,
    delay: Duration,
    calls: Arc<AtomicUsize>,
}

impl Scripted {
    fn new(name: &'static str, answer: Answer) -> (Self, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        (Scripted { name, answer, delay: Duration::ZERO, calls: Arc::clone(&calls) }, calls)
    }

    fn slow(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

impl ProvideCredentials for Scripted {
    fn name(&self) -> &str {
        self.name
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let answer = match &self.answer {
            Answer::Credentials(akid) => Ok(creds(akid, self.name)),
            Answer::NotConfigured(why) => Err(ProviderError::not_configured(*why)),
            Answer::Failed(kind, message) => Err(ProviderError::failed(Error::new(*kind, *message))),
        };
        let delay = self.delay;
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            answer
        })
    }
}

/// An injected environment. IMDS is always disabled in it: these tests exercise the default
/// chain, whose last source would otherwise call the real metadata address.
fn env(vars: &[(&str, &str)]) -> Env {
    Env::from_vars(vars.iter().copied().chain([("AWS_EC2_METADATA_DISABLED", "true")]))
}

#[tokio::test]
async fn first_source_with_credentials_wins_and_later_ones_are_not_called() {
    let (a, a_calls) = Scripted::new("a", Answer::NotConfigured("a is off"));
    let (b, b_calls) = Scripted::new("b", Answer::Credentials("AKIAB"));
    let (c, c_calls) = Scripted::new("c", Answer::Credentials("AKIAC"));
    let chain = Chain::new().then(a).then(b).then(c);
    assert_eq!(chain.source_names(), ["a", "b", "c"]);
    let got = chain.provide_credentials().await.unwrap();
    assert_eq!(got.access_key_id(), "AKIAB");
    assert_eq!(got.source(), "b");
    assert_eq!(
        [a_calls.load(Ordering::SeqCst), b_calls.load(Ordering::SeqCst), c_calls.load(Ordering::SeqCst)],
        [1, 1, 0]
    );
}

#[tokio::test]
async fn a_failed_source_stops_the_chain_and_lists_attempts_up_to_it() {
    let (a, _) = Scripted::new("a", Answer::NotConfigured("A_VAR is not set"));
    let (b, _) = Scripted::new("b", Answer::Failed(ErrorKind::CredentialsProvider, "endpoint said 500"));
    let (c, c_calls) = Scripted::new("c", Answer::Credentials("AKIAC"));
    let chain = Chain::new().then(a).then(b).then(c);
    let err = chain.provide_credentials().await.unwrap_err();
    assert!(!err.is_not_configured(), "a failure must not look like fall-through");
    assert_eq!(c_calls.load(Ordering::SeqCst), 0, "the chain went past a failed source");
    let err = err.error();
    assert_eq!(err.kind(), ErrorKind::CredentialsProvider);
    assert!(err.message().contains("the b credential source failed: endpoint said 500"), "{err}");
    let attempts = err.attempts();
    assert_eq!(attempts.len(), 2, "{err}");
    assert_eq!(attempts[0].source, "a");
    assert_eq!(attempts[0].outcome, AttemptOutcome::NotConfigured("A_VAR is not set".into()));
    assert_eq!(attempts[1].source, "b");
    assert_eq!(
        attempts[1].outcome,
        AttemptOutcome::Failed { kind: ErrorKind::CredentialsProvider, message: "endpoint said 500".into() }
    );

    // Through the authenticator the failure keeps its kind and attempts.
    let (a, _) = Scripted::new("a", Answer::NotConfigured("A_VAR is not set"));
    let (b, _) = Scripted::new("b", Answer::Failed(ErrorKind::CredentialsProvider, "endpoint said 500"));
    let err = Authenticator::from_provider(Chain::new().then(a).then(b)).credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsProvider);
    assert_eq!(err.attempts().len(), 2);
}

#[tokio::test]
async fn nothing_configured_is_credentials_not_found_with_every_attempt() {
    let (a, _) = Scripted::new("a", Answer::NotConfigured("A_VAR is not set"));
    let (b, _) = Scripted::new("b", Answer::NotConfigured("B is disabled"));
    let b = b.slow(Duration::from_millis(50));
    let chain = Chain::new().then(a).then(b).then(EnvironmentProvider::with_env(env(&[])));
    let err = Authenticator::from_provider(chain).credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
    let attempts = err.attempts();
    let names: Vec<&str> = attempts.iter().map(|a| a.source.as_str()).collect();
    assert_eq!(names, ["a", "b", "environment"]);
    for attempt in attempts {
        assert!(matches!(attempt.outcome, AttemptOutcome::NotConfigured(_)), "{attempt}");
        assert!(attempt.elapsed < Duration::from_secs(5), "{attempt}");
    }
    assert_eq!(attempts[1].outcome, AttemptOutcome::NotConfigured("B is disabled".into()));
    assert!(attempts[1].elapsed >= Duration::from_millis(50), "{:?}", attempts[1]);
    assert!(attempts[0].elapsed < Duration::from_millis(50), "{:?}", attempts[0]);
    match &attempts[2].outcome {
        AttemptOutcome::NotConfigured(why) => assert!(why.contains("AWS_ACCESS_KEY_ID"), "{why}"),
        other => panic!("{other:?}"),
    }
    // The message says what to do; Display adds one line per source with its time.
    assert!(err.message().contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), "{err}");
    assert!(err.message().contains("custom credential provider"), "{err}");
    let text = err.to_string();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("\n  - a: not configured, A_VAR is not set ("), "{text}");
    assert!(text.contains("\n  - b: not configured, B is disabled ("), "{text}");
    assert!(text.lines().skip(1).all(|l| l.ends_with(" ms)")), "{text}");
}

#[tokio::test]
async fn nested_chains_report_the_inner_attempts() {
    let (a, _) = Scripted::new("a", Answer::NotConfigured("no a"));
    let (b, _) = Scripted::new("b", Answer::NotConfigured("no b"));
    let (c, _) = Scripted::new("c", Answer::NotConfigured("no c"));
    let chain = Chain::new().then(Chain::new().then(a).then(b)).then(c);
    let err = Authenticator::from_provider(chain).credentials().await.unwrap_err();
    let names: Vec<&str> = err.attempts().iter().map(|a| a.source.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

#[tokio::test]
async fn a_single_unconfigured_source_is_still_listed() {
    let err = Authenticator::from_provider(EnvironmentProvider::with_env(env(&[])))
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
    assert_eq!(err.attempts().len(), 1);
    assert_eq!(err.attempts()[0].source, "environment");
}

#[tokio::test]
async fn environment_long_term_and_temporary() {
    let long = EnvironmentProvider::with_env(env(&[
        ("AWS_ACCESS_KEY_ID", "AKIALONG"),
        ("AWS_SECRET_ACCESS_KEY", "long-secret"),
    ]));
    let c = long.provide_credentials().await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.secret_access_key(), c.session_token()),
        ("AKIALONG", "long-secret", None)
    );
    assert_eq!(c.source(), "environment");

    let temporary = EnvironmentProvider::with_env(env(&[
        ("AWS_ACCESS_KEY_ID", "ASIATEMP"),
        ("AWS_SECRET_ACCESS_KEY", "temp-secret"),
        ("AWS_SESSION_TOKEN", "temp-token"),
    ]));
    let c = temporary.provide_credentials().await.unwrap();
    assert_eq!(c.session_token(), Some("temp-token"), "the token must be used whenever it is set");
    assert!(c.is_temporary());
}

#[tokio::test]
async fn environment_key_without_secret_is_a_configuration_error_not_a_fall_through() {
    let partial: [&[(&str, &str)]; 3] = [
        &[("AWS_ACCESS_KEY_ID", "AKIA1")],
        &[("AWS_ACCESS_KEY_ID", "AKIA1"), ("AWS_SESSION_TOKEN", "tok")],
        &[("AWS_ACCESS_KEY_ID", "AKIA1"), ("AWS_SECRET_ACCESS_KEY", "   ")],
    ];
    for vars in partial {
        // In a chain, a later source that has credentials must not be reached.
        let (fallback, fallback_calls) = Scripted::new("fallback", Answer::Credentials("AKIAFALLBACK"));
        let chain = Chain::new().then(EnvironmentProvider::with_env(env(vars))).then(fallback);
        let err = Authenticator::from_provider(chain).credentials().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{vars:?}: {err}");
        assert_eq!(fallback_calls.load(Ordering::SeqCst), 0, "{vars:?} fell through");
        assert!(err.message().contains("is set but"), "{vars:?}: the message names the gap: {err}");
        assert_eq!(err.attempts().len(), 1);
        assert!(matches!(
            err.attempts()[0].outcome,
            AttemptOutcome::Failed { kind: ErrorKind::Configuration, .. }
        ));
    }
}

// botocore (behind pymongo-auth-aws) and aws-config both move on when the access key id is
// missing, whatever else is set; a stray secret or token must not block a source that works.
#[tokio::test]
async fn environment_stray_secret_or_token_falls_through_and_is_listed() {
    let stray: [&[(&str, &str)]; 3] = [
        &[("AWS_SECRET_ACCESS_KEY", "only-secret")],
        &[("AWS_SESSION_TOKEN", "only-token")],
        &[("AWS_SECRET_ACCESS_KEY", "s"), ("AWS_SESSION_TOKEN", "tok")],
    ];
    for vars in stray {
        let (fallback, fallback_calls) = Scripted::new("fallback", Answer::Credentials("AKIAFALLBACK"));
        let chain = Chain::new().then(EnvironmentProvider::with_env(env(vars))).then(fallback);
        let credentials = Authenticator::from_provider(chain).credentials().await.unwrap();
        assert_eq!(credentials.access_key_id(), "AKIAFALLBACK", "{vars:?}");
        assert_eq!(fallback_calls.load(Ordering::SeqCst), 1, "{vars:?}");
        // The skip says why, which is what the attempt list and `diagnose` show.
        let skip = EnvironmentProvider::with_env(env(vars)).provide_credentials().await.unwrap_err();
        assert!(skip.is_not_configured(), "{vars:?}");
        assert!(skip.to_string().contains("ignored"), "{vars:?}: {skip}");
    }
}

#[tokio::test]
async fn blank_environment_values_count_as_unset() {
    let err =
        EnvironmentProvider::with_env(env(&[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", " ")]))
            .provide_credentials()
            .await
            .unwrap_err();
    assert!(err.is_not_configured());
}

fn counting_custom(akid: &'static str) -> (CustomProvider, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let provider = CustomProvider::from_fn(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        Credentials::new(Some(akid), Some("custom-secret"), None, None, "custom")
    });
    (provider, calls)
}

#[tokio::test]
async fn every_resolution_calls_the_sources_again() {
    // No caching in the chain or the authenticator: rotated credentials are seen at the next
    // login (spec: "env read dynamically, never cached").
    let (custom, calls) = counting_custom("AKIACUSTOM");
    let auth = Authenticator::new(Options::new().with_env(env(&[])).with_custom_provider(custom)).unwrap();
    for n in 1..=3 {
        auth.credentials().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), n);
    }

    let options = |akid: &str| {
        Options::new().with_env(env(&[("AWS_ACCESS_KEY_ID", akid), ("AWS_SECRET_ACCESS_KEY", "s")]))
    };
    let first = Authenticator::new(options("AKIAFIRST")).unwrap().credentials().await.unwrap();
    let second = Authenticator::new(options("AKIASECOND")).unwrap().credentials().await.unwrap();
    assert_eq!((first.access_key_id(), second.access_key_id()), ("AKIAFIRST", "AKIASECOND"));
    let chain = options("AKIATHIRD").default_chain();
    assert_eq!(chain.provide_credentials().await.unwrap().access_key_id(), "AKIATHIRD");
}

#[tokio::test]
async fn custom_provider_runs_before_the_environment() {
    // Spec 2025-09-10, "Custom provider, precedence Case 2": with valid credentials in the
    // environment, the custom provider's win and it was called.
    let (custom, calls) = counting_custom("AKIACUSTOM");
    let options = Options::new()
        .with_env(env(&[("AWS_ACCESS_KEY_ID", "AKIAENV"), ("AWS_SECRET_ACCESS_KEY", "env-secret")]))
        .with_custom_provider(custom);
    assert_eq!(
        options.default_chain().source_names(),
        ["custom", "cache", "environment", "profile", "web_identity", "container", "imds"]
    );
    let c = Authenticator::new(options).unwrap().credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "AKIACUSTOM");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failing_custom_provider_does_not_fall_back_to_the_environment() {
    let custom = CustomProvider::from_fn(|| Err(Error::new(ErrorKind::CredentialsProvider, "vault sealed")));
    let options = Options::new()
        .with_env(env(&[("AWS_ACCESS_KEY_ID", "AKIAENV"), ("AWS_SECRET_ACCESS_KEY", "env-secret")]))
        .with_custom_provider(custom.named("vault"));
    let err = Authenticator::new(options).unwrap().credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsProvider);
    assert!(err.message().contains("vault sealed"), "{err}");
    assert_eq!(err.attempts().len(), 1);
    assert_eq!(err.attempts()[0].source, "vault");
}

#[tokio::test(flavor = "current_thread")]
async fn a_blocking_custom_callback_does_not_block_the_runtime() {
    // On a one-thread runtime, the ticker can only progress while the callback sleeps if the
    // callback runs off the runtime thread.
    let custom = CustomProvider::from_fn(|| {
        std::thread::sleep(Duration::from_millis(300));
        Credentials::new(Some("AKIASLOW"), Some("s"), None, None, "custom")
    });
    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = tokio::spawn({
        let ticks = Arc::clone(&ticks);
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(10)).await;
                ticks.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let c = Authenticator::from_provider(custom).credentials().await.unwrap();
    ticker.abort();
    assert_eq!(c.access_key_id(), "AKIASLOW");
    let ticks = ticks.load(Ordering::SeqCst);
    assert!(ticks >= 5, "the runtime stalled during the callback: {ticks} ticks in 300 ms");
}

#[tokio::test]
async fn the_deadline_cuts_a_slow_provider_short() {
    let custom = CustomProvider::from_async_fn(|| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Credentials::new(Some("AKIALATE"), Some("s"), None, None, "custom")
    })
    .named("slow");
    let auth = Authenticator::from_provider(custom);
    let started = Instant::now();
    let err = auth.credentials_until(Instant::now() + Duration::from_millis(100)).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert!(err.message().contains("slow"), "the message names the source: {err}");
    assert!(err.message().contains("raise the timeout"), "{err}");

    // The configured timeout applies when the caller gives no deadline.
    let custom = CustomProvider::from_async_fn(|| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Credentials::new(Some("AKIALATE"), Some("s"), None, None, "custom")
    });
    let auth = Authenticator::new(
        Options::new()
            .with_env(env(&[]))
            .with_custom_provider(custom)
            .with_credentials_timeout(Duration::from_millis(100)),
    )
    .unwrap();
    let started = Instant::now();
    let err = auth.conversation().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_zero_timeout_is_an_invalid_argument_naming_the_option() {
    let err = Authenticator::new(Options::new().with_credentials_timeout(Duration::ZERO)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(err.option(), Some("credentials_timeout"));
}

#[tokio::test]
async fn explicit_credentials_need_the_legacy_policy() {
    let explicit = creds("AKIAEXPLICIT", "connection string");
    let err = Authenticator::new(Options::new().with_explicit_credentials(explicit.clone())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert!(err.message().contains("legacy credential policy"), "{err}");
    let err = Authenticator::new(
        Options::new()
            .with_explicit_credentials(explicit.clone())
            .with_credential_policy(CredentialPolicy::Strict),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);

    // Under the legacy policy they replace every other source, custom provider included.
    let (custom, calls) = counting_custom("AKIACUSTOM");
    let options = Options::new()
        .with_env(env(&[("AWS_ACCESS_KEY_ID", "AKIAENV"), ("AWS_SECRET_ACCESS_KEY", "env-secret")]))
        .with_custom_provider(custom)
        .with_explicit_credentials(explicit)
        .with_credential_policy(CredentialPolicy::Legacy);
    assert_eq!(options.credential_policy(), CredentialPolicy::Legacy);
    let c = Authenticator::new(options).unwrap().credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "AKIAEXPLICIT");
    assert_eq!(c.secret_access_key(), "secret-for-tests");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn conversations_sign_with_the_resolved_credentials() {
    let auth = Authenticator::from_provider(StaticProvider::new(creds("AKIASTATIC", "static")));
    let mut conversation = auth.conversation().await.unwrap();
    assert_eq!(conversation.credentials().access_key_id(), "AKIASTATIC");
    assert_eq!(conversation.client_first().unwrap().len(), 52);
}

// The synchronous fast path keeps the chain's order: with a profile named in code the
// environment step is skipped, so the fast path must not answer from the environment either.
#[test]
fn the_fast_path_skips_the_environment_for_a_profile_named_in_code() {
    let vars = env(&[("AWS_ACCESS_KEY_ID", "AKIAENVFAST"), ("AWS_SECRET_ACCESS_KEY", "s")]);
    let plain = Authenticator::new(Options::new().with_env(vars.clone())).unwrap();
    assert_eq!(plain.credentials_now().unwrap().access_key_id(), "AKIAENVFAST");
    let named = Authenticator::new(Options::new().with_env(vars).with_profile("app")).unwrap();
    assert!(named.credentials_now().is_none());
}
