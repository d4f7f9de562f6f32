/* Version, result codes, and the error object's accessors (including NULL and out-of-range). */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static void version_string_matches_the_header(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "mongoawsauth/%d.%d.%d", MONGOAWSAUTH_VERSION_MAJOR,
             MONGOAWSAUTH_VERSION_MINOR, MONGOAWSAUTH_VERSION_PATCH);
    CHECK(mongoawsauth_version() != NULL);
    CHECK(strcmp(mongoawsauth_version(), expected) == 0);
}

static void version_number_is_packed_correctly(void) {
    /* rustls-ffi once shipped MINOR where PATCH belonged; test the arithmetic, not just parts. */
    unsigned expected = ((unsigned)MONGOAWSAUTH_VERSION_MAJOR << 16) |
                        ((unsigned)MONGOAWSAUTH_VERSION_MINOR << 8) |
                        (unsigned)MONGOAWSAUTH_VERSION_PATCH;
    CHECK(MONGOAWSAUTH_VERSION_NUMBER == expected);
    CHECK(mongoawsauth_version_number() == MONGOAWSAUTH_VERSION_NUMBER);
    CHECK((MONGOAWSAUTH_VERSION_NUMBER & 0xFF) == MONGOAWSAUTH_VERSION_PATCH);
    CHECK(((MONGOAWSAUTH_VERSION_NUMBER >> 8) & 0xFF) == MONGOAWSAUTH_VERSION_MINOR);
}

static void result_codes_are_stable(void) {
    CHECK(MONGOAWSAUTH_RESULT_OK == 0);
    CHECK(MONGOAWSAUTH_RESULT_INVALID_ARGUMENT == 1);
    CHECK(MONGOAWSAUTH_RESULT_CONFIGURATION == 2);
    CHECK(MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND == 3);
    CHECK(MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER == 4);
    CHECK(MONGOAWSAUTH_RESULT_AUTHENTICATION == 5);
    CHECK(MONGOAWSAUTH_RESULT_SIGNING == 6);
    CHECK(MONGOAWSAUTH_RESULT_TIMEOUT == 7);
    CHECK(MONGOAWSAUTH_RESULT_RUNTIME == 8);
    CHECK(MONGOAWSAUTH_RESULT_INTERNAL == 99);
    CHECK(MONGOAWSAUTH_RESULT_PANIC == 100);
    CHECK(sizeof(mongoawsauth_result_t) == 4);
}

static void result_str_names_every_code(void) {
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_OK), "ok") == 0);
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_INVALID_ARGUMENT), "invalid argument") == 0);
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_CONFIGURATION), "configuration") == 0);
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND), "credentials not found") == 0);
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER), "credentials provider") == 0);
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_AUTHENTICATION), "authentication") == 0);
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_SIGNING), "signing") == 0);
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_TIMEOUT), "timeout") == 0);
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_RUNTIME), "runtime") == 0);
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_INTERNAL), "internal") == 0);
    CHECK(strcmp(mongoawsauth_result_str(MONGOAWSAUTH_RESULT_PANIC), "panic") == 0);
    CHECK(strcmp(mongoawsauth_result_str(12345), "unknown") == 0);
    CHECK(strcmp(mongoawsauth_result_str(UINT32_MAX), "unknown") == 0);
}

static void error_accessors_accept_null(void) {
    size_t len = 77;
    CHECK_RC(mongoawsauth_error_code(NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK(mongoawsauth_error_message(NULL, &len) == NULL);
    CHECK(len == 77);
    CHECK(mongoawsauth_error_attempt_count(NULL) == 0);
    CHECK(mongoawsauth_error_attempt_source(NULL, 0, &len) == NULL);
    CHECK(mongoawsauth_error_attempt_outcome(NULL, 0) == MONGOAWSAUTH_ATTEMPT_NONE);
    CHECK(mongoawsauth_error_attempt_message(NULL, 0, &len) == NULL);
    CHECK(mongoawsauth_error_attempt_elapsed_ms(NULL, 0) == 0.0);
    CHECK_RC(mongoawsauth_error_attempt_code(NULL, 0), MONGOAWSAUTH_RESULT_OK);
    CHECK(len == 77);
    mongoawsauth_error_destroy(NULL);
}

static void error_has_code_message_and_length(void) {
    mongoawsauth_credentials_t *credentials = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_credentials_new(NULL, TEST_SECRET, NULL, NULL, &credentials, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK(credentials == NULL);
    CHECK(error != NULL);
    size_t len = 0;
    const char *message = mongoawsauth_error_message(error, &len);
    CHECK(message != NULL && strlen(message) == len);
    CHECK(strstr(message, "access_key_id must not be NULL") != NULL);
    /* Not a chain failure: no attempts, and every index is out of range. */
    CHECK(mongoawsauth_error_attempt_count(error) == 0);
    CHECK(mongoawsauth_error_attempt_source(error, 0, NULL) == NULL);
    CHECK(mongoawsauth_error_attempt_outcome(error, 0) == MONGOAWSAUTH_ATTEMPT_NONE);
    CHECK(mongoawsauth_error_attempt_message(error, SIZE_MAX, NULL) == NULL);
    CHECK(mongoawsauth_error_attempt_elapsed_ms(error, 3) == 0.0);
    CHECK_RC(mongoawsauth_error_attempt_code(error, 0), MONGOAWSAUTH_RESULT_OK);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "access_key_id");
}

static void error_out_is_optional(void) {
    mongoawsauth_credentials_t *credentials = NULL;
    CHECK_RC(mongoawsauth_credentials_new(NULL, NULL, NULL, NULL, &credentials, NULL),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK(credentials == NULL);
}

const test_case_t version_tests[] = {
    {"version_string_matches_the_header", version_string_matches_the_header},
    {"version_number_is_packed_correctly", version_number_is_packed_correctly},
    {"result_codes_are_stable", result_codes_are_stable},
    {"result_str_names_every_code", result_str_names_every_code},
    {NULL, NULL},
};

const test_case_t error_tests[] = {
    {"error_accessors_accept_null", error_accessors_accept_null},
    {"error_has_code_message_and_length", error_has_code_message_and_length},
    {"error_out_is_optional", error_out_is_optional},
    {NULL, NULL},
};
