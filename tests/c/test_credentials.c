/* mongoawsauth_credentials_t: construction, validation, accessors. */
#include <stdlib.h>

#include "check.h"

static void long_term_credentials_and_accessors(void) {
    mongoawsauth_credentials_t *c = test_credentials(false);
    size_t len = 0;
    CHECK(strcmp(mongoawsauth_credentials_access_key_id(c, &len), TEST_ACCESS_KEY_ID) == 0);
    CHECK(len == strlen(TEST_ACCESS_KEY_ID));
    CHECK(strcmp(mongoawsauth_credentials_secret_access_key(c, &len), TEST_SECRET) == 0);
    CHECK(len == strlen(TEST_SECRET));
    len = 99;
    CHECK(mongoawsauth_credentials_session_token(c, &len) == NULL);
    CHECK(len == 99);
    CHECK(!mongoawsauth_credentials_is_temporary(c));
    CHECK(strcmp(mongoawsauth_credentials_source(c, NULL), "application") == 0);
    int64_t expiry = 5;
    CHECK(!mongoawsauth_credentials_expiration(c, &expiry));
    CHECK(expiry == 5);
    mongoawsauth_credentials_destroy(c);
}

static void temporary_credentials_with_expiry(void) {
    mongoawsauth_credentials_t *c = NULL;
    int64_t at = 1893456000123; /* 2030-01-01T00:00:00.123Z */
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, TEST_TOKEN, &at, &c, NULL),
             MONGOAWSAUTH_RESULT_OK);
    size_t len = 0;
    CHECK(strcmp(mongoawsauth_credentials_session_token(c, &len), TEST_TOKEN) == 0);
    CHECK(len == strlen(TEST_TOKEN));
    CHECK(mongoawsauth_credentials_is_temporary(c));
    int64_t expiry = 0;
    CHECK(mongoawsauth_credentials_expiration(c, &expiry));
    CHECK(expiry == at);
    CHECK(!mongoawsauth_credentials_expiration(c, NULL));
    mongoawsauth_credentials_destroy(c);
}

static void invalid_credentials_are_rejected(void) {
    mongoawsauth_credentials_t *c = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, "", NULL, NULL, &c, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "no secret access key");
    CHECK_RC(mongoawsauth_credentials_new("", TEST_SECRET, NULL, NULL, &c, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "no access key id");
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, NULL, NULL, NULL, &c, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "secret_access_key must not be NULL");
    CHECK_RC(mongoawsauth_credentials_new("AKID WITH SPACE", TEST_SECRET, NULL, NULL, &c, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "whitespace");
    int64_t before_1970 = -1;
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, NULL, &before_1970, &c, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "before 1970");
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, NULL, NULL, NULL, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "credentials_out must not be NULL");
    CHECK(c == NULL);
}

/* INT64_MAX and INT64_MIN are what C code passes for "never" and "unset": neither is an expiry
 * (the library works in milliseconds between 1970 and 9999-12-31T23:59:59Z), and both bounds are. */
static void impossible_expiries_are_rejected(void) {
    mongoawsauth_credentials_t *c = NULL;
    mongoawsauth_error_t *error = NULL;
    int64_t never = INT64_MAX;
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, TEST_TOKEN, &never, &c, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "after 9999-12-31T23:59:59Z");
    int64_t just_after = INT64_C(253402300799001);
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, NULL, &just_after, &c, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "expiration_unix_ms");
    int64_t unset = INT64_MIN;
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, NULL, &unset, &c, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "before 1970");
    CHECK(c == NULL);

    int64_t last = INT64_C(253402300799000);
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, NULL, &last, &c, NULL),
             MONGOAWSAUTH_RESULT_OK);
    int64_t expiry = 0;
    CHECK(mongoawsauth_credentials_expiration(c, &expiry) && expiry == last);
    mongoawsauth_credentials_destroy(c);
}

static void non_utf8_strings_are_rejected(void) {
    mongoawsauth_credentials_t *c = NULL;
    mongoawsauth_error_t *error = NULL;
    const char bad[] = {'A', 'K', (char)0xC3, (char)0x28, 0};
    CHECK_RC(mongoawsauth_credentials_new(bad, TEST_SECRET, NULL, NULL, &c, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "access_key_id is not valid UTF-8");
    CHECK_RC(mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, bad, NULL, &c, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "session_token is not valid UTF-8");
    CHECK(c == NULL);
}

static void credentials_accessors_accept_null(void) {
    size_t len = 3;
    int64_t expiry = 4;
    CHECK(mongoawsauth_credentials_access_key_id(NULL, &len) == NULL);
    CHECK(mongoawsauth_credentials_secret_access_key(NULL, &len) == NULL);
    CHECK(mongoawsauth_credentials_session_token(NULL, &len) == NULL);
    CHECK(mongoawsauth_credentials_source(NULL, &len) == NULL);
    CHECK(!mongoawsauth_credentials_is_temporary(NULL));
    CHECK(!mongoawsauth_credentials_expiration(NULL, &expiry));
    CHECK(len == 3 && expiry == 4);
    mongoawsauth_credentials_destroy(NULL);
}

const test_case_t credentials_tests[] = {
    {"long_term_credentials_and_accessors", long_term_credentials_and_accessors},
    {"temporary_credentials_with_expiry", temporary_credentials_with_expiry},
    {"invalid_credentials_are_rejected", invalid_credentials_are_rejected},
    {"impossible_expiries_are_rejected", impossible_expiries_are_rejected},
    {"non_utf8_strings_are_rejected", non_utf8_strings_are_rejected},
    {"credentials_accessors_accept_null", credentials_accessors_accept_null},
    {NULL, NULL},
};
