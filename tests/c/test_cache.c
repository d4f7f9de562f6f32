/* The process-wide credentials cache from C: generations, report_failure, resolutions, the
 * refresh windows, the test hooks, and the MongoDB spec's caching test plan against the
 * container stand-in. Every test leaves the cache empty. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "check.h"

#define HOUR_MS (3600 * 1000LL)

static mongoawsauth_authenticator_t *authenticator_with(mongoawsauth_options_t *o) {
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_options_destroy(o);
    return auth;
}

static mongoawsauth_credentials_t *expiring_credentials(const char *access_key_id, int64_t expiry_unix_ms) {
    mongoawsauth_credentials_t *c = NULL;
    CHECK_RC(mongoawsauth_credentials_new(access_key_id, TEST_SECRET, TEST_TOKEN, &expiry_unix_ms, &c, NULL),
             MONGOAWSAUTH_RESULT_OK);
    return c;
}

static size_t cache_count(void) {
    mongoawsauth_cache_entries_t *entries = NULL;
    CHECK_RC(mongoawsauth_cache_entries_new(&entries, NULL), MONGOAWSAUTH_RESULT_OK);
    size_t n = mongoawsauth_cache_entries_count(entries);
    mongoawsauth_cache_entries_destroy(entries);
    return n;
}

/* The only entry's generation and access key id (copied into `aki`), or 0 when the cache does
 * not hold exactly one entry. */
static uint64_t only_entry(char *aki, size_t cap, int64_t *expiry) {
    mongoawsauth_cache_entries_t *entries = NULL;
    CHECK_RC(mongoawsauth_cache_entries_new(&entries, NULL), MONGOAWSAUTH_RESULT_OK);
    uint64_t generation = 0;
    if (mongoawsauth_cache_entries_count(entries) == 1) {
        generation = mongoawsauth_cache_entries_generation(entries, 0);
        if (aki != NULL) {
            snprintf(aki, cap, "%s", mongoawsauth_cache_entries_access_key_id(entries, 0, NULL));
        }
        if (expiry != NULL) {
            CHECK(mongoawsauth_cache_entries_expiration(entries, 0, expiry));
        }
    }
    mongoawsauth_cache_entries_destroy(entries);
    return generation;
}

static void hooks_round_trip(void) {
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(cache_count() == 0);
    int64_t at = test_now_unix_ms() + HOUR_MS;
    mongoawsauth_credentials_t *c = expiring_credentials(TEST_ACCESS_KEY_ID, at);
    uint64_t generation = 0;
    CHECK_RC(mongoawsauth_cache_set("c-test-key", c, &generation, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(generation != 0);
    mongoawsauth_credentials_destroy(c);

    mongoawsauth_cache_entries_t *entries = NULL;
    CHECK_RC(mongoawsauth_cache_entries_new(&entries, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(mongoawsauth_cache_entries_count(entries) == 1);
    size_t len = 0;
    CHECK(strcmp(mongoawsauth_cache_entries_key(entries, 0, &len), "c-test-key") == 0);
    CHECK(len == strlen("c-test-key"));
    CHECK(strcmp(mongoawsauth_cache_entries_access_key_id(entries, 0, &len), TEST_ACCESS_KEY_ID) == 0);
    CHECK(len == strlen(TEST_ACCESS_KEY_ID));
    CHECK(strcmp(mongoawsauth_cache_entries_source(entries, 0, NULL), "application") == 0);
    int64_t expiry = 0;
    CHECK(mongoawsauth_cache_entries_expiration(entries, 0, &expiry) && expiry == at);
    CHECK(mongoawsauth_cache_entries_generation(entries, 0) == generation);
    /* Out of range: NULL, false, 0, and outputs untouched. */
    len = 7;
    expiry = 7;
    CHECK(mongoawsauth_cache_entries_key(entries, 1, &len) == NULL);
    CHECK(mongoawsauth_cache_entries_access_key_id(entries, 1, &len) == NULL);
    CHECK(mongoawsauth_cache_entries_source(entries, 1, &len) == NULL);
    CHECK(!mongoawsauth_cache_entries_expiration(entries, 1, &expiry));
    CHECK(!mongoawsauth_cache_entries_expiration(entries, 0, NULL));
    CHECK(mongoawsauth_cache_entries_generation(entries, 1) == 0);
    CHECK(len == 7 && expiry == 7);
    /* A copy of the entries: clearing the cache does not change it. */
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(mongoawsauth_cache_entries_count(entries) == 1);
    mongoawsauth_cache_entries_destroy(entries);

    /* get: by key, or the only entry for NULL; NULL when there is none. */
    c = expiring_credentials(TEST_ACCESS_KEY_ID, at);
    CHECK_RC(mongoawsauth_cache_set("c-test-key", c, &generation, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_destroy(c);
    mongoawsauth_credentials_t *got = NULL;
    CHECK_RC(mongoawsauth_cache_get("c-test-key", &got, NULL), MONGOAWSAUTH_RESULT_OK);
    uint64_t got_generation = 0;
    CHECK(got != NULL && mongoawsauth_credentials_generation(got, &got_generation));
    CHECK(got_generation == generation);
    CHECK(strcmp(mongoawsauth_credentials_secret_access_key(got, NULL), TEST_SECRET) == 0);
    mongoawsauth_credentials_destroy(got);
    got = NULL;
    CHECK_RC(mongoawsauth_cache_get(NULL, &got, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(got != NULL);
    mongoawsauth_credentials_destroy(got);
    got = (mongoawsauth_credentials_t *)&got; /* must be overwritten with NULL */
    CHECK_RC(mongoawsauth_cache_get("missing", &got, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(got == NULL);
    c = expiring_credentials("AKIDSECONDENTRY", at);
    CHECK_RC(mongoawsauth_cache_set("c-test-key-2", c, NULL, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_destroy(c);
    got = (mongoawsauth_credentials_t *)&got;
    CHECK_RC(mongoawsauth_cache_get(NULL, &got, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(got == NULL); /* two entries: no "only" one */

    /* expire: one key, an unknown key, every key. */
    size_t changed = 99;
    int64_t soon = test_now_unix_ms() + 60 * 1000;
    CHECK_RC(mongoawsauth_cache_expire("c-test-key", soon, &changed, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(changed == 1);
    CHECK_RC(mongoawsauth_cache_get("c-test-key", &got, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(mongoawsauth_credentials_expiration(got, &expiry) && expiry == soon);
    mongoawsauth_credentials_destroy(got);
    CHECK_RC(mongoawsauth_cache_expire("nope", soon, &changed, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(changed == 0);
    CHECK_RC(mongoawsauth_cache_expire(NULL, soon, &changed, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(changed == 2);
    CHECK_RC(mongoawsauth_cache_expire(NULL, soon, NULL, NULL), MONGOAWSAUTH_RESULT_OK);

    /* poison: the access key id changes, the generation stays. */
    CHECK_RC(mongoawsauth_cache_poison("c-test-key", &changed, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(changed == 1);
    CHECK_RC(mongoawsauth_cache_get("c-test-key", &got, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(strcmp(mongoawsauth_credentials_access_key_id(got, NULL), TEST_ACCESS_KEY_ID) != 0);
    CHECK(mongoawsauth_credentials_generation(got, &got_generation) && got_generation == generation);
    mongoawsauth_credentials_destroy(got);
    CHECK_RC(mongoawsauth_cache_poison(NULL, &changed, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(changed == 2);
    CHECK_RC(mongoawsauth_cache_poison("nope", NULL, NULL), MONGOAWSAUTH_RESULT_OK);

    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(cache_count() == 0);
}

static void report_failure_drops_only_the_current_generation(void) {
    mongoawsauth_authenticator_t *auth = authenticator_with(mongoawsauth_options_new());
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
    int64_t at = test_now_unix_ms() + HOUR_MS;
    mongoawsauth_credentials_t *c = expiring_credentials(TEST_ACCESS_KEY_ID, at);
    uint64_t old_generation = 0;
    uint64_t new_generation = 0;
    CHECK_RC(mongoawsauth_cache_set("c-test-key", c, &old_generation, NULL), MONGOAWSAUTH_RESULT_OK);
    /* A newer fetch replaced the entry while a login with the old credentials was failing. */
    CHECK_RC(mongoawsauth_cache_set("c-test-key", c, &new_generation, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_destroy(c);
    CHECK(new_generation > old_generation);
    bool dropped = true;
    CHECK_RC(mongoawsauth_authenticator_report_failure(auth, old_generation, &dropped, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(!dropped);
    CHECK(cache_count() == 1);
    /* The current generation is dropped, once: a burst of failures clears the entry once. */
    CHECK_RC(mongoawsauth_authenticator_report_failure(auth, new_generation, &dropped, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(dropped);
    CHECK(cache_count() == 0);
    CHECK_RC(mongoawsauth_authenticator_report_failure(auth, new_generation, &dropped, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(!dropped);
    /* `dropped` is optional; generation 0 is never one. */
    CHECK_RC(mongoawsauth_authenticator_report_failure(auth, 0, NULL, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_authenticator_destroy(auth);
}

static void uncached_credentials_have_no_generation(void) {
    mongoawsauth_credentials_t *c = test_credentials(true);
    uint64_t generation = 42;
    CHECK(!mongoawsauth_credentials_generation(c, &generation));
    mongoawsauth_conversation_t *conv = NULL;
    CHECK_RC(mongoawsauth_conversation_new(c, &conv, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(!mongoawsauth_conversation_generation(conv, &generation));
    CHECK(generation == 42);
    /* Reporting such a conversation is harmless. */
    mongoawsauth_authenticator_t *auth = authenticator_with(mongoawsauth_options_new());
    bool dropped = true;
    CHECK_RC(mongoawsauth_authenticator_report_failed_conversation(auth, conv, &dropped, NULL),
             MONGOAWSAUTH_RESULT_OK);
    CHECK(!dropped);
    /* A cached copy has one, and so does a conversation over it. */
    int64_t at = test_now_unix_ms() + HOUR_MS;
    mongoawsauth_credentials_t *expiring = expiring_credentials(TEST_ACCESS_KEY_ID, at);
    uint64_t stored = 0;
    CHECK_RC(mongoawsauth_cache_set("c-test-key", expiring, &stored, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_t *cached = NULL;
    CHECK_RC(mongoawsauth_cache_get("c-test-key", &cached, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_conversation_t *cached_conv = NULL;
    CHECK_RC(mongoawsauth_conversation_new(cached, &cached_conv, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(mongoawsauth_conversation_generation(cached_conv, &generation) && generation == stored);
    CHECK(!mongoawsauth_conversation_generation(cached_conv, NULL));
    CHECK_RC(mongoawsauth_authenticator_report_failed_conversation(auth, cached_conv, &dropped, NULL),
             MONGOAWSAUTH_RESULT_OK);
    CHECK(dropped && cache_count() == 0);
    mongoawsauth_conversation_destroy(cached_conv);
    mongoawsauth_credentials_destroy(cached);
    mongoawsauth_credentials_destroy(expiring);
    mongoawsauth_authenticator_destroy(auth);
    mongoawsauth_conversation_destroy(conv);
    mongoawsauth_credentials_destroy(c);
}

static void cache_functions_reject_bad_arguments(void) {
    const char bad[] = {'k', (char)0xC3, (char)0x28, 0};
    mongoawsauth_error_t *error = NULL;
    mongoawsauth_credentials_t *got = NULL;
    CHECK_RC(mongoawsauth_cache_entries_new(NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "entries_out must not be NULL");
    CHECK_RC(mongoawsauth_cache_get("k", NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "credentials_out must not be NULL");
    CHECK_RC(mongoawsauth_cache_get(bad, &got, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "key is not valid UTF-8");
    CHECK(got == NULL);

    mongoawsauth_credentials_t *no_expiry = test_credentials(false);
    mongoawsauth_credentials_t *c = expiring_credentials(TEST_ACCESS_KEY_ID, test_now_unix_ms() + HOUR_MS);
    uint64_t generation = 5;
    CHECK_RC(mongoawsauth_cache_set(NULL, c, &generation, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "key must not be NULL");
    CHECK_RC(mongoawsauth_cache_set(bad, c, &generation, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "key is not valid UTF-8");
    CHECK_RC(mongoawsauth_cache_set("k", NULL, &generation, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "credentials must not be NULL");
    CHECK_RC(mongoawsauth_cache_set("k", no_expiry, &generation, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "expiry");
    CHECK(generation == 5);
    mongoawsauth_credentials_destroy(no_expiry);
    mongoawsauth_credentials_destroy(c);

    size_t changed = 5;
    CHECK_RC(mongoawsauth_cache_expire(NULL, -1, &changed, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "before 1970");
    CHECK_RC(mongoawsauth_cache_expire(bad, 0, &changed, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "key is not valid UTF-8");
    CHECK_RC(mongoawsauth_cache_poison(bad, &changed, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "key is not valid UTF-8");
    CHECK(changed == 5);

    size_t len = 3;
    int64_t expiry = 3;
    CHECK(mongoawsauth_cache_entries_count(NULL) == 0);
    CHECK(mongoawsauth_cache_entries_key(NULL, 0, &len) == NULL);
    CHECK(mongoawsauth_cache_entries_access_key_id(NULL, 0, &len) == NULL);
    CHECK(mongoawsauth_cache_entries_source(NULL, 0, &len) == NULL);
    CHECK(!mongoawsauth_cache_entries_expiration(NULL, 0, &expiry));
    CHECK(mongoawsauth_cache_entries_generation(NULL, 0) == 0);
    CHECK(len == 3 && expiry == 3);
    mongoawsauth_cache_entries_destroy(NULL);

    /* report_failure and the generation accessors. */
    mongoawsauth_authenticator_t *auth = authenticator_with(mongoawsauth_options_new());
    mongoawsauth_credentials_t *creds = test_credentials(false);
    mongoawsauth_conversation_t *conv = NULL;
    CHECK_RC(mongoawsauth_conversation_new(creds, &conv, NULL), MONGOAWSAUTH_RESULT_OK);
    bool dropped = true;
    CHECK_RC(mongoawsauth_authenticator_report_failure(NULL, 1, &dropped, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "authenticator must not be NULL");
    CHECK_RC(mongoawsauth_authenticator_report_failed_conversation(NULL, conv, &dropped, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "authenticator must not be NULL");
    CHECK_RC(mongoawsauth_authenticator_report_failed_conversation(auth, NULL, &dropped, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "conversation must not be NULL");
    CHECK(dropped);
    uint64_t g = 9;
    CHECK(!mongoawsauth_credentials_generation(NULL, &g));
    CHECK(!mongoawsauth_conversation_generation(NULL, &g));
    CHECK(g == 9);
    mongoawsauth_conversation_destroy(conv);
    mongoawsauth_credentials_destroy(creds);
    mongoawsauth_authenticator_destroy(auth);
}

static void resolution_reports_source_and_timing(void) {
    mongoawsauth_authenticator_t *auth = authenticator_with(mongoawsauth_options_new());
    setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET, 1);
    mongoawsauth_resolution_t *r = NULL;
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 2000, &r, NULL), MONGOAWSAUTH_RESULT_OK);
    const mongoawsauth_credentials_t *c = mongoawsauth_resolution_credentials(r);
    CHECK(c != NULL && strcmp(mongoawsauth_credentials_source(c, NULL), "environment") == 0);
    CHECK(!mongoawsauth_resolution_from_cache(r)); /* the environment is never cached */
    CHECK(mongoawsauth_resolution_elapsed_ms(r) < 10 * 1000.0);
    /* The borrowed credentials start a conversation, which keeps its own reference. */
    mongoawsauth_conversation_t *conv = NULL;
    CHECK_RC(mongoawsauth_conversation_new(c, &conv, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_resolution_destroy(r);
    mongoawsauth_bytes_t *first = NULL;
    CHECK_RC(mongoawsauth_conversation_client_first(conv, &first, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_bytes_destroy(first);
    mongoawsauth_conversation_destroy(conv);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");

    /* Failures, NULL arguments and NULL handles. */
    mongoawsauth_error_t *error = NULL;
    r = NULL;
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 0, &r, &error), MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND, "no AWS credentials found");
    CHECK_RC(mongoawsauth_authenticator_resolve(NULL, 0, &r, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "authenticator must not be NULL");
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 0, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "resolution_out must not be NULL");
    CHECK(r == NULL);
    CHECK(mongoawsauth_resolution_credentials(NULL) == NULL);
    CHECK(!mongoawsauth_resolution_from_cache(NULL));
    CHECK(mongoawsauth_resolution_elapsed_ms(NULL) == 0.0);
    mongoawsauth_resolution_destroy(NULL);
    mongoawsauth_authenticator_destroy(auth);
}

static void refresh_window_setters(void) {
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_options_set_refresh_window_ms(NULL, 1, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "options must not be NULL");
    CHECK_RC(mongoawsauth_options_set_refresh_ahead_ms(NULL, 1, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "options must not be NULL");
    if (!test_use_container(true)) {
        return;
    }
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);

    /* A refresh window longer than the credentials live (the longest accepted, 2^31-1 ms, about 24.8
     * days): the cache never serves them. */
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    CHECK_RC(mongoawsauth_options_set_refresh_window_ms(o, 2147483647u, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_authenticator_t *auth = authenticator_with(o);
    mongoawsauth_resolution_t *first = NULL;
    mongoawsauth_resolution_t *second = NULL;
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 5000, &first, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 5000, &second, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(!mongoawsauth_resolution_from_cache(first) && !mongoawsauth_resolution_from_cache(second));
    CHECK(strcmp(mongoawsauth_credentials_source(mongoawsauth_resolution_credentials(second), NULL), "container") == 0);
    mongoawsauth_resolution_destroy(first);
    mongoawsauth_resolution_destroy(second);
    mongoawsauth_authenticator_destroy(auth);

    /* The refresh-ahead window is tested through the SAML authenticator (test_saml.c). */
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
    test_use_container(false);
}

/* The MongoDB auth spec's "Cached Credentials" prose test, step by step, with the container
 * stand-in as the source. A driver sees the login fail at saslContinue; here the host's report
 * of that failure is the same call a driver makes. */
static void spec_caching_plan_with_the_container_standin(void) {
    if (!test_use_container(true)) {
        return;
    }
    char aki[64];
    char poisoned_aki[64];
    int64_t expiry = 0;
    mongoawsauth_resolution_t *r = NULL;

    /* 1. Clear the cache. */
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(cache_count() == 0);

    /* 2. A new client's login fetches and fills the cache. */
    mongoawsauth_authenticator_t *auth = authenticator_with(mongoawsauth_options_new());
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 5000, &r, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(!mongoawsauth_resolution_from_cache(r));
    mongoawsauth_resolution_destroy(r);
    uint64_t g1 = only_entry(aki, sizeof aki, &expiry);
    CHECK(g1 != 0);
    CHECK(expiry > test_now_unix_ms() + 10 * 60 * 1000);
    mongoawsauth_authenticator_destroy(auth);

    /* A second new client is served from the cache: the cache is process-wide. */
    auth = authenticator_with(mongoawsauth_options_new());
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 5000, &r, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(mongoawsauth_resolution_from_cache(r));
    CHECK(strcmp(mongoawsauth_credentials_access_key_id(mongoawsauth_resolution_credentials(r), NULL), aki) == 0);
    mongoawsauth_resolution_destroy(r);
    mongoawsauth_authenticator_destroy(auth);

    /* 3. Move the expiry to one minute from now, inside the 5-minute refresh window. */
    size_t changed = 0;
    CHECK_RC(mongoawsauth_cache_expire(NULL, test_now_unix_ms() + 60 * 1000, &changed, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(changed == 1);

    /* 4. A new client's login fetches again and updates the expiry (a new generation). */
    auth = authenticator_with(mongoawsauth_options_new());
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 5000, &r, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(!mongoawsauth_resolution_from_cache(r));
    mongoawsauth_resolution_destroy(r);
    uint64_t g2 = only_entry(NULL, 0, &expiry);
    CHECK(g2 != 0 && g2 != g1);
    CHECK(expiry > test_now_unix_ms() + 10 * 60 * 1000);
    /* A late report for the replaced generation must not drop the new entry. */
    bool dropped = true;
    CHECK_RC(mongoawsauth_authenticator_report_failure(auth, g1, &dropped, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(!dropped && cache_count() == 1);
    mongoawsauth_authenticator_destroy(auth);

    /* 5. Poison the cache. */
    CHECK_RC(mongoawsauth_cache_poison(NULL, &changed, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(changed == 1);
    CHECK(only_entry(poisoned_aki, sizeof poisoned_aki, NULL) == g2);

    /* 6. A new client's login uses the poisoned credentials, and the server refuses it: the
     *    driver reports the conversation's generation. */
    auth = authenticator_with(mongoawsauth_options_new());
    mongoawsauth_conversation_t *conv = NULL;
    CHECK_RC(mongoawsauth_authenticator_start_conversation(auth, 5000, &conv, NULL), MONGOAWSAUTH_RESULT_OK);
    uint64_t used = 0;
    CHECK(mongoawsauth_conversation_generation(conv, &used) && used == g2);
    CHECK_RC(mongoawsauth_authenticator_report_failed_conversation(auth, conv, &dropped, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(dropped);
    mongoawsauth_conversation_destroy(conv);

    /* 7. The cache has been cleared. */
    CHECK(cache_count() == 0);

    /* 8. The next login fetches fresh credentials, not the poisoned ones ... */
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 5000, &r, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(!mongoawsauth_resolution_from_cache(r));
    CHECK(strcmp(mongoawsauth_credentials_access_key_id(mongoawsauth_resolution_credentials(r), NULL),
                 poisoned_aki) != 0);
    mongoawsauth_resolution_destroy(r);

    /* 9. ... and the cache has been set again. */
    uint64_t g3 = only_entry(NULL, 0, NULL);
    CHECK(g3 != 0 && g3 != g2);
    mongoawsauth_authenticator_destroy(auth);
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
    test_use_container(false);
}

const test_case_t cache_tests[] = {
    {"cache_hooks_round_trip", hooks_round_trip},
    {"report_failure_drops_only_the_current_generation", report_failure_drops_only_the_current_generation},
    {"uncached_credentials_have_no_generation", uncached_credentials_have_no_generation},
    {"cache_functions_reject_bad_arguments", cache_functions_reject_bad_arguments},
    {"resolution_reports_source_and_timing", resolution_reports_source_and_timing},
    {"refresh_window_setters", refresh_window_setters},
    {"spec_caching_plan_with_the_container_standin", spec_caching_plan_with_the_container_standin},
    {NULL, NULL},
};
