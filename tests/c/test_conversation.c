/* mongoawsauth_conversation_t: payloads, server-reply validation, call order, bytes handles. */
#include <stdlib.h>

#include "check.h"

static mongoawsauth_conversation_t *new_conversation(bool temporary) {
    mongoawsauth_credentials_t *c = test_credentials(temporary);
    mongoawsauth_conversation_t *conv = NULL;
    CHECK_RC(mongoawsauth_conversation_new(c, &conv, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_destroy(c); /* the conversation keeps its own reference */
    return conv;
}

static void full_conversation_with_temporary_credentials(void) {
    mongoawsauth_conversation_t *conv = new_conversation(true);
    mongoawsauth_bytes_t *first = NULL;
    CHECK_RC(mongoawsauth_conversation_client_first(conv, &first, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(mongoawsauth_bytes_len(first) == 52);
    const uint8_t *p = mongoawsauth_bytes_data(first);
    CHECK(p != NULL && p[0] == 52 && p[4] == 0x05 && p[5] == 'r');
    uint8_t server[256];
    size_t server_len = test_server_first(first, "sts.us-west-2.amazonaws.com", server, sizeof server);
    CHECK(server_len > 0);
    mongoawsauth_bytes_t *final = NULL;
    CHECK_RC(mongoawsauth_conversation_client_final(conv, server, server_len, &final, NULL), MONGOAWSAUTH_RESULT_OK);
    const uint8_t *f = mongoawsauth_bytes_data(final);
    size_t f_len = mongoawsauth_bytes_len(final);
    CHECK(test_contains(f, f_len, "AWS4-HMAC-SHA256 Credential=" TEST_ACCESS_KEY_ID "/"));
    CHECK(test_contains(f, f_len, "/us-west-2/sts/aws4_request"));
    CHECK(test_contains(f, f_len, "x-amz-security-token"));
    CHECK(test_contains(f, f_len, TEST_TOKEN));
    CHECK(!test_contains(f, f_len, TEST_SECRET));
    mongoawsauth_bytes_destroy(final);
    mongoawsauth_bytes_destroy(first);
    mongoawsauth_conversation_destroy(conv);
}

static void long_term_keys_send_no_token(void) {
    mongoawsauth_conversation_t *conv = new_conversation(false);
    mongoawsauth_bytes_t *first = NULL;
    mongoawsauth_bytes_t *final = NULL;
    CHECK_RC(mongoawsauth_conversation_client_first(conv, &first, NULL), MONGOAWSAUTH_RESULT_OK);
    uint8_t server[256];
    size_t server_len = test_server_first(first, "sts.amazonaws.com", server, sizeof server);
    CHECK_RC(mongoawsauth_conversation_client_final(conv, server, server_len, &final, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(!test_contains(mongoawsauth_bytes_data(final), mongoawsauth_bytes_len(final), "x-amz-security-token"));
    CHECK(test_contains(mongoawsauth_bytes_data(final), mongoawsauth_bytes_len(final), "/us-east-1/sts/"));
    mongoawsauth_bytes_destroy(final);
    mongoawsauth_bytes_destroy(first);
    mongoawsauth_conversation_destroy(conv);
}

static void calls_out_of_order_and_double_use_fail(void) {
    mongoawsauth_conversation_t *conv = new_conversation(false);
    mongoawsauth_bytes_t *first = NULL;
    mongoawsauth_bytes_t *out = NULL;
    mongoawsauth_error_t *error = NULL;
    uint8_t server[256];
    CHECK_RC(mongoawsauth_conversation_client_final(conv, server, 5, &out, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "before client_first");
    CHECK_RC(mongoawsauth_conversation_client_first(conv, &first, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_conversation_client_first(conv, &out, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "already called");
    size_t server_len = test_server_first(first, "sts.amazonaws.com", server, sizeof server);
    mongoawsauth_bytes_t *final = NULL;
    CHECK_RC(mongoawsauth_conversation_client_final(conv, server, server_len, &final, NULL), MONGOAWSAUTH_RESULT_OK);
    /* A finished conversation refuses every further step. */
    CHECK_RC(mongoawsauth_conversation_client_final(conv, server, server_len, &out, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "already finished");
    CHECK_RC(mongoawsauth_conversation_client_first(conv, &out, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "already called");
    CHECK(out == NULL);
    mongoawsauth_bytes_destroy(final);
    mongoawsauth_bytes_destroy(first);
    mongoawsauth_conversation_destroy(conv);
}

static void bad_server_replies_are_authentication_errors(void) {
    const char *hosts[] = {"sts..amazonaws.com", ".amazonaws.com", "sts.amazonaws.", ""};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        mongoawsauth_conversation_t *conv = new_conversation(false);
        mongoawsauth_bytes_t *first = NULL;
        mongoawsauth_bytes_t *out = NULL;
        mongoawsauth_error_t *error = NULL;
        CHECK_RC(mongoawsauth_conversation_client_first(conv, &first, NULL), MONGOAWSAUTH_RESULT_OK);
        uint8_t server[256];
        size_t server_len = test_server_first(first, hosts[i], server, sizeof server);
        CHECK_RC(mongoawsauth_conversation_client_final(conv, server, server_len, &out, &error),
                 MONGOAWSAUTH_RESULT_AUTHENTICATION);
        CHECK_ERROR(error, MONGOAWSAUTH_RESULT_AUTHENTICATION, "host");
        /* After a failure the conversation is finished too. */
        CHECK_RC(mongoawsauth_conversation_client_final(conv, server, server_len, &out, NULL),
                 MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
        CHECK(out == NULL);
        mongoawsauth_bytes_destroy(first);
        mongoawsauth_conversation_destroy(conv);
    }
    /* Garbage, and a tampered nonce. */
    mongoawsauth_conversation_t *conv = new_conversation(false);
    mongoawsauth_bytes_t *first = NULL;
    mongoawsauth_bytes_t *out = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_conversation_client_first(conv, &first, NULL), MONGOAWSAUTH_RESULT_OK);
    uint8_t garbage[] = {1, 2, 3};
    CHECK_RC(mongoawsauth_conversation_client_final(conv, garbage, sizeof garbage, &out, &error),
             MONGOAWSAUTH_RESULT_AUTHENTICATION);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_AUTHENTICATION, "not valid BSON");
    mongoawsauth_conversation_destroy(conv);
    conv = new_conversation(false);
    mongoawsauth_bytes_t *first2 = NULL;
    CHECK_RC(mongoawsauth_conversation_client_first(conv, &first2, NULL), MONGOAWSAUTH_RESULT_OK);
    uint8_t server[256];
    /* A reply built for another conversation's nonce. */
    size_t server_len = test_server_first(first, "sts.amazonaws.com", server, sizeof server);
    CHECK_RC(mongoawsauth_conversation_client_final(conv, server, server_len, &out, &error),
             MONGOAWSAUTH_RESULT_AUTHENTICATION);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_AUTHENTICATION, "does not start with the client nonce");
    mongoawsauth_bytes_destroy(first2);
    mongoawsauth_bytes_destroy(first);
    mongoawsauth_conversation_destroy(conv);
}

static void conversation_rejects_null(void) {
    mongoawsauth_conversation_t *conv = NULL;
    mongoawsauth_bytes_t *out = NULL;
    mongoawsauth_error_t *error = NULL;
    mongoawsauth_credentials_t *c = test_credentials(false);
    CHECK_RC(mongoawsauth_conversation_new(NULL, &conv, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "credentials must not be NULL");
    CHECK_RC(mongoawsauth_conversation_new(c, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "conversation_out must not be NULL");
    CHECK_RC(mongoawsauth_conversation_client_first(NULL, &out, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "conversation must not be NULL");
    CHECK_RC(mongoawsauth_conversation_new(c, &conv, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_conversation_client_first(conv, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "payload_out must not be NULL");
    /* A NULL out-parameter fails without effect: the conversation can still start. */
    CHECK_RC(mongoawsauth_conversation_client_first(conv, &out, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_bytes_t *final = NULL;
    CHECK_RC(mongoawsauth_conversation_client_final(conv, NULL, 10, &final, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "server_payload must not be NULL");
    CHECK_RC(mongoawsauth_conversation_client_final(NULL, NULL, 0, &final, NULL), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_RC(mongoawsauth_conversation_client_final(conv, NULL, 0, &final, &error), MONGOAWSAUTH_RESULT_AUTHENTICATION);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_AUTHENTICATION, "empty");
    CHECK(final == NULL);
    CHECK(mongoawsauth_bytes_data(NULL) == NULL && mongoawsauth_bytes_len(NULL) == 0);
    mongoawsauth_bytes_destroy(NULL);
    mongoawsauth_conversation_destroy(NULL);
    mongoawsauth_bytes_destroy(out);
    mongoawsauth_conversation_destroy(conv);
    mongoawsauth_credentials_destroy(c);
}

const test_case_t conversation_tests[] = {
    {"full_conversation_with_temporary_credentials", full_conversation_with_temporary_credentials},
    {"long_term_keys_send_no_token", long_term_keys_send_no_token},
    {"calls_out_of_order_and_double_use_fail", calls_out_of_order_and_double_use_fail},
    {"bad_server_replies_are_authentication_errors", bad_server_replies_are_authentication_errors},
    {"conversation_rejects_null", conversation_rejects_null},
    {NULL, NULL},
};
