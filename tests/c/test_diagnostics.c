/* mongoawsauth_diagnose and mongoawsauth_diagnosis_t: every source's status, the source a login
 * would use, advice, and NULL handling. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "check.h"

/* The index of the source named `name`, or SIZE_MAX. */
static size_t source_index(const mongoawsauth_diagnosis_t *d, const char *name) {
    for (size_t i = 0; i < mongoawsauth_diagnosis_source_count(d); i++) {
        if (strcmp(mongoawsauth_diagnosis_source_name(d, i, NULL), name) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

static mongoawsauth_diagnosis_t *diagnose(mongoawsauth_options_t *o) {
    mongoawsauth_diagnosis_t *d = NULL;
    CHECK_RC(mongoawsauth_diagnose(o, 2000, &d, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_options_destroy(o);
    return d;
}

static void nothing_configured_reports_every_source_and_advice(void) {
    mongoawsauth_diagnosis_t *d = diagnose(mongoawsauth_options_new());
    CHECK(mongoawsauth_diagnosis_source_count(d) >= 4);
    const char *names[] = {"environment", "web_identity", "container", "imds"};
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        size_t i = source_index(d, names[n]);
        CHECK(i != SIZE_MAX);
        CHECK(mongoawsauth_diagnosis_source_status(d, i) == MONGOAWSAUTH_ATTEMPT_NOT_CONFIGURED);
        size_t len = 0;
        const char *detail = mongoawsauth_diagnosis_source_detail(d, i, &len);
        CHECK(detail != NULL && len == strlen(detail) && len > 0);
        CHECK(mongoawsauth_diagnosis_source_elapsed_ms(d, i) < 10 * 1000.0);
    }
    CHECK(strstr(mongoawsauth_diagnosis_source_detail(d, source_index(d, "environment"), NULL),
                 "AWS_ACCESS_KEY_ID") != NULL);
    CHECK(mongoawsauth_diagnosis_used_source(d, NULL) == NULL);
    CHECK(mongoawsauth_diagnosis_credentials(d) == NULL);
    size_t len = 0;
    const char *advice = mongoawsauth_diagnosis_advice(d, &len);
    CHECK(advice != NULL && len == strlen(advice) && strstr(advice, "no source is configured") != NULL);
    mongoawsauth_diagnosis_destroy(d);
}

static void the_used_source_stops_the_walk(void) {
    setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET, 1);
    mongoawsauth_diagnosis_t *d = diagnose(mongoawsauth_options_new());
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    size_t env = source_index(d, "environment");
    CHECK(env != SIZE_MAX);
    CHECK(mongoawsauth_diagnosis_source_status(d, env) == MONGOAWSAUTH_ATTEMPT_SUCCEEDED);
    const char *detail = mongoawsauth_diagnosis_source_detail(d, env, NULL);
    CHECK(strstr(detail, TEST_ACCESS_KEY_ID) != NULL && strstr(detail, TEST_SECRET) == NULL);
    size_t len = 0;
    CHECK(strcmp(mongoawsauth_diagnosis_used_source(d, &len), "environment") == 0 && len == strlen("environment"));
    const mongoawsauth_credentials_t *c = mongoawsauth_diagnosis_credentials(d);
    CHECK(c != NULL && strcmp(mongoawsauth_credentials_access_key_id(c, NULL), TEST_ACCESS_KEY_ID) == 0);
    CHECK(mongoawsauth_diagnosis_advice(d, NULL) == NULL);
    /* Everything after the used source is reported, not asked. */
    for (size_t i = env + 1; i < mongoawsauth_diagnosis_source_count(d); i++) {
        CHECK(mongoawsauth_diagnosis_source_status(d, i) == MONGOAWSAUTH_ATTEMPT_NOT_TRIED);
        CHECK(mongoawsauth_diagnosis_source_elapsed_ms(d, i) == 0.0);
        CHECK(strstr(mongoawsauth_diagnosis_source_detail(d, i, NULL), "environment") != NULL);
    }
    mongoawsauth_diagnosis_destroy(d);
}

/* An expiration that is 10000-01-01T00:59:59Z in UTC is not an expiry: the environment source
 * fails with a clear reason, instead of the diagnosis panicking while it prints the credentials. */
static void an_impossible_expiration_is_a_failed_source(void) {
    setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET, 1);
    setenv("AWS_SESSION_TOKEN", TEST_TOKEN, 1);
    setenv("AWS_CREDENTIAL_EXPIRATION", "9999-12-31T23:59:59-01:00", 1);
    mongoawsauth_diagnosis_t *d = diagnose(mongoawsauth_options_new());
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_CREDENTIAL_EXPIRATION");
    size_t env = source_index(d, "environment");
    CHECK(env != SIZE_MAX);
    if (env != SIZE_MAX) {
        CHECK(mongoawsauth_diagnosis_source_status(d, env) == MONGOAWSAUTH_ATTEMPT_FAILED);
        const char *detail = mongoawsauth_diagnosis_source_detail(d, env, NULL);
        CHECK(strstr(detail, "after 9999-12-31T23:59:59Z") != NULL);
        CHECK(strstr(detail, TEST_SECRET) == NULL && strstr(detail, TEST_TOKEN) == NULL);
    }
    CHECK(mongoawsauth_diagnosis_credentials(d) == NULL);
    mongoawsauth_diagnosis_destroy(d);
}

static mongoawsauth_credentials_t *null_provider(void *userdata) {
    (void)userdata;
    return NULL;
}

static void a_failing_source_is_reported_with_advice(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    CHECK_RC(mongoawsauth_options_set_credentials_provider(o, null_provider, NULL, NULL, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_diagnosis_t *d = diagnose(o);
    CHECK(source_index(d, "custom") == 0);
    CHECK(mongoawsauth_diagnosis_source_status(d, 0) == MONGOAWSAUTH_ATTEMPT_FAILED);
    CHECK(strstr(mongoawsauth_diagnosis_source_detail(d, 0, NULL), "returned NULL") != NULL);
    CHECK(mongoawsauth_diagnosis_source_status(d, 1) == MONGOAWSAUTH_ATTEMPT_NOT_TRIED);
    CHECK(strstr(mongoawsauth_diagnosis_advice(d, NULL), "custom") != NULL);
    mongoawsauth_diagnosis_destroy(d);
}

static void the_container_standin_is_diagnosed(void) {
    if (!test_use_container(true)) {
        return;
    }
    mongoawsauth_diagnosis_t *d = diagnose(mongoawsauth_options_new());
    test_use_container(false);
    CHECK(strcmp(mongoawsauth_diagnosis_used_source(d, NULL), "container") == 0);
    size_t imds = source_index(d, "imds");
    CHECK(mongoawsauth_diagnosis_source_status(d, imds) == MONGOAWSAUTH_ATTEMPT_NOT_TRIED);
    CHECK(mongoawsauth_credentials_is_temporary(mongoawsauth_diagnosis_credentials(d)));
    mongoawsauth_diagnosis_destroy(d);
}

static void diagnose_rejects_null(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_diagnosis_t *d = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_diagnose(NULL, 0, &d, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "options must not be NULL");
    CHECK_RC(mongoawsauth_diagnose(o, 0, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "diagnosis_out must not be NULL");
    CHECK(d == NULL);
    /* 0: the options' credentials timeout per source. */
    CHECK_RC(mongoawsauth_diagnose(o, 0, &d, NULL), MONGOAWSAUTH_RESULT_OK);
    size_t n = mongoawsauth_diagnosis_source_count(d);
    size_t len = 5;
    CHECK(mongoawsauth_diagnosis_source_name(d, n, &len) == NULL);
    CHECK(mongoawsauth_diagnosis_source_detail(d, n, &len) == NULL);
    CHECK(mongoawsauth_diagnosis_source_status(d, n) == MONGOAWSAUTH_ATTEMPT_NONE);
    CHECK(mongoawsauth_diagnosis_source_elapsed_ms(d, n) == 0.0);
    mongoawsauth_diagnosis_destroy(d);
    CHECK(mongoawsauth_diagnosis_source_count(NULL) == 0);
    CHECK(mongoawsauth_diagnosis_source_name(NULL, 0, &len) == NULL);
    CHECK(mongoawsauth_diagnosis_source_detail(NULL, 0, &len) == NULL);
    CHECK(mongoawsauth_diagnosis_source_status(NULL, 0) == MONGOAWSAUTH_ATTEMPT_NONE);
    CHECK(mongoawsauth_diagnosis_source_elapsed_ms(NULL, 0) == 0.0);
    CHECK(mongoawsauth_diagnosis_used_source(NULL, &len) == NULL);
    CHECK(mongoawsauth_diagnosis_advice(NULL, &len) == NULL);
    CHECK(mongoawsauth_diagnosis_credentials(NULL) == NULL);
    CHECK(len == 5);
    mongoawsauth_diagnosis_destroy(NULL);
    mongoawsauth_options_destroy(o);
}

const test_case_t diagnostics_tests[] = {
    {"nothing_configured_reports_every_source_and_advice", nothing_configured_reports_every_source_and_advice},
    {"the_used_source_stops_the_walk", the_used_source_stops_the_walk},
    {"a_failing_source_is_reported_with_advice", a_failing_source_is_reported_with_advice},
    {"an_impossible_expiration_is_a_failed_source", an_impossible_expiration_is_a_failed_source},
    {"the_container_standin_is_diagnosed", the_container_standin_is_diagnosed},
    {"diagnose_rejects_null", diagnose_rejects_null},
    {NULL, NULL},
};
