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
