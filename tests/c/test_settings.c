/* mongoawsauth_settings_t: the spec's connection-string rules, from a URI and field by field. */
#include <stdlib.h>

#include "check.h"

static mongoawsauth_result_t validate_uri(const char *uri, mongoawsauth_credential_policy_t policy,
                                          mongoawsauth_credentials_t **credentials, mongoawsauth_error_t **error) {
    mongoawsauth_settings_t *s = NULL;
    mongoawsauth_result_t rc = mongoawsauth_settings_new_from_uri(uri, &s, error);
    if (rc == MONGOAWSAUTH_RESULT_OK) {
        rc = mongoawsauth_settings_validate(s, policy, credentials, error);
    }
    mongoawsauth_settings_destroy(s);
    return rc;
}

static void strict_policy_follows_the_current_spec(void) {
    mongoawsauth_credentials_t *c = (mongoawsauth_credentials_t *)1; /* must become NULL */
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(validate_uri("mongodb://localhost/?authMechanism=MONGODB-AWS", MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT, &c,
                          &error),
             MONGOAWSAUTH_RESULT_OK);
    CHECK(c == NULL && error == NULL);
    CHECK_RC(validate_uri("mongodb://" TEST_ACCESS_KEY_ID ":secret@localhost/?authMechanism=MONGODB-AWS",
                          MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT, NULL, &error),
             MONGOAWSAUTH_RESULT_CONFIGURATION);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CONFIGURATION, "does not accept a username or password");
    CHECK_RC(validate_uri("mongodb://localhost/?authMechanism=MONGODB-AWS&authSource=admin",
                          MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT, NULL, &error),
             MONGOAWSAUTH_RESULT_CONFIGURATION);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CONFIGURATION, "authSource must be $external");
    CHECK_RC(validate_uri("mongodb://localhost/?authMechanism=MONGODB-AWS&authMechanismProperties="
                          "AWS_SESSION_TOKEN:tok",
                          MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT, NULL, &error),
             MONGOAWSAUTH_RESULT_CONFIGURATION);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CONFIGURATION, "AWS_SESSION_TOKEN");
}

static void legacy_policy_returns_explicit_credentials(void) {
    mongoawsauth_credentials_t *c = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(validate_uri("mongodb://" TEST_ACCESS_KEY_ID ":wJalrXUtnFEMI%2FK7MDENG+bPxRfiCYEXAMPLEKEY@localhost/"
                          "?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:" TEST_TOKEN,
                          MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY, &c, &error),
             MONGOAWSAUTH_RESULT_OK);
    CHECK(c != NULL && error == NULL);
    CHECK(strcmp(mongoawsauth_credentials_secret_access_key(c, NULL), TEST_SECRET) == 0);
    CHECK(strcmp(mongoawsauth_credentials_session_token(c, NULL), TEST_TOKEN) == 0);
    mongoawsauth_credentials_destroy(c);
    c = NULL;
    CHECK_RC(validate_uri("mongodb://" TEST_ACCESS_KEY_ID "@localhost/?authMechanism=MONGODB-AWS",
                          MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY, &c, &error),
             MONGOAWSAUTH_RESULT_CONFIGURATION);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CONFIGURATION, "username without a password");
    CHECK(c == NULL);
}

static void field_based_settings(void) {
    mongoawsauth_settings_t *s = mongoawsauth_settings_new();
    CHECK(s != NULL);
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_settings_set_mechanism(s, "MONGODB-AWS", &error), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_settings_set_source(s, "$external", &error), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_settings_set_username(s, TEST_ACCESS_KEY_ID, &error), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_settings_set_password(s, TEST_SECRET, &error), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_settings_add_mechanism_property(s, "AWS_SESSION_TOKEN", TEST_TOKEN, &error),
             MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_t *c = NULL;
    CHECK_RC(mongoawsauth_settings_validate(s, MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT, &c, &error),
             MONGOAWSAUTH_RESULT_CONFIGURATION);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CONFIGURATION, "username or password");
    CHECK_RC(mongoawsauth_settings_validate(s, MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY, &c, &error),
             MONGOAWSAUTH_RESULT_OK);
    CHECK(c != NULL && mongoawsauth_credentials_is_temporary(c));
    mongoawsauth_credentials_destroy(c);
    /* Unsetting the credentials makes the settings valid under the strict policy too. */
    CHECK_RC(mongoawsauth_settings_set_username(s, NULL, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_settings_set_password(s, NULL, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_settings_validate(s, MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT, NULL, &error),
             MONGOAWSAUTH_RESULT_CONFIGURATION); /* the session token property is still there */
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CONFIGURATION, "AWS_SESSION_TOKEN");
    CHECK_RC(mongoawsauth_settings_set_mechanism(s, "SCRAM-SHA-256", NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_settings_validate(s, MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY, NULL, &error),
             MONGOAWSAUTH_RESULT_CONFIGURATION);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CONFIGURATION, "SCRAM-SHA-256");
    mongoawsauth_settings_destroy(s);
}

static void settings_reject_bad_arguments(void) {
    mongoawsauth_settings_t *s = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_settings_new_from_uri("postgres://localhost", &s, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "mongodb://");
    CHECK_RC(mongoawsauth_settings_new_from_uri(NULL, &s, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "uri must not be NULL");
    CHECK_RC(mongoawsauth_settings_new_from_uri("mongodb://localhost", NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "settings_out must not be NULL");
    CHECK(s == NULL);
    s = mongoawsauth_settings_new();
    const char bad[] = {(char)0xFE, 0};
    CHECK_RC(mongoawsauth_settings_set_mechanism(NULL, "x", &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "settings must not be NULL");
    CHECK_RC(mongoawsauth_settings_set_username(s, bad, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "not valid UTF-8");
    CHECK_RC(mongoawsauth_settings_set_password(NULL, "x", NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_RC(mongoawsauth_settings_set_source(NULL, "x", NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_RC(mongoawsauth_settings_add_mechanism_property(s, NULL, "v", &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "name must not be NULL");
    CHECK_RC(mongoawsauth_settings_add_mechanism_property(s, "AWS_CREDENTIAL_PROVIDER", NULL, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "value must not be NULL");
    CHECK_RC(mongoawsauth_settings_add_mechanism_property(NULL, "a", "b", NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_RC(mongoawsauth_settings_validate(NULL, 0, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "settings must not be NULL");
    CHECK_RC(mongoawsauth_settings_validate(s, 42, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "policy 42");
    mongoawsauth_settings_destroy(s);
    mongoawsauth_settings_destroy(NULL);
}

const test_case_t settings_tests[] = {
    {"strict_policy_follows_the_current_spec", strict_policy_follows_the_current_spec},
    {"legacy_policy_returns_explicit_credentials", legacy_policy_returns_explicit_credentials},
    {"field_based_settings", field_based_settings},
    {"settings_reject_bad_arguments", settings_reject_bad_arguments},
    {NULL, NULL},
};
