/*
 * libmongoawsauth: the client side of MongoDB's MONGODB-AWS authentication, for C.
 *
 * Overview
 * --------
 * A driver that logs in with AWS IAM needs AWS credentials and two SASL payloads. Per client:
 *
 *   mongoawsauth_options_t *opts = mongoawsauth_options_new();       // the spec's default chain
 *   mongoawsauth_authenticator_new(opts, &auth, &error);             // keep one per client
 *
 * Per connection (see examples/c/authenticate.c and docs/c-api.md):
 *
 *   mongoawsauth_authenticator_start_conversation(auth, timeout_ms, &conv, &error);
 *   mongoawsauth_conversation_client_first(conv, &first, &error);   // payload of saslStart
 *   mongoawsauth_conversation_client_final(conv, reply, reply_len, &final, &error);
 *                                                                    // payload of saslContinue
 *
 * Credentials come from a host callback (mongoawsauth_options_set_credentials_provider) if one
 * is registered, then valid cached credentials, then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN, the profile of the shared config files (~/.aws/config and
 * ~/.aws/credentials, with credential_process, SSO and role chaining), web identity, the
 * container endpoint and EC2 instance metadata: the MongoDB spec's order, with the profile
 * step where the AWS SDKs put it. mongoawsauth_authenticator_new_saml logs in through STS
 * AssumeRoleWithSAML instead; mongoawsauth_diagnose explains what every source said.
 *
 * When the server refuses a login, report it, so that the cached credentials it used are dropped:
 *
 *   mongoawsauth_authenticator_report_failed_conversation(auth, conv, NULL, NULL);
 *
 * The cache is process-wide and every entry has a generation; only the entry of the failed
 * login's generation is dropped. The functions under "Test hooks" at the end of this header
 * are for the spec's caching tests only.
 *
 * Results and errors
 * ------------------
 * Every fallible function returns a mongoawsauth_result_t; MONGOAWSAUTH_RESULT_OK (0) is
 * success. Outputs are written only on success: on failure every out-parameter is left as it
 * was. The last parameter, `mongoawsauth_error_t **error`, is optional: pass NULL to get only
 * the code, or the address of a NULL pointer to receive, on failure, an error the caller owns
 * (code, message, and for a credential chain every source tried) and must release with
 * mongoawsauth_error_destroy. Messages never contain a secret. There is no thread-local "last
 * error". A panic inside the library is caught and returned as MONGOAWSAUTH_RESULT_PANIC; it
 * never unwinds into C or aborts the process, and its message goes to the error, not to the
 * process's stderr (unless MONGOAWSAUTH_LOG is set to a non-empty value). The library installs
 * a panic hook on its first call for that; panics that are not the library's reach the hook it
 * replaced.
 *
 * Ownership
 * ---------
 * - Handles are opaque. "The caller owns X" means X must be released exactly once with its
 *   mongoawsauth_<type>_destroy function, never with free(). Every destroy accepts NULL.
 * - "This function does not take ownership of its arguments": the library copies or references
 *   what it needs; the caller may release its arguments as soon as the call returns.
 * - "Borrowed: valid until X is destroyed": a pointer into X; do not free it, do not use it
 *   after X is gone.
 * - Strings going out are UTF-8 and NUL-terminated, with their length available through an
 *   optional `size_t *len`. Bytes going out are mongoawsauth_bytes_t handles.
 * - Secrets (secret access key, session token, payloads carrying the token, settings'
 *   passwords) are zeroized when their owner is destroyed.
 *
 * Pointer arguments
 * -----------------
 * Every pointer argument must be NULL or valid: a handle from this library that has not been
 * destroyed, a NUL-terminated string, or `len` readable bytes. NULL where a value is required,
 * a string that is not UTF-8 and an out-of-range value are reported as
 * MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, never a crash. Enumerations are uint32_t typedefs with
 * #defined values, so their size is fixed in the ABI.
 *
 * Thread Safety
 * -------------
 * - A function taking a `const mongoawsauth_X_t *` does not mutate X and may run concurrently
 *   with other such calls on the same X. A function taking a non-const `mongoawsauth_X_t *`
 *   needs exclusive access to X for the duration of the call.
 * - mongoawsauth_authenticator_t is meant to be shared: one per client, used by every
 *   connection's thread at once. Credentials, errors and bytes are immutable and may be shared.
 * - Resolutions, diagnoses and copies of the cache entries are immutable and may be shared too.
 * - A mongoawsauth_conversation_t belongs to one connection and one thread at a time. Options,
 *   settings and SAML descriptions are built by one thread, then read.
 * - Blocking calls run on a small runtime the library owns (2 threads named "mongoawsauth",
 *   started on first use, rebuilt in a child after fork()). Callbacks run on those threads and
 *   must not call blocking functions of this library (they fail with MONGOAWSAUTH_RESULT_RUNTIME).
 *   mongoawsauth_cleanup stops the runtime, for a clean exit.
 *
 * ABI stability
 * -------------
 * The shared library's SONAME is libmongoawsauth.so.0. Within it, functions, types and result
 * codes are only ever added; none is removed or changes meaning, and a result code is never
 * reused. See docs/c-api.md.
 */

#ifndef MONGOAWSAUTH_H
#define MONGOAWSAUTH_H

/* Generated by cbindgen 0.29.4 from crates/mongoawsauth-capi. Do not edit: run `make header`. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The major version of this header. */
#define MONGOAWSAUTH_VERSION_MAJOR 0
/** The minor version of this header. */
#define MONGOAWSAUTH_VERSION_MINOR 1
/** The patch version of this header. */
#define MONGOAWSAUTH_VERSION_PATCH 0
/** The version of this header as one number, `(major << 16) | (minor << 8) | patch`, comparable with `mongoawsauth_version_number()`. */
#define MONGOAWSAUTH_VERSION_NUMBER \
    ((MONGOAWSAUTH_VERSION_MAJOR << 16) | (MONGOAWSAUTH_VERSION_MINOR << 8) | MONGOAWSAUTH_VERSION_PATCH)

/**
 * Marks a function kept for one release under its old name: compilers that support it warn at
 * each call with the new name. Define it as empty before including this header to silence them.
 */
#ifndef MONGOAWSAUTH_DEPRECATED
#if defined(__GNUC__) || defined(__clang__)
#define MONGOAWSAUTH_DEPRECATED(note) __attribute__((deprecated(note)))
#elif defined(_MSC_VER)
#define MONGOAWSAUTH_DEPRECATED(note) __declspec(deprecated(note))
#else
#define MONGOAWSAUTH_DEPRECATED(note)
#endif
#endif


/**
 * Resolves credentials and starts one conversation per login. Keep one per client.
 *
 * Created by `mongoawsauth_authenticator_new`. The caller owns it and must release it with
 * `mongoawsauth_authenticator_destroy`, after every call using it has returned (pending
 * callback fetches keep what they need alive on their own).
 *
 * Thread safety: safe to share. Every function taking a `const mongoawsauth_authenticator_t *`
 * may be called from any number of threads at once.
 */
typedef struct mongoawsauth_authenticator_t mongoawsauth_authenticator_t;

/**
 * An immutable byte buffer owned by the library, such as a SASL payload. Read it with
 * `mongoawsauth_bytes_data` and `mongoawsauth_bytes_len`.
 *
 * The caller owns the handle and must release it with `mongoawsauth_bytes_destroy` (never with
 * `free()`); the buffer is zeroized on release, because a client-final payload carries the
 * session token.
 *
 * Thread safety: immutable; may be read from several threads at once and destroyed from any
 * thread.
 */
typedef struct mongoawsauth_bytes_t mongoawsauth_bytes_t;

/**
 * Test hook: a copy of the entries the process-wide credentials cache held at one moment, one
 * per cache key, sorted by key. It holds no secret: only keys, access key ids, source names,
 * expirations and generations.
 *
 * Created by `mongoawsauth_cache_entries_new`. The caller owns it and must release it with
 * `mongoawsauth_cache_entries_destroy`. Later changes to the cache do not affect it.
 *
 * Thread safety: immutable; may be read from several threads at once and destroyed from any
 * thread.
 */
typedef struct mongoawsauth_cache_entries_t mongoawsauth_cache_entries_t;

/**
 * One login's SASL conversation: `mongoawsauth_conversation_client_first` for `saslStart`, then
 * `mongoawsauth_conversation_client_final` with the server's reply for `saslContinue`. Calls out
 * of that order, and any call after the conversation finished or failed, fail with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`: start a new conversation for every login.
 *
 * Created by `mongoawsauth_authenticator_start_conversation` or
 * `mongoawsauth_conversation_new`. The caller owns it and must release it with
 * `mongoawsauth_conversation_destroy`.
 *
 * Thread safety: one conversation per connection, used by one thread at a time; not safe for
 * concurrent use.
 */
typedef struct mongoawsauth_conversation_t mongoawsauth_conversation_t;

/**
 * AWS credentials: an access key id, a secret access key, an optional session token, an
 * optional expiration and the name of the source that produced them.
 *
 * Created by `mongoawsauth_credentials_new` or by a fetch. The caller owns the handle and must
 * release it with `mongoawsauth_credentials_destroy`, which zeroizes the library's copies of the
 * secret and the token.
 *
 * Thread safety: immutable; may be read from several threads at once and destroyed from any
 * thread.
 */
typedef struct mongoawsauth_credentials_t mongoawsauth_credentials_t;

/**
 * What every source of the default chain said during one `mongoawsauth_diagnose` walk, in chain
 * order, and the credentials a login would use.
 *
 * Created by `mongoawsauth_diagnose`. The caller owns it and must release it with
 * `mongoawsauth_diagnosis_destroy`, which zeroizes the credentials it holds. No text in it
 * contains a secret.
 *
 * Thread safety: immutable; may be read from several threads at once and destroyed from any
 * thread.
 */
typedef struct mongoawsauth_diagnosis_t mongoawsauth_diagnosis_t;

/**
 * Why a call failed: a result code, a message, and for a credential chain that found nothing,
 * every source it tried.
 *
 * Created by the library through the optional `mongoawsauth_error_t **error` parameter of a
 * fallible function. The caller owns it and must release it with `mongoawsauth_error_destroy`.
 * Messages never contain a secret.
 *
 * Thread safety: immutable; may be read from several threads at once and destroyed from any
 * thread.
 */
typedef struct mongoawsauth_error_t mongoawsauth_error_t;

/**
 * How an authenticator finds credentials: the spec's default chain (a provider callback if
 * set, then the environment), endpoints and timeouts.
 *
 * Created by `mongoawsauth_options_new`. The caller owns it and must release it with
 * `mongoawsauth_options_destroy`; an authenticator copies what it needs, so options may be
 * destroyed right after `mongoawsauth_authenticator_new`.
 *
 * Thread safety: not safe for concurrent mutation; setters need exclusive access.
 */
typedef struct mongoawsauth_options_t mongoawsauth_options_t;

/**
 * The outcome of one credential resolution: the credentials, whether they were served from the
 * process-wide cache, and how long the resolution took.
 *
 * Created by `mongoawsauth_authenticator_resolve`. The caller owns it and must release it with
 * `mongoawsauth_resolution_destroy`, which zeroizes the credentials it holds.
 *
 * Thread safety: immutable; may be read from several threads at once and destroyed from any
 * thread.
 */
typedef struct mongoawsauth_resolution_t mongoawsauth_resolution_t;

/**
 * An STS `AssumeRoleWithSAML` credential source: the role to assume, the IAM SAML provider
 * (the IdP's principal ARN), a callback supplying each fresh assertion, and optionally the
 * session duration and an inline session policy. Not part of the spec's default chain: an
 * application that logs in through SAML builds an authenticator over it with
 * `mongoawsauth_authenticator_new_saml`.
 *
 * Created by `mongoawsauth_saml_new`. The caller owns it and must release it with
 * `mongoawsauth_saml_destroy`; authenticators built from it keep their own reference, so it may
 * be destroyed right after `mongoawsauth_authenticator_new_saml`.
 *
 * Thread safety: not safe for concurrent mutation; setters need exclusive access.
 */
typedef struct mongoawsauth_saml_t mongoawsauth_saml_t;

/**
 * The authentication settings a driver collected for one client: mechanism, username,
 * password, `authSource` and `authMechanismProperties`.
 *
 * Created by `mongoawsauth_settings_new` (empty, filled through setters) or
 * `mongoawsauth_settings_new_from_uri`. The caller owns it and must release it with
 * `mongoawsauth_settings_destroy`, which zeroizes the password and any session token.
 *
 * Thread safety: not safe for concurrent mutation; `mongoawsauth_settings_validate` may run
 * concurrently with itself.
 */
typedef struct mongoawsauth_settings_t mongoawsauth_settings_t;

/**
 * A result code. `MONGOAWSAUTH_RESULT_OK` (0) is success; every other value is a failure whose
 * detail, when the caller asked for it, is in the `mongoawsauth_error_t` the function wrote.
 *
 * Values are stable and never reused. Codes 1–99 match the core library's error kinds in every
 * language binding; codes 100–199 are raised by the C layer only. Branch on the code, never on
 * the message text.
 */
typedef uint32_t mongoawsauth_result_t;

/**
 * The outcome of one credential source a chain tried (`uint32_t`, stable values).
 */
typedef uint32_t mongoawsauth_attempt_outcome_t;

/**
 * Whether explicit credentials are allowed (`uint32_t`, stable values).
 */
typedef uint32_t mongoawsauth_credential_policy_t;

/**
 * A credentials provider callback. Returns new credentials (from
 * `mongoawsauth_credentials_new`), whose ownership passes to the library, or NULL when it has
 * none; NULL fails the fetch with `MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER`.
 *
 * Called on a library thread, possibly on several at once, every time credentials are needed
 * (the library does not cache what it returns). It may block, for example on a vault lookup,
 * but it must not call a blocking libmongoawsauth function.
 */
typedef mongoawsauth_credentials_t *(*mongoawsauth_credentials_provider_cb_t)(void *userdata);

/**
 * Releases a callback's `userdata` once the library no longer needs it. Called exactly once,
 * from any thread.
 */
typedef void (*mongoawsauth_userdata_destroy_cb_t)(void *userdata);

/**
 * Receives the outcome of `mongoawsauth_authenticator_credentials_async`, exactly once.
 *
 * On success `result` is `MONGOAWSAUTH_RESULT_OK`, `credentials` is new credentials and `error`
 * is NULL; on failure `credentials` is NULL and `error` says why. The callback owns both and
 * must release them (`mongoawsauth_credentials_destroy`, `mongoawsauth_error_destroy`), possibly
 * later on another thread.
 *
 * Called on a library thread: it should hand the outcome to the host's event loop and return
 * quickly, and it must not call a blocking libmongoawsauth function (that fails with
 * `MONGOAWSAUTH_RESULT_RUNTIME`).
 */
typedef void (*mongoawsauth_credentials_fetch_cb_t)(void *userdata,
                                                    mongoawsauth_result_t result,
                                                    mongoawsauth_credentials_t *credentials,
                                                    mongoawsauth_error_t *error);

/**
 * Supplies a fresh SAML assertion: the base64 `SAMLResponse` the identity provider posts.
 *
 * Writes the assertion (UTF-8, no NUL needed) into `buffer`, which has room for `capacity`
 * bytes (131072, more than the 100,000 characters STS accepts), stores its length in
 * `*assertion_len` and returns true; returns false when it has no assertion, which fails the
 * fetch with `MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER`. The library copies the assertion and
 * zeroizes `buffer` after every call; the callback keeps ownership of anything it allocated.
 *
 * Called on a library thread every time the SAML source fetches (assertions are valid for
 * minutes only, so none is reused), possibly on several threads at once. It may block, for
 * example on a request to the IdP, but must not call a blocking libmongoawsauth function.
 */
typedef bool (*mongoawsauth_saml_assertion_cb_t)(void *userdata,
                                                 char *buffer,
                                                 size_t capacity,
                                                 size_t *assertion_len);

/**
 * The old name of `mongoawsauth_cache_entries_t`. Deprecated since 0.2.0: use
 * `mongoawsauth_cache_entries_t`.
 */
typedef mongoawsauth_cache_entries_t mongoawsauth_cache_snapshot_t;

/**
 * Success.
 */
#define MONGOAWSAUTH_RESULT_OK 0

/**
 * An argument was invalid: NULL where a value is required, not valid UTF-8, out of range, or a
 * call made in the wrong order (such as reusing a finished conversation).
 */
#define MONGOAWSAUTH_RESULT_INVALID_ARGUMENT 1

/**
 * The configuration cannot work: explicit credentials under the strict policy, a half-set
 * environment (a key without a secret), an invalid connection string for MONGODB-AWS.
 */
#define MONGOAWSAUTH_RESULT_CONFIGURATION 2

/**
 * No configured source could supply credentials; the error lists every source tried.
 */
#define MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND 3

/**
 * A credential source was configured and failed (including the host's provider callback).
 */
#define MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER 4

/**
 * The server's part of the SASL conversation was malformed or failed validation.
 */
#define MONGOAWSAUTH_RESULT_AUTHENTICATION 5

/**
 * SigV4 signing of the GetCallerIdentity request failed.
 */
#define MONGOAWSAUTH_RESULT_SIGNING 6

/**
 * The timeout passed before the operation finished.
 */
#define MONGOAWSAUTH_RESULT_TIMEOUT 7

/**
 * The operation cannot run in this context: a blocking call from a library callback thread, or
 * the library's runtime could not start or was shut down while the operation was pending.
 */
#define MONGOAWSAUTH_RESULT_RUNTIME 8

/**
 * A bug in libmongoawsauth. Please report it with the error message.
 */
#define MONGOAWSAUTH_RESULT_INTERNAL 99

/**
 * A panic inside libmongoawsauth was caught at the C boundary (or in a fetch running for
 * `mongoawsauth_authenticator_credentials_async`): a bug in the library, reported as an
 * error instead of aborting the host. The call had no effect. The panic's message is in the
 * error; it reaches stderr only when `MONGOAWSAUTH_LOG` is set.
 */
#define MONGOAWSAUTH_RESULT_PANIC 100

/**
 * No such attempt: the index is out of range or the error is NULL.
 */
#define MONGOAWSAUTH_ATTEMPT_NONE 0

/**
 * The source supplied credentials.
 */
#define MONGOAWSAUTH_ATTEMPT_SUCCEEDED 1

/**
 * The source is not configured in this environment; the chain moved on.
 */
#define MONGOAWSAUTH_ATTEMPT_NOT_CONFIGURED 2

/**
 * The source was configured and failed; the chain stopped there.
 */
#define MONGOAWSAUTH_ATTEMPT_FAILED 3

/**
 * The source was not asked: an earlier one already decided the outcome, or (for IMDS) the
 * process runs in a container. Only `mongoawsauth_diagnosis_source_status` reports it.
 */
#define MONGOAWSAUTH_ATTEMPT_NOT_TRIED 4

/**
 * The current MongoDB spec (the default): explicit credentials in options or the connection
 * string are an error; credentials come from the environment or a provider callback.
 */
#define MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT 0

/**
 * The pre-2025-10 spec: explicit credentials are accepted and replace every other source.
 */
#define MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY 1

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * The version of the library actually loaded, e.g. `"mongoawsauth/0.1.0"`. Compare it with
 * the header's `MONGOAWSAUTH_VERSION_*` macros to detect a header/library mismatch.
 *
 * Static: never NULL, never freed.
 */
const char *mongoawsauth_version(void);

/**
 * The loaded library's version packed like `MONGOAWSAUTH_VERSION_NUMBER`:
 * `(major << 16) | (minor << 8) | patch`.
 */
uint32_t mongoawsauth_version_number(void);

/**
 * A short, static, lower-case name for `code` (`"ok"`, `"timeout"`, ...); `"unknown"` for a
 * value this library does not define.
 *
 * Never returns NULL. The string is static: do not free it.
 */
const char *mongoawsauth_result_str(mongoawsauth_result_t code);

/**
 * The code of `code`, the enumerated name every face spells the same way: `"INVALID_ARGUMENT"`
 * for `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, as Python's and Node's `err.code` say; `"OK"` and
 * `"PANIC"` for the C layer's own codes; `"UNKNOWN"` for a value this library does not define
 * (a newer library's code, or garbage).
 *
 * Never returns NULL. The string is static: do not free it.
 */
const char *mongoawsauth_result_name(mongoawsauth_result_t code);

/**
 * The result code of the failed call; `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `error` is NULL.
 */
mongoawsauth_result_t mongoawsauth_error_code(const mongoawsauth_error_t *error);

/**
 * The error message: one sentence saying what failed and what to do next, followed for a chain
 * failure by one line per source tried. UTF-8, NUL-terminated; its length without the NUL is
 * stored in `*len` when `len` is not NULL.
 *
 * Borrowed: valid until `error` is destroyed. Returns NULL (and leaves `*len` untouched) if
 * `error` is NULL.
 */
const char *mongoawsauth_error_message(const mongoawsauth_error_t *error,
                                       size_t *len);

/**
 * The number of credential sources the chain tried (0 for errors that are not chain failures,
 * and for NULL).
 */
size_t mongoawsauth_error_attempt_count(const mongoawsauth_error_t *error);

/**
 * The name of the `index`th source tried (`"environment"`, `"custom"`, ...), NUL-terminated,
 * with its length stored in `*len` when `len` is not NULL.
 *
 * Borrowed: valid until `error` is destroyed. NULL if `error` is NULL or `index` is out of range.
 */
const char *mongoawsauth_error_attempt_source(const mongoawsauth_error_t *error,
                                              size_t index,
                                              size_t *len);

/**
 * The outcome of the `index`th source tried; `MONGOAWSAUTH_ATTEMPT_NONE` if `error` is NULL or
 * `index` is out of range.
 */
mongoawsauth_attempt_outcome_t mongoawsauth_error_attempt_outcome(const mongoawsauth_error_t *error,
                                                                  size_t index);

/**
 * What the `index`th source said: why it is not configured, or how it failed; empty for a
 * success. NUL-terminated, with its length stored in `*len` when `len` is not NULL.
 *
 * Borrowed: valid until `error` is destroyed. NULL if `error` is NULL or `index` is out of range.
 */
const char *mongoawsauth_error_attempt_message(const mongoawsauth_error_t *error,
                                               size_t index,
                                               size_t *len);

/**
 * The result code of the `index`th source's failure (`MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER`,
 * `MONGOAWSAUTH_RESULT_TIMEOUT`, ...) when its outcome is `MONGOAWSAUTH_ATTEMPT_FAILED`;
 * `MONGOAWSAUTH_RESULT_OK` for a source that succeeded or is not configured, or if `error` is
 * NULL or `index` is out of range. `mongoawsauth_result_name` spells it.
 */
mongoawsauth_result_t mongoawsauth_error_attempt_code(const mongoawsauth_error_t *error,
                                                      size_t index);

/**
 * How long the `index`th source took, in milliseconds (fractional: microseconds are in the
 * decimals); 0 if `error` is NULL or `index` is out of range.
 */
double mongoawsauth_error_attempt_elapsed_ms(const mongoawsauth_error_t *error,
                                             size_t index);

/**
 * Releases an error. NULL is a no-op. Must not be called twice with the same value.
 */
void mongoawsauth_error_destroy(mongoawsauth_error_t *error);

/**
 * The first byte of the buffer. Never NULL for a valid handle, even when the length is 0.
 *
 * Borrowed: valid until `bytes` is destroyed. Returns NULL if `bytes` is NULL.
 */
const uint8_t *mongoawsauth_bytes_data(const mongoawsauth_bytes_t *bytes);

/**
 * The length of the buffer in bytes; 0 if `bytes` is NULL.
 */
size_t mongoawsauth_bytes_len(const mongoawsauth_bytes_t *bytes);

/**
 * Zeroizes and releases a buffer. NULL is a no-op. Must not be called twice with the same value.
 */
void mongoawsauth_bytes_destroy(mongoawsauth_bytes_t *bytes);

/**
 * Creates credentials from their parts, validated by the library's rules: the access key id
 * and the secret access key are required, the session token is optional (NULL or empty for
 * long-term keys). `expiration_unix_ms`, when not NULL, points to the expiration in milliseconds
 * since the Unix epoch (the unit of BSON date-times).
 *
 * The source name of the result is `"application"` (or `"custom"` once returned by a provider
 * callback).
 *
 * This function does not take ownership of its arguments; it copies them. On success the
 * caller owns `*credentials_out` and must release it with `mongoawsauth_credentials_destroy`.
 * Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` for a NULL or non-UTF-8 string, a missing
 * part, or an expiration before 1970 or after 9999-12-31T23:59:59Z (253402300799000 ms; so
 * `INT64_MIN` and `INT64_MAX` are refused: pass NULL for no expiration).
 */
mongoawsauth_result_t mongoawsauth_credentials_new(const char *access_key_id,
                                                   const char *secret_access_key,
                                                   const char *session_token,
                                                   const int64_t *expiration_unix_ms,
                                                   mongoawsauth_credentials_t **credentials_out,
                                                   mongoawsauth_error_t **error);

/**
 * The access key id (`AKIA...` or `ASIA...`; not a secret), NUL-terminated, with its length
 * stored in `*len` when `len` is not NULL.
 *
 * Borrowed: valid until `credentials` is destroyed. NULL if `credentials` is NULL.
 */
const char *mongoawsauth_credentials_access_key_id(const mongoawsauth_credentials_t *credentials,
                                                   size_t *len);

/**
 * The secret access key, NUL-terminated, with its length stored in `*len` when `len` is not
 * NULL. A secret: never log it.
 *
 * Borrowed: valid until `credentials` is destroyed, which zeroizes it. NULL if `credentials` is
 * NULL.
 */
const char *mongoawsauth_credentials_secret_access_key(const mongoawsauth_credentials_t *credentials,
                                                       size_t *len);

/**
 * The session token of temporary credentials, NUL-terminated, with its length stored in
 * `*len` when `len` is not NULL. A secret: never log it.
 *
 * Borrowed: valid until `credentials` is destroyed, which zeroizes it. NULL (and `*len`
 * untouched) for long-term keys, or if `credentials` is NULL.
 */
const char *mongoawsauth_credentials_session_token(const mongoawsauth_credentials_t *credentials,
                                                   size_t *len);

/**
 * The name of the source that produced the credentials (`"environment"`, `"custom"`,
 * `"application"`, ...), NUL-terminated, with its length stored in `*len` when `len` is not NULL.
 *
 * Borrowed: valid until `credentials` is destroyed. NULL if `credentials` is NULL.
 */
const char *mongoawsauth_credentials_source(const mongoawsauth_credentials_t *credentials,
                                            size_t *len);

/**
 * Whether these are temporary credentials (they carry a session token). False for NULL.
 */
bool mongoawsauth_credentials_is_temporary(const mongoawsauth_credentials_t *credentials);

/**
 * When the credentials expire. Returns true and stores the expiration in milliseconds since
 * the Unix epoch in `*expiration_unix_ms` when the source gave one; returns false and leaves
 * `*expiration_unix_ms` untouched when it did not, or when an argument is NULL.
 */
bool mongoawsauth_credentials_expiration(const mongoawsauth_credentials_t *credentials,
                                         int64_t *expiration_unix_ms);

/**
 * The generation of the process-wide cache entry these credentials came from. Returns true and
 * stores it in `*generation` when they were fetched through the cache (web identity, container,
 * EC2 instance metadata, SAML); returns false and leaves `*generation` untouched for credentials
 * that are never cached (environment, provider callback, `mongoawsauth_credentials_new`), or
 * when an argument is NULL.
 *
 * When a login with these credentials fails, pass the generation to
 * `mongoawsauth_authenticator_report_failure`, so that exactly that cache entry is dropped.
 * Generations are never 0.
 */
bool mongoawsauth_credentials_generation(const mongoawsauth_credentials_t *credentials,
                                         uint64_t *generation);

/**
 * Zeroizes and releases credentials. NULL is a no-op. Must not be called twice with the same
 * value.
 */
void mongoawsauth_credentials_destroy(mongoawsauth_credentials_t *credentials);

/**
 * Creates options for the spec's default chain, reading the real process environment.
 *
 * The caller owns the result and must release it with `mongoawsauth_options_destroy`. Returns
 * NULL only if the library failed internally.
 */
mongoawsauth_options_t *mongoawsauth_options_new(void);

/**
 * Releases options. NULL is a no-op. Must not be called twice with the same value.
 */
void mongoawsauth_options_destroy(mongoawsauth_options_t *options);

/**
 * Explicit credentials from the driver's settings. Allowed only with
 * `MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY` (checked by `mongoawsauth_authenticator_new`); they
 * then replace every other source.
 *
 * This function does not take ownership of `credentials`; it keeps its own reference.
 */
mongoawsauth_result_t mongoawsauth_options_set_explicit_credentials(mongoawsauth_options_t *options,
                                                                    const mongoawsauth_credentials_t *credentials,
                                                                    mongoawsauth_error_t **error);

/**
 * Strict (the current spec, default) or legacy credential rules.
 */
mongoawsauth_result_t mongoawsauth_options_set_credential_policy(mongoawsauth_options_t *options,
                                                                 mongoawsauth_credential_policy_t policy,
                                                                 mongoawsauth_error_t **error);

/**
 * How long one credential resolution may take when a fetch passes no timeout, in
 * milliseconds (default 10000 ms).
 *
 * Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options
 * as they were, if `options` is NULL or `timeout_ms` is 0 or more than 2147483647 (2^31-1 ms,
 * about 24.8 days, the longest timeout every language binding accepts).
 */
mongoawsauth_result_t mongoawsauth_options_set_credentials_timeout_ms(mongoawsauth_options_t *options,
                                                                      uint32_t timeout_ms,
                                                                      mongoawsauth_error_t **error);

/**
 * The connect timeout for the EC2 instance metadata service and container endpoints, in
 * milliseconds (default 1000 ms).
 *
 * Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options
 * as they were, if `options` is NULL or `timeout_ms` is 0 or more than 2147483647 (2^31-1 ms,
 * about 24.8 days, the longest timeout every language binding accepts).
 */
mongoawsauth_result_t mongoawsauth_options_set_metadata_connect_timeout_ms(mongoawsauth_options_t *options,
                                                                           uint32_t timeout_ms,
                                                                           mongoawsauth_error_t **error);

/**
 * The read timeout for the EC2 instance metadata service and container endpoints, in
 * milliseconds (default 10000 ms, the spec's).
 *
 * Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options
 * as they were, if `options` is NULL or `timeout_ms` is 0 or more than 2147483647 (2^31-1 ms,
 * about 24.8 days, the longest timeout every language binding accepts).
 */
mongoawsauth_result_t mongoawsauth_options_set_metadata_read_timeout_ms(mongoawsauth_options_t *options,
                                                                        uint32_t timeout_ms,
                                                                        mongoawsauth_error_t **error);

/**
 * The timeout of one STS request (AssumeRoleWithWebIdentity, AssumeRoleWithSAML), in
 * milliseconds (default 10000 ms).
 *
 * Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options
 * as they were, if `options` is NULL or `timeout_ms` is 0 or more than 2147483647 (2^31-1 ms,
 * about 24.8 days, the longest timeout every language binding accepts).
 */
mongoawsauth_result_t mongoawsauth_options_set_sts_timeout_ms(mongoawsauth_options_t *options,
                                                              uint32_t timeout_ms,
                                                              mongoawsauth_error_t **error);

/**
 * The base URL that `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is joined to (default
 * `http://169.254.170.2`, the ECS agent).
 *
 * This function does not take ownership of `url`; it copies it. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options as they
 * were, if `options` or `url` is NULL, or `url` is not UTF-8 or not an absolute `http://` or
 * `https://` URL with a host.
 */
mongoawsauth_result_t mongoawsauth_options_set_ecs_base_url(mongoawsauth_options_t *options,
                                                            const char *url,
                                                            mongoawsauth_error_t **error);

/**
 * The EC2 instance metadata service base URL, overriding
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT` and the default `http://169.254.169.254`.
 *
 * This function does not take ownership of `url`; it copies it. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options as they
 * were, if `options` or `url` is NULL, or `url` is not UTF-8 or not an absolute `http://` or
 * `https://` URL with a host.
 */
mongoawsauth_result_t mongoawsauth_options_set_imds_endpoint(mongoawsauth_options_t *options,
                                                             const char *url,
                                                             mongoawsauth_error_t **error);

/**
 * The STS endpoint for web identity and SAML, overriding `AWS_ENDPOINT_URL_STS`,
 * `AWS_ENDPOINT_URL` and the regional default.
 *
 * This function does not take ownership of `url`; it copies it. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options as they
 * were, if `options` or `url` is NULL, or `url` is not UTF-8 or not an absolute `http://` or
 * `https://` URL with a host.
 */
mongoawsauth_result_t mongoawsauth_options_set_sts_endpoint(mongoawsauth_options_t *options,
                                                            const char *url,
                                                            mongoawsauth_error_t **error);

/**
 * The profile of the AWS shared config files (`~/.aws/config`, `~/.aws/credentials`) to use,
 * overriding `AWS_PROFILE` and `AWS_DEFAULT_PROFILE`. A profile named here must exist in one of
 * the files: a login with a missing one fails with `MONGOAWSAUTH_RESULT_CONFIGURATION` naming
 * the profiles that do exist.
 *
 * This function does not take ownership of `profile`; it copies it. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options as they
 * were, if `options` or `profile` is NULL, or `profile` is empty, only whitespace or not UTF-8.
 */
mongoawsauth_result_t mongoawsauth_options_set_profile(mongoawsauth_options_t *options,
                                                       const char *profile,
                                                       mongoawsauth_error_t **error);

/**
 * Whether the AWS shared config and credentials files are read (default: true, as the AWS SDKs
 * do). With false the chain is the MongoDB specification's only: provider callback,
 * environment, web identity, container endpoint, EC2 instance metadata.
 *
 * Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `options` is NULL.
 */
mongoawsauth_result_t mongoawsauth_options_set_shared_config(mongoawsauth_options_t *options,
                                                             bool enabled,
                                                             mongoawsauth_error_t **error);

/**
 * Cached credentials are served while more than this much time remains before they expire
 * (default 300000 ms, the spec's 5 minutes); closer to expiry the next fetch asks the source
 * again. Raising it above the refresh-ahead window raises that window too. 0 serves cached
 * credentials until they expire.
 *
 * Applies to the sources behind the process-wide cache (web identity, container, EC2 instance
 * metadata, SAML). Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function, if
 * `options` is NULL or `window_ms` is more than 2147483647 (2^31-1 ms).
 */
mongoawsauth_result_t mongoawsauth_options_set_refresh_window_ms(mongoawsauth_options_t *options,
                                                                 uint32_t window_ms,
                                                                 mongoawsauth_error_t **error);

/**
 * Inside this much time before cached credentials expire, one background fetch refreshes them
 * while every caller keeps getting the still-valid ones, so a connection pool never waits on a
 * refresh (default 600000 ms). A value below the refresh window is raised to it.
 *
 * Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function, if `options` is NULL
 * or `window_ms` is more than 2147483647 (2^31-1 ms).
 */
mongoawsauth_result_t mongoawsauth_options_set_refresh_ahead_ms(mongoawsauth_options_t *options,
                                                                uint32_t window_ms,
                                                                mongoawsauth_error_t **error);

/**
 * Registers a credentials provider callback, tried before every other source (the spec's
 * custom provider). Replaces an earlier registration.
 *
 * `userdata` is passed to every call of `callback` and is never touched by the library.
 * `userdata_destroy` (may be NULL) is called exactly once with `userdata` when the last
 * options or authenticator using this registration is destroyed; until then `userdata` must
 * stay valid. On failure the library takes no ownership of `userdata`.
 *
 * Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `options` or `callback` is NULL.
 */
mongoawsauth_result_t mongoawsauth_options_set_credentials_provider(mongoawsauth_options_t *options,
                                                                    mongoawsauth_credentials_provider_cb_t callback,
                                                                    void *userdata,
                                                                    mongoawsauth_userdata_destroy_cb_t userdata_destroy,
                                                                    mongoawsauth_error_t **error);

/**
 * Creates an authenticator from `options`.
 *
 * This function does not take ownership of `options`; it copies what it needs. On success the
 * caller owns `*authenticator_out` and must release it with
 * `mongoawsauth_authenticator_destroy`. Fails with `MONGOAWSAUTH_RESULT_CONFIGURATION` for
 * explicit credentials under the strict policy.
 */
mongoawsauth_result_t mongoawsauth_authenticator_new(const mongoawsauth_options_t *options,
                                                     mongoawsauth_authenticator_t **authenticator_out,
                                                     mongoawsauth_error_t **error);

/**
 * Releases an authenticator. NULL is a no-op. Must not be called twice with the same value,
 * nor while another thread is still using it.
 */
void mongoawsauth_authenticator_destroy(mongoawsauth_authenticator_t *authenticator);

/**
 * Resolves credentials from the configured sources, blocking the calling thread for at most
 * `timeout_ms` milliseconds (0: the options' credentials timeout, 10 s by default).
 *
 * On success the caller owns `*credentials_out` and must release it with
 * `mongoawsauth_credentials_destroy`. Fails with `MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND`
 * (the error lists every source tried), `MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER`,
 * `MONGOAWSAUTH_RESULT_CONFIGURATION`, `MONGOAWSAUTH_RESULT_TIMEOUT`, or
 * `MONGOAWSAUTH_RESULT_RUNTIME` when called from a library callback thread.
 */
mongoawsauth_result_t mongoawsauth_authenticator_credentials(const mongoawsauth_authenticator_t *authenticator,
                                                             uint32_t timeout_ms,
                                                             mongoawsauth_credentials_t **credentials_out,
                                                             mongoawsauth_error_t **error);

/**
 * Resolves credentials like `mongoawsauth_authenticator_credentials` and starts a
 * conversation with them (with a fresh nonce). Credentials are resolved before the caller
 * sends `saslStart`, so a slow source never holds a server-side conversation open.
 *
 * On success the caller owns `*conversation_out` and must release it with
 * `mongoawsauth_conversation_destroy`. Fails like `mongoawsauth_authenticator_credentials`.
 */
mongoawsauth_result_t mongoawsauth_authenticator_start_conversation(const mongoawsauth_authenticator_t *authenticator,
                                                                    uint32_t timeout_ms,
                                                                    mongoawsauth_conversation_t **conversation_out,
                                                                    mongoawsauth_error_t **error);

/**
 * Reports that a login with credentials of cache generation `generation` failed (the server
 * refused `saslStart` or `saslContinue`), as the MongoDB spec requires: the process-wide cache
 * entry of that generation is dropped, so the next fetch asks the source again.
 *
 * Only an entry that still has that generation is dropped: when a burst of connections fails
 * with the same credentials the entry is dropped once, and credentials fetched since then
 * survive an old report. Get the generation from `mongoawsauth_conversation_generation` or
 * `mongoawsauth_credentials_generation`; credentials without one were never cached and need no
 * report (use `mongoawsauth_authenticator_report_failed_conversation` to skip the check).
 *
 * On success, if `dropped` is not NULL, `*dropped` says whether an entry was dropped (false
 * for an unknown or outdated generation, which is not an error). Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `authenticator` is NULL.
 */
mongoawsauth_result_t mongoawsauth_authenticator_report_failure(const mongoawsauth_authenticator_t *authenticator,
                                                                uint64_t generation,
                                                                bool *dropped,
                                                                mongoawsauth_error_t **error);

/**
 * `mongoawsauth_authenticator_report_failure` for the credentials `conversation` signed with:
 * what a driver calls when the server refuses a login. Does nothing (and reports
 * `*dropped = false`) when those credentials were not cached.
 *
 * This function does not take ownership of `conversation`. On success, if `dropped` is not
 * NULL, `*dropped` says whether a cache entry was dropped. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `authenticator` or `conversation` is NULL.
 */
mongoawsauth_result_t mongoawsauth_authenticator_report_failed_conversation(const mongoawsauth_authenticator_t *authenticator,
                                                                            const mongoawsauth_conversation_t *conversation,
                                                                            bool *dropped,
                                                                            mongoawsauth_error_t **error);

/**
 * Starts resolving credentials in the background and returns at once. `callback` is called
 * exactly once, on a library thread, with the outcome, within `timeout_ms` milliseconds (0:
 * the options' credentials timeout) plus scheduling time.
 *
 * `userdata` is passed to `callback` untouched and must stay valid until it is called. The
 * fetch keeps its own reference to the authenticator's configuration, so `authenticator` may
 * be destroyed before the callback runs.
 *
 * Returns `MONGOAWSAUTH_RESULT_OK` once the fetch is started; then, and only then, `callback`
 * will be called: with `MONGOAWSAUTH_RESULT_RUNTIME` if `mongoawsauth_cleanup` cancels the
 * fetch, with `MONGOAWSAUTH_RESULT_PANIC` if the library panics during it. Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `authenticator` or
 * `callback` is NULL, `MONGOAWSAUTH_RESULT_RUNTIME` if the runtime cannot start.
 */
mongoawsauth_result_t mongoawsauth_authenticator_credentials_async(const mongoawsauth_authenticator_t *authenticator,
                                                                   uint32_t timeout_ms,
                                                                   mongoawsauth_credentials_fetch_cb_t callback,
                                                                   void *userdata,
                                                                   mongoawsauth_error_t **error);

/**
 * Resolves credentials like `mongoawsauth_authenticator_credentials` (blocking for at
 * most `timeout_ms` milliseconds; 0: the options' credentials timeout) and also reports whether
 * they were served from the process-wide cache and how long that took.
 *
 * On success the caller owns `*resolution_out` and must release it with
 * `mongoawsauth_resolution_destroy`. Fails like `mongoawsauth_authenticator_credentials`.
 */
mongoawsauth_result_t mongoawsauth_authenticator_resolve(const mongoawsauth_authenticator_t *authenticator,
                                                         uint32_t timeout_ms,
                                                         mongoawsauth_resolution_t **resolution_out,
                                                         mongoawsauth_error_t **error);

/**
 * The resolved credentials, readable with the `mongoawsauth_credentials_*` accessors and usable
 * with `mongoawsauth_conversation_new` (which keeps its own reference).
 *
 * Borrowed: valid until `resolution` is destroyed; do not destroy it. NULL if `resolution` is
 * NULL.
 */
const mongoawsauth_credentials_t *mongoawsauth_resolution_credentials(const mongoawsauth_resolution_t *resolution);

/**
 * Whether the credentials were served from the process-wide cache rather than fetched from
 * their source. False for NULL.
 */
bool mongoawsauth_resolution_from_cache(const mongoawsauth_resolution_t *resolution);

/**
 * How long the resolution took, in milliseconds (fractional: a cache hit takes microseconds,
 * which are in the decimals); 0 for NULL.
 */
double mongoawsauth_resolution_elapsed_ms(const mongoawsauth_resolution_t *resolution);

/**
 * Zeroizes and releases a resolution and its credentials. NULL is a no-op. Must not be called
 * twice with the same value.
 */
void mongoawsauth_resolution_destroy(mongoawsauth_resolution_t *resolution);

/**
 * Starts a conversation with explicit credentials (for example ones the host fetched with
 * `mongoawsauth_authenticator_credentials`) and a fresh nonce.
 *
 * This function does not take ownership of `credentials`; it keeps its own reference. On
 * success the caller owns `*conversation_out` and must release it with
 * `mongoawsauth_conversation_destroy`.
 */
mongoawsauth_result_t mongoawsauth_conversation_new(const mongoawsauth_credentials_t *credentials,
                                                    mongoawsauth_conversation_t **conversation_out,
                                                    mongoawsauth_error_t **error);

/**
 * The client-first payload `{r: nonce, p: 110}` (BSON) to send as the `payload` of
 * `saslStart` with mechanism `"MONGODB-AWS"` on the `$external` database.
 *
 * On success the caller owns `*payload_out` and must release it with
 * `mongoawsauth_bytes_destroy`. Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if called
 * twice.
 */
mongoawsauth_result_t mongoawsauth_conversation_client_first(mongoawsauth_conversation_t *conversation,
                                                             mongoawsauth_bytes_t **payload_out,
                                                             mongoawsauth_error_t **error);

/**
 * Validates the server's `saslStart` reply payload (`server_payload`, `server_payload_len`
 * bytes of BSON `{s, h}`) and returns the signed client-final payload
 * `{a: Authorization, d: X-Amz-Date, t?: session token}` to send as the `payload` of
 * `saslContinue`.
 *
 * This function does not take ownership of `server_payload`. On success the caller owns
 * `*payload_out` and must release it with `mongoawsauth_bytes_destroy` (it holds the session
 * token and is zeroized on release). Fails with `MONGOAWSAUTH_RESULT_AUTHENTICATION` for a
 * reply that fails the spec's checks, `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` before
 * `client_first` or after the conversation finished. After any failure the conversation is
 * finished.
 */
mongoawsauth_result_t mongoawsauth_conversation_client_final(mongoawsauth_conversation_t *conversation,
                                                             const uint8_t *server_payload,
                                                             size_t server_payload_len,
                                                             mongoawsauth_bytes_t **payload_out,
                                                             mongoawsauth_error_t **error);

/**
 * The cache generation of the credentials this conversation signs with, as
 * `mongoawsauth_credentials_generation` gives it: returns true and stores it in `*generation`
 * when they came from the process-wide cache; returns false and leaves `*generation` untouched
 * when they were not cached, or when an argument is NULL.
 *
 * A driver whose login fails (`saslStart` or `saslContinue` refused) reports it with
 * `mongoawsauth_authenticator_report_failure(auth, generation, ...)`, or in one call with
 * `mongoawsauth_authenticator_report_failed_conversation`. Valid at any point of the
 * conversation, including after it finished or failed.
 */
bool mongoawsauth_conversation_generation(const mongoawsauth_conversation_t *conversation,
                                          uint64_t *generation);

/**
 * Releases a conversation. NULL is a no-op. Must not be called twice with the same value.
 */
void mongoawsauth_conversation_destroy(mongoawsauth_conversation_t *conversation);

/**
 * Creates empty settings (no mechanism, user, password, source or properties).
 *
 * The caller owns the result and must release it with `mongoawsauth_settings_destroy`.
 * Returns NULL only if the library failed internally.
 */
mongoawsauth_settings_t *mongoawsauth_settings_new(void);

/**
 * Reads the authentication settings of a `mongodb://` or `mongodb+srv://` connection string:
 * the percent-decoded userinfo and the `authMechanism`, `authSource` and
 * `authMechanismProperties` options. Everything else in the string is ignored.
 *
 * This function does not take ownership of `uri`. On success the caller owns `*settings_out`
 * and must release it with `mongoawsauth_settings_destroy`. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` for a string that is not a MongoDB connection string.
 */
mongoawsauth_result_t mongoawsauth_settings_new_from_uri(const char *uri,
                                                         mongoawsauth_settings_t **settings_out,
                                                         mongoawsauth_error_t **error);

/**
 * Sets the auth mechanism (`"MONGODB-AWS"`); NULL unsets it. Copies `value`.
 */
mongoawsauth_result_t mongoawsauth_settings_set_mechanism(mongoawsauth_settings_t *settings,
                                                          const char *value,
                                                          mongoawsauth_error_t **error);

/**
 * Sets the username; NULL unsets it. Copies `value`.
 */
mongoawsauth_result_t mongoawsauth_settings_set_username(mongoawsauth_settings_t *settings,
                                                         const char *value,
                                                         mongoawsauth_error_t **error);

/**
 * Sets the password; NULL unsets it. Copies `value` (zeroized on destroy).
 */
mongoawsauth_result_t mongoawsauth_settings_set_password(mongoawsauth_settings_t *settings,
                                                         const char *value,
                                                         mongoawsauth_error_t **error);

/**
 * Sets `authSource`; NULL unsets it. Copies `value`.
 */
mongoawsauth_result_t mongoawsauth_settings_set_source(mongoawsauth_settings_t *settings,
                                                       const char *value,
                                                       mongoawsauth_error_t **error);

/**
 * Appends one `authMechanismProperties` entry `name:value`. Copies both strings.
 *
 * Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if any argument is NULL or not UTF-8.
 */
mongoawsauth_result_t mongoawsauth_settings_add_mechanism_property(mongoawsauth_settings_t *settings,
                                                                   const char *name,
                                                                   const char *value,
                                                                   mongoawsauth_error_t **error);

/**
 * Checks the settings for MONGODB-AWS under `policy`: the mechanism, `authSource` (must be
 * `$external` or unset), the mechanism properties, and whether credentials may appear at all.
 *
 * On success, if `credentials_out` is not NULL, it receives the explicit credentials the
 * settings carry (only ever under `MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY`), which the caller
 * owns and must release with `mongoawsauth_credentials_destroy`, or NULL when there are none.
 * Fails with `MONGOAWSAUTH_RESULT_CONFIGURATION`, with a message saying what to change.
 */
mongoawsauth_result_t mongoawsauth_settings_validate(const mongoawsauth_settings_t *settings,
                                                     mongoawsauth_credential_policy_t policy,
                                                     mongoawsauth_credentials_t **credentials_out,
                                                     mongoawsauth_error_t **error);

/**
 * Zeroizes the secrets in and releases settings. NULL is a no-op. Must not be called twice
 * with the same value.
 */
void mongoawsauth_settings_destroy(mongoawsauth_settings_t *settings);

/**
 * Describes a SAML source for `role_arn` (`arn:aws:iam::<account>:role/<name>`) and
 * `principal_arn` (the IAM SAML provider, `arn:aws:iam::<account>:saml-provider/<name>`), with
 * `callback` supplying the assertion of every fetch. The ARNs are checked by
 * `mongoawsauth_authenticator_new_saml`.
 *
 * `userdata` is passed to every call of `callback` and is never touched by the library.
 * `userdata_destroy` (may be NULL) is called exactly once with `userdata` when the last SAML
 * handle or authenticator using it is destroyed; until then `userdata` must stay valid. On
 * failure the library takes no ownership of `userdata`.
 *
 * This function does not take ownership of the strings; it copies them. On success the caller
 * owns `*saml_out` and must release it with `mongoawsauth_saml_destroy`. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if an ARN, `callback` or `saml_out` is NULL or an ARN is
 * not UTF-8.
 */
mongoawsauth_result_t mongoawsauth_saml_new(const char *role_arn,
                                            const char *principal_arn,
                                            mongoawsauth_saml_assertion_cb_t callback,
                                            void *userdata,
                                            mongoawsauth_userdata_destroy_cb_t userdata_destroy,
                                            mongoawsauth_saml_t **saml_out,
                                            mongoawsauth_error_t **error);

/**
 * How long the credentials last, in seconds: 900 (15 minutes) to 43200 (12 hours); 0 returns
 * to STS's default (1 hour, capped by the role's maximum). The range is checked by
 * `mongoawsauth_authenticator_new_saml`.
 *
 * Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `saml` is NULL.
 */
mongoawsauth_result_t mongoawsauth_saml_set_duration_s(mongoawsauth_saml_t *saml,
                                                       uint32_t duration_s,
                                                       mongoawsauth_error_t **error);

/**
 * An inline session policy (JSON, at most 2048 characters) that narrows the role's
 * permissions; NULL removes it. Checked by `mongoawsauth_authenticator_new_saml`.
 *
 * This function does not take ownership of `policy`; it copies it. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `saml` is NULL or `policy` is not UTF-8.
 */
mongoawsauth_result_t mongoawsauth_saml_set_policy(mongoawsauth_saml_t *saml,
                                                   const char *policy,
                                                   mongoawsauth_error_t **error);

/**
 * Releases a SAML description. NULL is a no-op. Must not be called twice with the same value.
 * `userdata_destroy` runs now only if no authenticator still uses the callback.
 */
void mongoawsauth_saml_destroy(mongoawsauth_saml_t *saml);

/**
 * Creates an authenticator whose only credential source is `saml`, behind the process-wide
 * cache (so `mongoawsauth_authenticator_report_failure` applies to its logins too).
 *
 * From `options` it takes the STS endpoint and timeout (`mongoawsauth_options_set_sts_endpoint`,
 * `_set_sts_timeout_ms`, or the environment's `AWS_ENDPOINT_URL_STS`, `AWS_REGION`, ...), the
 * credentials timeout and the cache's refresh windows; its provider callback, explicit
 * credentials and credential policy do not apply.
 *
 * This function does not take ownership of its arguments; the authenticator keeps its own
 * reference to the assertion callback. On success the caller owns `*authenticator_out` and must
 * release it with `mongoawsauth_authenticator_destroy`. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` for a NULL argument, a malformed ARN, a duration out of
 * range or an empty or oversized policy.
 */
mongoawsauth_result_t mongoawsauth_authenticator_new_saml(const mongoawsauth_options_t *options,
                                                          const mongoawsauth_saml_t *saml,
                                                          mongoawsauth_authenticator_t **authenticator_out,
                                                          mongoawsauth_error_t **error);

/**
 * Walks the default chain of `options` (provider callback, environment, the AWS shared config
 * files' profile, web identity, container, EC2 instance metadata: the MongoDB specification's
 * order with the AWS SDKs' profile step; the environment step is left out when
 * `mongoawsauth_options_set_profile` names a profile, as that profile is what was asked for)
 * without the cache, asking every source afresh, blocking for
 * at most `timeout_ms` milliseconds per source (0: the options' credentials timeout). A source's
 * failure is reported in the diagnosis, not as this function's result.
 *
 * This function does not take ownership of `options`. On success the caller owns
 * `*diagnosis_out` and must release it with `mongoawsauth_diagnosis_destroy`. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` for a NULL argument, and
 * `MONGOAWSAUTH_RESULT_RUNTIME` when called from a library callback thread.
 */
mongoawsauth_result_t mongoawsauth_diagnose(const mongoawsauth_options_t *options,
                                            uint32_t timeout_ms,
                                            mongoawsauth_diagnosis_t **diagnosis_out,
                                            mongoawsauth_error_t **error);

/**
 * The number of sources the walk reports (every source of the chain, tried or not); 0 for
 * NULL.
 */
size_t mongoawsauth_diagnosis_source_count(const mongoawsauth_diagnosis_t *diagnosis);

/**
 * The name of the `index`th source (`"custom"`, `"environment"`, `"web_identity"`,
 * `"container"`, `"imds"`), NUL-terminated, with its length stored in `*len` when `len` is not
 * NULL.
 *
 * Borrowed: valid until `diagnosis` is destroyed. NULL if `diagnosis` is NULL or `index` is out
 * of range.
 */
const char *mongoawsauth_diagnosis_source_name(const mongoawsauth_diagnosis_t *diagnosis,
                                               size_t index,
                                               size_t *len);

/**
 * What the `index`th source did: `MONGOAWSAUTH_ATTEMPT_SUCCEEDED` (it supplied the credentials a
 * login would use), `_NOT_CONFIGURED`, `_FAILED` (a login stops there) or `_NOT_TRIED`;
 * `MONGOAWSAUTH_ATTEMPT_NONE` if `diagnosis` is NULL or `index` is out of range.
 */
mongoawsauth_attempt_outcome_t mongoawsauth_diagnosis_source_status(const mongoawsauth_diagnosis_t *diagnosis,
                                                                    size_t index);

/**
 * What the `index`th source said: which credentials it supplied (kind, access key id, expiry),
 * why it is not configured, how it failed, or why it was not tried. Never a secret.
 * NUL-terminated, with its length stored in `*len` when `len` is not NULL.
 *
 * Borrowed: valid until `diagnosis` is destroyed. NULL if `diagnosis` is NULL or `index` is out
 * of range.
 */
const char *mongoawsauth_diagnosis_source_detail(const mongoawsauth_diagnosis_t *diagnosis,
                                                 size_t index,
                                                 size_t *len);

/**
 * How long the `index`th source took, in milliseconds (fractional; 0 when not tried); 0 if
 * `diagnosis` is NULL or `index` is out of range.
 */
double mongoawsauth_diagnosis_source_elapsed_ms(const mongoawsauth_diagnosis_t *diagnosis,
                                                size_t index);

/**
 * The name of the source a login would use, NUL-terminated, with its length stored in `*len`
 * when `len` is not NULL.
 *
 * Borrowed: valid until `diagnosis` is destroyed. NULL when no source supplied credentials, or
 * if `diagnosis` is NULL.
 */
const char *mongoawsauth_diagnosis_used_source(const mongoawsauth_diagnosis_t *diagnosis,
                                               size_t *len);

/**
 * The credentials a login would use, readable with the `mongoawsauth_credentials_*` accessors.
 *
 * Borrowed: valid until `diagnosis` is destroyed; do not destroy it. NULL when no source
 * supplied credentials, or if `diagnosis` is NULL.
 */
const mongoawsauth_credentials_t *mongoawsauth_diagnosis_credentials(const mongoawsauth_diagnosis_t *diagnosis);

/**
 * What to do next, in one sentence, when no source supplied credentials, NUL-terminated, with
 * its length stored in `*len` when `len` is not NULL.
 *
 * Borrowed: valid until `diagnosis` is destroyed. NULL when a source supplied credentials, or if
 * `diagnosis` is NULL.
 */
const char *mongoawsauth_diagnosis_advice(const mongoawsauth_diagnosis_t *diagnosis,
                                          size_t *len);

/**
 * Zeroizes and releases a diagnosis. NULL is a no-op. Must not be called twice with the same
 * value.
 */
void mongoawsauth_diagnosis_destroy(mongoawsauth_diagnosis_t *diagnosis);

/**
 * Stops the library's background threads (its async runtime), waiting up to 5 seconds for
 * running work. Pending `mongoawsauth_authenticator_credentials_async` fetches are
 * cancelled: their callbacks run with `MONGOAWSAUTH_RESULT_RUNTIME`.
 *
 * Optional. Call it once before the process exits (or before `dlclose`) for a clean shutdown
 * under leak checkers; the library keeps working afterwards and starts a new runtime on the
 * next call that needs one. After `fork()` no call is needed: the child starts its own
 * runtime on first use.
 *
 * Fails with `MONGOAWSAUTH_RESULT_RUNTIME` when called from a library callback thread.
 */
mongoawsauth_result_t mongoawsauth_cleanup(mongoawsauth_error_t **error);

/**
 * ============================================================================================
 * Test hooks (for the MongoDB spec's caching tests)
 * ============================================================================================
 *
 * The functions from here to the end of the header read and change the process-wide credentials
 * cache that every authenticator shares (one entry per configured network source: web
 * identity, container, EC2 instance metadata, SAML). They exist so that a driver can run the
 * spec's "cached credentials" tests through this library; applications must not call them.
 *
 * Empties the cache. Fetches already in flight still complete and store what they fetch.
 *
 * Fails only with `MONGOAWSAUTH_RESULT_PANIC`.
 */
mongoawsauth_result_t mongoawsauth_cache_clear(mongoawsauth_error_t **error);

/**
 * Test hook: copies the current cache entries.
 *
 * On success the caller owns `*entries_out` and must release it with
 * `mongoawsauth_cache_entries_destroy`. Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if
 * `entries_out` is NULL.
 */
mongoawsauth_result_t mongoawsauth_cache_entries_new(mongoawsauth_cache_entries_t **entries_out,
                                                     mongoawsauth_error_t **error);

/**
 * Test hook: the number of entries copied; 0 for NULL.
 */
size_t mongoawsauth_cache_entries_count(const mongoawsauth_cache_entries_t *entries);

/**
 * Test hook: the cache key of the `index`th entry (it describes the source's configuration; pass
 * it to `mongoawsauth_cache_get`, `_set`, `_expire` or `_poison`). NUL-terminated, with its
 * length stored in `*len` when `len` is not NULL.
 *
 * Borrowed: valid until `entries` is destroyed. NULL if `entries` is NULL or `index` is out of
 * range.
 */
const char *mongoawsauth_cache_entries_key(const mongoawsauth_cache_entries_t *entries,
                                           size_t index,
                                           size_t *len);

/**
 * Test hook: the access key id cached in the `index`th entry (not a secret), NUL-terminated,
 * with its length stored in `*len` when `len` is not NULL.
 *
 * Borrowed: valid until `entries` is destroyed. NULL if `entries` is NULL or `index` is out of
 * range.
 */
const char *mongoawsauth_cache_entries_access_key_id(const mongoawsauth_cache_entries_t *entries,
                                                     size_t index,
                                                     size_t *len);

/**
 * Test hook: the name of the source that produced the `index`th entry (`"container"`,
 * `"imds"`, ...), NUL-terminated, with its length stored in `*len` when `len` is not NULL.
 *
 * Borrowed: valid until `entries` is destroyed. NULL if `entries` is NULL or `index` is out of
 * range.
 */
const char *mongoawsauth_cache_entries_source(const mongoawsauth_cache_entries_t *entries,
                                              size_t index,
                                              size_t *len);

/**
 * Test hook: when the `index`th entry expires. Returns true and stores the expiration in
 * milliseconds since the Unix epoch in `*expiration_unix_ms`; returns false and leaves it
 * untouched if an argument is NULL or `index` is out of range.
 */
bool mongoawsauth_cache_entries_expiration(const mongoawsauth_cache_entries_t *entries,
                                           size_t index,
                                           int64_t *expiration_unix_ms);

/**
 * Test hook: the generation of the `index`th entry (what
 * `mongoawsauth_authenticator_report_failure` takes); 0, never a generation, if `entries` is
 * NULL or `index` is out of range.
 */
uint64_t mongoawsauth_cache_entries_generation(const mongoawsauth_cache_entries_t *entries,
                                               size_t index);

/**
 * Test hook: releases a copy of the cache entries. NULL is a no-op. Must not be called twice
 * with the same value.
 */
void mongoawsauth_cache_entries_destroy(mongoawsauth_cache_entries_t *entries);

/**
 * Test hook: the credentials cached under `key`, or, when `key` is NULL, those of the only
 * entry (the spec's tests configure one source).
 *
 * This function does not take ownership of `key`. On success `*credentials_out` receives new
 * credentials (with their generation, see `mongoawsauth_credentials_generation`), which the
 * caller owns and must release with `mongoawsauth_credentials_destroy`, or NULL when there is no
 * such entry (or, for a NULL `key`, not exactly one entry). Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `credentials_out` is NULL or `key` is not UTF-8.
 */
mongoawsauth_result_t mongoawsauth_cache_get(const char *key,
                                             mongoawsauth_credentials_t **credentials_out,
                                             mongoawsauth_error_t **error);

/**
 * Test hook: stores `credentials` under `key` as a fresh entry with a new generation, replacing
 * any entry there. The credentials must have an expiration (`mongoawsauth_credentials_new`
 * with `expiration_unix_ms`); it becomes the entry's expiration.
 *
 * This function does not take ownership of its arguments; it copies them. On success, if
 * `generation` is not NULL, `*generation` receives the new entry's generation. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `key` or `credentials` is NULL, `key` is not UTF-8,
 * or the credentials have no expiration.
 */
mongoawsauth_result_t mongoawsauth_cache_set(const char *key,
                                             const mongoawsauth_credentials_t *credentials,
                                             uint64_t *generation,
                                             mongoawsauth_error_t **error);

/**
 * Test hook: sets the expiration of the entry under `key` (of every entry when `key` is NULL)
 * to `expiration_unix_ms`, milliseconds since the Unix epoch; the spec's tests set it to one minute
 * from now, inside the refresh window, to force the next fetch.
 *
 * This function does not take ownership of `key`. On success, if `changed` is not NULL,
 * `*changed` receives the number of entries changed (0 when there is no such key). Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `key` is not UTF-8 or `expiration_unix_ms` is
 * negative.
 */
mongoawsauth_result_t mongoawsauth_cache_expire(const char *key,
                                                int64_t expiration_unix_ms,
                                                size_t *changed,
                                                mongoawsauth_error_t **error);

/**
 * Test hook: replaces the access key id of the entry under `key` (of every entry when `key` is
 * NULL) with one no STS knows, keeping its generation, so that the next login with it fails:
 * the spec's "poisoned cache" test.
 *
 * This function does not take ownership of `key`. On success, if `changed` is not NULL,
 * `*changed` receives the number of entries changed. Fails with
 * `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `key` is not UTF-8.
 */
mongoawsauth_result_t mongoawsauth_cache_poison(const char *key,
                                                size_t *changed,
                                                mongoawsauth_error_t **error);

/**
 * ============================================================================================
 * Deprecated names (kept for one release)
 * ============================================================================================
 *
 * The functions from here to the end of the header are the 0.1 names of functions renamed in
 * 0.2.0 so that C says what Rust, Python and Node say. They behave exactly as their new names
 * and will be removed in the next release. Compilers that know `deprecated` warn at each call;
 * define `MONGOAWSAUTH_DEPRECATED(note)` as empty before including this header to silence that.
 *
 * Deprecated since 0.2.0: use `mongoawsauth_authenticator_credentials`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_authenticator_credentials")
mongoawsauth_result_t mongoawsauth_authenticator_fetch_credentials(const mongoawsauth_authenticator_t *authenticator,
                                                                   uint32_t timeout_ms,
                                                                   mongoawsauth_credentials_t **credentials_out,
                                                                   mongoawsauth_error_t **error);

/**
 * Deprecated since 0.2.0: use `mongoawsauth_authenticator_credentials_async`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_authenticator_credentials_async")
mongoawsauth_result_t mongoawsauth_authenticator_fetch_credentials_async(const mongoawsauth_authenticator_t *authenticator,
                                                                         uint32_t timeout_ms,
                                                                         mongoawsauth_credentials_fetch_cb_t callback,
                                                                         void *userdata,
                                                                         mongoawsauth_error_t **error);

/**
 * Deprecated since 0.2.0: use `mongoawsauth_credentials_expiration`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_credentials_expiration")
bool mongoawsauth_credentials_expiry(const mongoawsauth_credentials_t *credentials,
                                     int64_t *expiry_unix_ms);

/**
 * Deprecated since 0.2.0: use `mongoawsauth_error_attempt_elapsed_ms` (milliseconds, as a
 * double). How long the `index`th source took, in whole microseconds; 0 if `error` is NULL or
 * `index` is out of range.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_error_attempt_elapsed_ms")
uint64_t mongoawsauth_error_attempt_elapsed_us(const mongoawsauth_error_t *error,
                                               size_t index);

/**
 * Deprecated since 0.2.0: use `mongoawsauth_resolution_elapsed_ms` (milliseconds, as a
 * double). How long the resolution took, in whole microseconds; 0 for NULL.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_resolution_elapsed_ms")
uint64_t mongoawsauth_resolution_elapsed_us(const mongoawsauth_resolution_t *resolution);

/**
 * Deprecated since 0.2.0: use `mongoawsauth_diagnosis_source_elapsed_ms` (milliseconds, as a
 * double). How long the `index`th source took, in whole microseconds; 0 if `diagnosis` is NULL
 * or `index` is out of range.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_diagnosis_source_elapsed_ms")
uint64_t mongoawsauth_diagnosis_source_elapsed_us(const mongoawsauth_diagnosis_t *diagnosis,
                                                  size_t index);

/**
 * Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_new`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_cache_entries_new")
mongoawsauth_result_t mongoawsauth_cache_snapshot_new(mongoawsauth_cache_snapshot_t **snapshot_out,
                                                      mongoawsauth_error_t **error);

/**
 * Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_count`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_cache_entries_count")
size_t mongoawsauth_cache_snapshot_count(const mongoawsauth_cache_snapshot_t *snapshot);

/**
 * Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_key`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_cache_entries_key")
const char *mongoawsauth_cache_snapshot_key(const mongoawsauth_cache_snapshot_t *snapshot,
                                            size_t index,
                                            size_t *len);

/**
 * Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_access_key_id`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_cache_entries_access_key_id")
const char *mongoawsauth_cache_snapshot_access_key_id(const mongoawsauth_cache_snapshot_t *snapshot,
                                                      size_t index,
                                                      size_t *len);

/**
 * Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_source`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_cache_entries_source")
const char *mongoawsauth_cache_snapshot_source(const mongoawsauth_cache_snapshot_t *snapshot,
                                               size_t index,
                                               size_t *len);

/**
 * Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_expiration`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_cache_entries_expiration")
bool mongoawsauth_cache_snapshot_expiry(const mongoawsauth_cache_snapshot_t *snapshot,
                                        size_t index,
                                        int64_t *expiry_unix_ms);

/**
 * Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_generation`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_cache_entries_generation")
uint64_t mongoawsauth_cache_snapshot_generation(const mongoawsauth_cache_snapshot_t *snapshot,
                                                size_t index);

/**
 * Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_destroy`.
 */
MONGOAWSAUTH_DEPRECATED("use mongoawsauth_cache_entries_destroy")
void mongoawsauth_cache_snapshot_destroy(mongoawsauth_cache_snapshot_t *snapshot);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* MONGOAWSAUTH_H */
