/* mongoawsauth_options_t setters and mongoawsauth_authenticator_new's configuration checks. */
/* mkstemp, setenv, unsetenv, strdup. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static void every_setter_accepts_valid_values(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    CHECK(o != NULL);
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_options_set_credential_policy(o, MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT, &error),
             MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_credentials_timeout_ms(o, 2500, &error), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_metadata_connect_timeout_ms(o, 100, &error), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_metadata_read_timeout_ms(o, 200, &error), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_sts_timeout_ms(o, 300, &error), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_ecs_base_url(o, "http://127.0.0.1:1", &error), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_imds_endpoint(o, "http://127.0.0.1:2", &error), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_sts_endpoint(o, "http://127.0.0.1:3", &error), MONGOAWSAUTH_RESULT_OK);
    CHECK(error == NULL);
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, &error), MONGOAWSAUTH_RESULT_OK);
    CHECK(auth != NULL && error == NULL);
    mongoawsauth_authenticator_destroy(auth);
    mongoawsauth_options_destroy(o);
}

static void setters_reject_null_and_bad_values(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_options_set_credential_policy(NULL, 0, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "options must not be NULL");
    CHECK_RC(mongoawsauth_options_set_credential_policy(o, 7, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "policy 7 is not");
    CHECK_RC(mongoawsauth_options_set_credentials_timeout_ms(NULL, 1, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "options");
    CHECK_RC(mongoawsauth_options_set_metadata_connect_timeout_ms(NULL, 1, NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_RC(mongoawsauth_options_set_metadata_read_timeout_ms(NULL, 1, NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_RC(mongoawsauth_options_set_sts_timeout_ms(NULL, 1, NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_RC(mongoawsauth_options_set_ecs_base_url(o, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "url must not be NULL");
    CHECK_RC(mongoawsauth_options_set_imds_endpoint(NULL, "http://127.0.0.1", NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    const char bad[] = {'h', (char)0xFF, 0};
    CHECK_RC(mongoawsauth_options_set_sts_endpoint(o, bad, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "not valid UTF-8");
    CHECK_RC(mongoawsauth_options_set_explicit_credentials(o, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "credentials must not be NULL");
    CHECK_RC(mongoawsauth_options_set_credentials_provider(o, NULL, NULL, NULL, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "callback must not be NULL");
    mongoawsauth_options_destroy(o);
    mongoawsauth_options_destroy(NULL);
}

/* A zero timeout would fail every request at once, and one above 2^31-1 ms is more than any
 * face accepts: every timeout setter refuses both, names itself, says the range, and leaves the
 * options as they were; the cache windows, where 0 means something, take 0. */
static void zero_timeouts_are_invalid_arguments(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_error_t *error = NULL;
    mongoawsauth_result_t (*const setters[])(mongoawsauth_options_t *, uint32_t, mongoawsauth_error_t **) = {
        mongoawsauth_options_set_credentials_timeout_ms,
        mongoawsauth_options_set_metadata_connect_timeout_ms,
        mongoawsauth_options_set_metadata_read_timeout_ms,
        mongoawsauth_options_set_sts_timeout_ms,
    };
    for (size_t i = 0; i < sizeof setters / sizeof setters[0]; i++) {
        CHECK_RC(setters[i](o, 0, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
        CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "must be more than 0 ms");
        CHECK_RC(setters[i](o, 0, NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
        CHECK_RC(setters[i](o, 2147483648u, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
        CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "at most 2147483647 ms");
        CHECK_RC(setters[i](o, 2147483647u, NULL), MONGOAWSAUTH_RESULT_OK);
        CHECK_RC(setters[i](o, 1, &error), MONGOAWSAUTH_RESULT_OK);
        CHECK(error == NULL);
    }
    CHECK_RC(mongoawsauth_options_set_refresh_window_ms(o, 0, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_refresh_ahead_ms(o, 0, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_refresh_window_ms(o, UINT32_MAX, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "mongoawsauth_options_set_refresh_window_ms");
    /* The refused zero left the 1 ms credentials timeout in place: the authenticator builds. */
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, &error), MONGOAWSAUTH_RESULT_OK);
    CHECK(auth != NULL && error == NULL);
    mongoawsauth_authenticator_destroy(auth);
    mongoawsauth_options_destroy(o);
}

/* A profile of the shared credentials file, named in code, supplies the credentials; a named
 * profile that does not exist is a configuration error listing the ones that do; with the files
 * switched off the chain finds nothing. The file's path comes from AWS_SHARED_CREDENTIALS_FILE,
 * set here for this test only and restored afterwards. */
static void a_profile_named_in_code_is_used_and_the_files_can_be_switched_off(void) {
    char path[] = "/tmp/mongoawsauth-c-profile-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char text[] = "[ctest]\naws_access_key_id = AKIACPROFILE\naws_secret_access_key = " TEST_SECRET "\n";
    CHECK(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
    close(fd);
    const char *saved = getenv("AWS_SHARED_CREDENTIALS_FILE");
    char *saved_copy = saved ? strdup(saved) : NULL;
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);

    mongoawsauth_error_t *error = NULL;
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    CHECK_RC(mongoawsauth_options_set_profile(o, "ctest", &error), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_t *c = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 2000, &c, &error), MONGOAWSAUTH_RESULT_OK);
    CHECK(c != NULL && strcmp(mongoawsauth_credentials_access_key_id(c, NULL), "AKIACPROFILE") == 0);
    CHECK(strcmp(mongoawsauth_credentials_source(c, NULL), "profile") == 0);
    mongoawsauth_credentials_destroy(c);
    mongoawsauth_authenticator_destroy(auth);

    CHECK_RC(mongoawsauth_options_set_profile(o, "no-such-profile", NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    c = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 2000, &c, &error), MONGOAWSAUTH_RESULT_CONFIGURATION);
    CHECK(c == NULL);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CONFIGURATION, "ctest");
    mongoawsauth_authenticator_destroy(auth);

    CHECK_RC(mongoawsauth_options_set_profile(o, "ctest", NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_shared_config(o, false, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 2000, &c, &error),
             MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND, "switched off");
    mongoawsauth_authenticator_destroy(auth);

    CHECK_RC(mongoawsauth_options_set_profile(o, "  ", &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "mongoawsauth_options_set_profile refused");
    CHECK_RC(mongoawsauth_options_set_profile(o, NULL, NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_RC(mongoawsauth_options_set_shared_config(NULL, true, NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    mongoawsauth_options_destroy(o);

    if (saved_copy) {
        setenv("AWS_SHARED_CREDENTIALS_FILE", saved_copy, 1);
        free(saved_copy);
    } else {
        unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    }
    unlink(path);
}

static void explicit_credentials_need_the_legacy_policy(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_credentials_t *c = test_credentials(false);
    CHECK_RC(mongoawsauth_options_set_explicit_credentials(o, c, NULL), MONGOAWSAUTH_RESULT_OK);
    /* The options keep their own reference: the caller's handle can go now. */
    mongoawsauth_credentials_destroy(c);
    mongoawsauth_authenticator_t *auth = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, &error), MONGOAWSAUTH_RESULT_CONFIGURATION);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CONFIGURATION, "explicit credentials are not allowed");
    CHECK_RC(mongoawsauth_options_set_credential_policy(o, MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY, NULL),
             MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, &error), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_options_destroy(o);
    mongoawsauth_credentials_t *fetched = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 0, &fetched, &error), MONGOAWSAUTH_RESULT_OK);
    CHECK(fetched != NULL && strcmp(mongoawsauth_credentials_access_key_id(fetched, NULL), TEST_ACCESS_KEY_ID) == 0);
    mongoawsauth_credentials_destroy(fetched);
    mongoawsauth_authenticator_destroy(auth);
}

static void authenticator_new_rejects_null(void) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_authenticator_t *auth = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(NULL, &auth, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "options must not be NULL");
    CHECK_RC(mongoawsauth_authenticator_new(o, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "authenticator_out must not be NULL");
    CHECK(auth == NULL);
    mongoawsauth_authenticator_destroy(NULL);
    mongoawsauth_options_destroy(o);
}

const test_case_t options_tests[] = {
    {"every_setter_accepts_valid_values", every_setter_accepts_valid_values},
    {"setters_reject_null_and_bad_values", setters_reject_null_and_bad_values},
    {"zero_timeouts_are_invalid_arguments", zero_timeouts_are_invalid_arguments},
    {"a_profile_named_in_code_is_used_and_the_files_can_be_switched_off",
     a_profile_named_in_code_is_used_and_the_files_can_be_switched_off},
    {"explicit_credentials_need_the_legacy_policy", explicit_credentials_need_the_legacy_policy},
    {"authenticator_new_rejects_null", authenticator_new_rejects_null},
    {NULL, NULL},
};
