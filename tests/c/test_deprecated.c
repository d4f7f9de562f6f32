/* The 0.1 names renamed in 0.2.0, kept for one release: each is still exported and answers what
 * its new name answers. The header marks them deprecated; this file, and only this one, uses the
 * documented opt-out (an empty MONGOAWSAUTH_DEPRECATED) so that -Werror builds it. tests/c/run.sh
 * checks separately that a call does warn without it. */
#define _POSIX_C_SOURCE 200809L
#define MONGOAWSAUTH_DEPRECATED(note)
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"

/* The old microsecond value and the new millisecond one describe the same duration: the old one
 * is truncated to whole microseconds, the new one keeps them in the decimals. */
static bool same_elapsed(uint64_t us, double ms) {
    double as_us = ms * 1000.0;
    return as_us >= (double)us - 0.5 && as_us < (double)us + 1.5;
}

static void old_fetch_and_expiry_names_answer_like_the_new_ones(void) {
    mongoawsauth_authenticator_t *auth = NULL;
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_options_destroy(o);
    setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET, 1);
    mongoawsauth_credentials_t *c = NULL;
    CHECK_RC(mongoawsauth_authenticator_fetch_credentials(auth, 2000, &c, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(c != NULL && strcmp(mongoawsauth_credentials_source(c, NULL), "environment") == 0);
    mongoawsauth_credentials_destroy(c);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");

    /* The same failure, with the same attempts, under either name. */
    mongoawsauth_error_t *error = NULL;
    c = NULL;
    CHECK_RC(mongoawsauth_authenticator_fetch_credentials(auth, 0, &c, &error),
             MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND);
    CHECK(c == NULL && mongoawsauth_error_attempt_count(error) >= 1);
    for (size_t i = 0; i < mongoawsauth_error_attempt_count(error); i++) {
        CHECK(same_elapsed(mongoawsauth_error_attempt_elapsed_us(error, i),
                           mongoawsauth_error_attempt_elapsed_ms(error, i)));
    }
    CHECK(mongoawsauth_error_attempt_elapsed_us(error, SIZE_MAX) == 0);
    CHECK(mongoawsauth_error_attempt_elapsed_us(NULL, 0) == 0);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND, "no AWS credentials found");
    CHECK_RC(mongoawsauth_authenticator_fetch_credentials(NULL, 0, &c, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "authenticator must not be NULL");
    mongoawsauth_authenticator_destroy(auth);

    int64_t at = 1893456000123; /* 2030-01-01T00:00:00.123Z */
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, TEST_TOKEN, &at, &c, NULL),
             MONGOAWSAUTH_RESULT_OK);
    int64_t old_value = 0;
    int64_t new_value = 1;
    CHECK(mongoawsauth_credentials_expiry(c, &old_value) && mongoawsauth_credentials_expiration(c, &new_value));
    CHECK(old_value == at && new_value == at);
    CHECK(!mongoawsauth_credentials_expiry(c, NULL));
    mongoawsauth_credentials_destroy(c);
    old_value = 5;
    CHECK(!mongoawsauth_credentials_expiry(NULL, &old_value) && old_value == 5);
}

static void old_async_name_calls_back_once(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_credentials_t *explicit_credentials = test_credentials(true);
    mongoawsauth_options_set_credential_policy(o, MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY, NULL);
    mongoawsauth_options_set_explicit_credentials(o, explicit_credentials, NULL);
    mongoawsauth_credentials_destroy(explicit_credentials);
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_options_destroy(o);

    test_completion_t done;
    test_completion_init(&done);
    CHECK_RC(mongoawsauth_authenticator_fetch_credentials_async(auth, 2000, test_completion_callback, &done, NULL),
             MONGOAWSAUTH_RESULT_OK);
    test_completion_wait(&done);
    CHECK(done.calls == 1);
    CHECK_RC(done.result, MONGOAWSAUTH_RESULT_OK);
    CHECK(done.credentials != NULL && done.error == NULL);
    CHECK(done.credentials != NULL &&
          strcmp(mongoawsauth_credentials_access_key_id(done.credentials, NULL), TEST_ACCESS_KEY_ID) == 0);
    test_completion_finish(&done);

    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_authenticator_fetch_credentials_async(auth, 0, NULL, NULL, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "callback must not be NULL");
    mongoawsauth_authenticator_destroy(auth);
}

static void old_elapsed_us_names_answer_like_the_ms_ones(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET, 1);
    mongoawsauth_resolution_t *r = NULL;
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 2000, &r, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(same_elapsed(mongoawsauth_resolution_elapsed_us(r), mongoawsauth_resolution_elapsed_ms(r)));
    mongoawsauth_resolution_destroy(r);
    CHECK(mongoawsauth_resolution_elapsed_us(NULL) == 0);

    mongoawsauth_diagnosis_t *d = NULL;
    CHECK_RC(mongoawsauth_diagnose(o, 2000, &d, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(mongoawsauth_diagnosis_source_count(d) >= 1);
    for (size_t i = 0; i < mongoawsauth_diagnosis_source_count(d); i++) {
        CHECK(same_elapsed(mongoawsauth_diagnosis_source_elapsed_us(d, i),
                           mongoawsauth_diagnosis_source_elapsed_ms(d, i)));
    }
    CHECK(mongoawsauth_diagnosis_source_elapsed_us(d, SIZE_MAX) == 0);
    CHECK(mongoawsauth_diagnosis_source_elapsed_us(NULL, 0) == 0);
    mongoawsauth_diagnosis_destroy(d);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    mongoawsauth_authenticator_destroy(auth);
    mongoawsauth_options_destroy(o);
}

static void old_cache_snapshot_names_read_the_entries(void) {
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
    int64_t at = 1893456000123;
    mongoawsauth_credentials_t *c = NULL;
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, TEST_TOKEN, &at, &c, NULL),
             MONGOAWSAUTH_RESULT_OK);
    uint64_t generation = 0;
    CHECK_RC(mongoawsauth_cache_set("c-deprecated-key", c, &generation, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_destroy(c);

    /* The old type name is the new type. */
    mongoawsauth_cache_snapshot_t *snapshot = NULL;
    CHECK_RC(mongoawsauth_cache_snapshot_new(&snapshot, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_cache_entries_t *entries = snapshot;
    CHECK(mongoawsauth_cache_snapshot_count(snapshot) == 1 && mongoawsauth_cache_entries_count(entries) == 1);
    size_t len = 0;
    CHECK(strcmp(mongoawsauth_cache_snapshot_key(snapshot, 0, &len), "c-deprecated-key") == 0);
    CHECK(len == strlen("c-deprecated-key"));
    CHECK(strcmp(mongoawsauth_cache_snapshot_access_key_id(snapshot, 0, NULL), TEST_ACCESS_KEY_ID) == 0);
    CHECK(strcmp(mongoawsauth_cache_snapshot_source(snapshot, 0, NULL), "application") == 0);
    int64_t expiry = 0;
    CHECK(mongoawsauth_cache_snapshot_expiry(snapshot, 0, &expiry) && expiry == at);
    CHECK(mongoawsauth_cache_snapshot_generation(snapshot, 0) == generation);
    CHECK(mongoawsauth_cache_snapshot_key(snapshot, 1, NULL) == NULL);
    CHECK(!mongoawsauth_cache_snapshot_expiry(snapshot, 1, &expiry));
    CHECK(mongoawsauth_cache_snapshot_generation(snapshot, 1) == 0);
    mongoawsauth_cache_snapshot_destroy(snapshot);
    mongoawsauth_cache_snapshot_destroy(NULL);
    CHECK(mongoawsauth_cache_snapshot_count(NULL) == 0);
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_cache_snapshot_new(NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "must not be NULL");
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
}

const test_case_t deprecated_tests[] = {
    {"old_fetch_and_expiry_names_answer_like_the_new_ones", old_fetch_and_expiry_names_answer_like_the_new_ones},
    {"old_async_name_calls_back_once", old_async_name_calls_back_once},
    {"old_elapsed_us_names_answer_like_the_ms_ones", old_elapsed_us_names_answer_like_the_ms_ones},
    {"old_cache_snapshot_names_read_the_entries", old_cache_snapshot_names_read_the_entries},
    {NULL, NULL},
};
