/* mongoawsauth_authenticator_credentials_async and mongoawsauth_cleanup. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"

static mongoawsauth_credentials_t *slow_provider(void *userdata) {
    (void)userdata;
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    mongoawsauth_credentials_t *c = NULL;
    mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, NULL, NULL, &c, NULL);
    return c;
}

static mongoawsauth_authenticator_t *legacy_authenticator(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_credentials_t *c = test_credentials(true);
    mongoawsauth_options_set_credential_policy(o, MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY, NULL);
    mongoawsauth_options_set_explicit_credentials(o, c, NULL);
    mongoawsauth_credentials_destroy(c);
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_options_destroy(o);
    return auth;
}

static void async_fetch_calls_back_once_with_credentials(void) {
    mongoawsauth_authenticator_t *auth = legacy_authenticator();
    test_completion_t done;
    test_completion_init(&done);
    CHECK_RC(mongoawsauth_authenticator_credentials_async(auth, 0, test_completion_callback, &done, NULL),
             MONGOAWSAUTH_RESULT_OK);
    /* The fetch keeps what it needs: the authenticator can go before the callback runs. */
    mongoawsauth_authenticator_destroy(auth);
    test_completion_wait(&done);
    CHECK(done.calls == 1);
    CHECK_RC(done.result, MONGOAWSAUTH_RESULT_OK);
    CHECK(done.error == NULL && done.credentials != NULL);
    CHECK(strcmp(mongoawsauth_credentials_session_token(done.credentials, NULL), TEST_TOKEN) == 0);
    test_completion_finish(&done);
}

static void async_fetch_reports_failures(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_options_destroy(o);
    test_completion_t done;
    test_completion_init(&done);
    CHECK_RC(mongoawsauth_authenticator_credentials_async(auth, 1000, test_completion_callback, &done, NULL),
             MONGOAWSAUTH_RESULT_OK);
    test_completion_wait(&done);
    CHECK(done.calls == 1);
    CHECK_RC(done.result, MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND);
    CHECK(done.credentials == NULL);
    CHECK_RC(mongoawsauth_error_code(done.error), MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND);
    CHECK(mongoawsauth_error_attempt_count(done.error) >= 1);
    test_completion_finish(&done);
    mongoawsauth_authenticator_destroy(auth);
}

static void async_fetch_rejects_null(void) {
    mongoawsauth_authenticator_t *auth = legacy_authenticator();
    mongoawsauth_error_t *error = NULL;
    test_completion_t done;
    test_completion_init(&done);
    CHECK_RC(mongoawsauth_authenticator_credentials_async(NULL, 0, test_completion_callback, &done, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "authenticator must not be NULL");
    CHECK_RC(mongoawsauth_authenticator_credentials_async(auth, 0, NULL, &done, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "callback must not be NULL");
    CHECK(done.calls == 0); /* a failed start never calls back */
    test_completion_finish(&done);
    mongoawsauth_authenticator_destroy(auth);
}

static void cleanup_cancels_pending_fetches_and_the_library_keeps_working(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_options_set_credentials_provider(o, slow_provider, NULL, NULL, NULL);
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_options_destroy(o);
    test_completion_t done;
    test_completion_init(&done);
    CHECK_RC(mongoawsauth_authenticator_credentials_async(auth, 0, test_completion_callback, &done, NULL),
             MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_cleanup(NULL), MONGOAWSAUTH_RESULT_OK);
    test_completion_wait(&done);
    CHECK(done.calls == 1);
    CHECK_RC(done.result, MONGOAWSAUTH_RESULT_RUNTIME);
    CHECK(done.credentials == NULL);
    const char *message = mongoawsauth_error_message(done.error, NULL);
    CHECK(message != NULL && strstr(message, "shut") != NULL);
    test_completion_finish(&done);
    /* Cleanup twice is fine, and the next call starts a new runtime. */
    CHECK_RC(mongoawsauth_cleanup(NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_t *c = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 0, &c, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_destroy(c);
    mongoawsauth_authenticator_destroy(auth);
}

const test_case_t async_tests[] = {
    {"async_fetch_calls_back_once_with_credentials", async_fetch_calls_back_once_with_credentials},
    {"async_fetch_reports_failures", async_fetch_reports_failures},
    {"async_fetch_rejects_null", async_fetch_rejects_null},
    {"cleanup_cancels_pending_fetches_and_the_library_keeps_working",
     cleanup_cancels_pending_fetches_and_the_library_keeps_working},
    {NULL, NULL},
};
