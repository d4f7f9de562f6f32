/* mongoawsauth_saml_t and mongoawsauth_authenticator_new_saml: argument checks, the assertion
 * callback's contract, userdata lifetime, and fetches from the STS stand-in. */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdlib.h>

#include "check.h"

#define ROLE "arn:aws:iam::123456789012:role/saml-role"
#define IDP "arn:aws:iam::123456789012:saml-provider/corp-idp"

typedef struct {
    atomic_int calls;
    atomic_int destroyed;
    int mode; /* 0: the assertion, 1: return false, 2: a length past capacity, 3: not UTF-8 */
    const char *assertion;
} saml_state_t;

static bool assertion_cb(void *userdata, char *buffer, size_t capacity, size_t *len) {
    saml_state_t *state = userdata;
    atomic_fetch_add(&state->calls, 1);
    switch (state->mode) {
    case 1:
        return false;
    case 2:
        *len = capacity + 1;
        return true;
    case 3:
        buffer[0] = (char)0xC3;
        buffer[1] = (char)0x28;
        *len = 2;
        return true;
    default: {
        size_t n = strlen(state->assertion);
        if (n > capacity) {
            return false;
        }
        memcpy(buffer, state->assertion, n);
        *len = n;
        return true;
    }
    }
}

static void saml_destroy_cb(void *userdata) {
    saml_state_t *state = userdata;
    atomic_fetch_add(&state->destroyed, 1);
}

static void saml_rejects_bad_arguments(void) {
    saml_state_t state = {0};
    const char bad[] = {'a', (char)0xC3, (char)0x28, 0};
    mongoawsauth_saml_t *saml = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_saml_new(NULL, IDP, assertion_cb, &state, saml_destroy_cb, &saml, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "role_arn must not be NULL");
    CHECK_RC(mongoawsauth_saml_new(ROLE, NULL, assertion_cb, &state, saml_destroy_cb, &saml, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "principal_arn must not be NULL");
    CHECK_RC(mongoawsauth_saml_new(bad, IDP, assertion_cb, &state, saml_destroy_cb, &saml, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "role_arn is not valid UTF-8");
    CHECK_RC(mongoawsauth_saml_new(ROLE, IDP, NULL, &state, saml_destroy_cb, &saml, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "callback must not be NULL");
    CHECK_RC(mongoawsauth_saml_new(ROLE, IDP, assertion_cb, &state, saml_destroy_cb, NULL, &error),
             MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "saml_out must not be NULL");
    CHECK(saml == NULL);
    CHECK(atomic_load(&state.destroyed) == 0); /* no ownership taken on failure */

    CHECK_RC(mongoawsauth_saml_set_duration_s(NULL, 900, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "saml must not be NULL");
    CHECK_RC(mongoawsauth_saml_set_policy(NULL, "{}", &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "saml must not be NULL");

    /* The ARNs, the duration and the policy are checked when the authenticator is built. */
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    mongoawsauth_authenticator_t *auth = NULL;
    struct {
        const char *role;
        const char *idp;
        uint32_t duration;
        const char *policy;
        const char *want;
    } cases[] = {
        {"role", IDP, 0, NULL, "the role ARN"},
        {ROLE, ROLE, 0, NULL, "the principal ARN"},
        {ROLE, IDP, 899, NULL, "900 to 43200"},
        {ROLE, IDP, 43201, NULL, "900 to 43200"},
        {ROLE, IDP, 0, " ", "session policy"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_RC(mongoawsauth_saml_new(cases[i].role, cases[i].idp, assertion_cb, &state, saml_destroy_cb, &saml,
                                       NULL),
                 MONGOAWSAUTH_RESULT_OK);
        CHECK_RC(mongoawsauth_saml_set_duration_s(saml, cases[i].duration, NULL), MONGOAWSAUTH_RESULT_OK);
        CHECK_RC(mongoawsauth_saml_set_policy(saml, cases[i].policy, NULL), MONGOAWSAUTH_RESULT_OK);
        CHECK_RC(mongoawsauth_authenticator_new_saml(o, saml, &auth, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
        CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, cases[i].want);
        mongoawsauth_saml_destroy(saml);
        saml = NULL;
    }
    CHECK(auth == NULL);
    CHECK(atomic_load(&state.destroyed) == (int)(sizeof cases / sizeof cases[0]));

    CHECK_RC(mongoawsauth_saml_new(ROLE, IDP, assertion_cb, &state, NULL, &saml, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_saml_set_policy(saml, bad, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "policy is not valid UTF-8");
    CHECK_RC(mongoawsauth_authenticator_new_saml(NULL, saml, &auth, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "options must not be NULL");
    CHECK_RC(mongoawsauth_authenticator_new_saml(o, NULL, &auth, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "saml must not be NULL");
    CHECK_RC(mongoawsauth_authenticator_new_saml(o, saml, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "authenticator_out must not be NULL");
    /* A zero credentials timeout cannot reach the SAML authenticator: the setter refuses it. */
    CHECK_RC(mongoawsauth_options_set_credentials_timeout_ms(o, 0, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "more than 0 ms");
    CHECK(auth == NULL);
    mongoawsauth_saml_destroy(saml);
    mongoawsauth_saml_destroy(NULL);
    mongoawsauth_options_destroy(o);
    CHECK(atomic_load(&state.calls) == 0);
}

static mongoawsauth_authenticator_t *saml_authenticator(saml_state_t *state, const char *sts_url, uint32_t duration) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    CHECK_RC(mongoawsauth_options_set_sts_endpoint(o, sts_url, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_sts_timeout_ms(o, 5000, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_saml_t *saml = NULL;
    CHECK_RC(mongoawsauth_saml_new(test_standin("SAML_ROLE_ARN"), test_standin("SAML_PRINCIPAL_ARN"), assertion_cb,
                                   state, saml_destroy_cb, &saml, NULL),
             MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_saml_set_duration_s(saml, duration, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new_saml(o, saml, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    /* The authenticator keeps the callback: releasing the description does not release userdata. */
    mongoawsauth_saml_destroy(saml);
    CHECK(atomic_load(&state->destroyed) == 0);
    mongoawsauth_options_destroy(o);
    return auth;
}

static void saml_fetches_through_the_callback_and_the_cache(void) {
    const char *sts_url = test_standin("STS_URL");
    saml_state_t state = {0};
    state.assertion = test_standin("SAML_ASSERTION");
    if (sts_url == NULL || state.assertion == NULL || test_standin("SAML_ROLE_ARN") == NULL ||
        test_standin("SAML_PRINCIPAL_ARN") == NULL) {
        return;
    }
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_authenticator_t *auth = saml_authenticator(&state, sts_url, 900);
    mongoawsauth_resolution_t *r = NULL;
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 5000, &r, NULL), MONGOAWSAUTH_RESULT_OK);
    const mongoawsauth_credentials_t *c = mongoawsauth_resolution_credentials(r);
    CHECK(strcmp(mongoawsauth_credentials_source(c, NULL), "saml") == 0);
    CHECK(mongoawsauth_credentials_is_temporary(c));
    int64_t expiry = 0;
    CHECK(mongoawsauth_credentials_expiration(c, &expiry));
    /* DurationSeconds=900 reached STS: the session lasts 15 minutes. */
    CHECK(expiry > test_now_unix_ms() + 800 * 1000 && expiry <= test_now_unix_ms() + 901 * 1000);
    CHECK(!mongoawsauth_resolution_from_cache(r));
    uint64_t generation = 0;
    CHECK(mongoawsauth_credentials_generation(c, &generation) && generation != 0);
    mongoawsauth_resolution_destroy(r);
    CHECK(atomic_load(&state.calls) == 1);

    /* A login is served from the cache, and its failure report drops the entry. */
    mongoawsauth_conversation_t *conv = NULL;
    CHECK_RC(mongoawsauth_authenticator_start_conversation(auth, 5000, &conv, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(atomic_load(&state.calls) == 1);
    uint64_t used = 0;
    CHECK(mongoawsauth_conversation_generation(conv, &used) && used == generation);
    bool dropped = false;
    CHECK_RC(mongoawsauth_authenticator_report_failed_conversation(auth, conv, &dropped, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(dropped);
    mongoawsauth_conversation_destroy(conv);

    /* Every fetch asks the callback again; its failures are provider errors. */
    struct {
        int mode;
        const char *want;
    } failures[] = {{1, "returned false"}, {2, "larger than the buffer"}, {3, "not UTF-8"}};
    for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++) {
        state.mode = failures[i].mode;
        mongoawsauth_error_t *error = NULL;
        r = NULL;
        CHECK_RC(mongoawsauth_authenticator_resolve(auth, 5000, &r, &error), MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER);
        CHECK(r == NULL);
        CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER, failures[i].want);
    }
    CHECK(atomic_load(&state.calls) == 4);
    mongoawsauth_authenticator_destroy(auth);
    CHECK(atomic_load(&state.destroyed) == 1);
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
}

/* A short refresh window and a long refresh-ahead window: the second fetch is served from the
 * cache at once, and one background fetch replaces the entry (a new generation). */
static void saml_refreshes_ahead_of_expiry(void) {
    const char *sts_url = test_standin("STS_URL");
    saml_state_t state = {0};
    state.assertion = test_standin("SAML_ASSERTION");
    if (sts_url == NULL || state.assertion == NULL || test_standin("SAML_ROLE_ARN") == NULL ||
        test_standin("SAML_PRINCIPAL_ARN") == NULL) {
        return;
    }
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    CHECK_RC(mongoawsauth_options_set_sts_endpoint(o, sts_url, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_refresh_window_ms(o, 1000, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_refresh_ahead_ms(o, 2147483647u, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_saml_t *saml = NULL;
    CHECK_RC(mongoawsauth_saml_new(test_standin("SAML_ROLE_ARN"), test_standin("SAML_PRINCIPAL_ARN"), assertion_cb,
                                   &state, saml_destroy_cb, &saml, NULL),
             MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new_saml(o, saml, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_saml_destroy(saml);
    mongoawsauth_options_destroy(o);

    mongoawsauth_resolution_t *first = NULL;
    mongoawsauth_resolution_t *second = NULL;
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 5000, &first, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(!mongoawsauth_resolution_from_cache(first));
    uint64_t g1 = 0;
    CHECK(mongoawsauth_credentials_generation(mongoawsauth_resolution_credentials(first), &g1));
    CHECK_RC(mongoawsauth_authenticator_resolve(auth, 5000, &second, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(mongoawsauth_resolution_from_cache(second));
    uint64_t g2 = g1;
    for (int i = 0; i < 100 && g2 == g1; i++) {
        test_sleep_ms(50);
        mongoawsauth_credentials_t *cached = NULL;
        CHECK_RC(mongoawsauth_cache_get(NULL, &cached, NULL), MONGOAWSAUTH_RESULT_OK);
        CHECK(cached != NULL && mongoawsauth_credentials_generation(cached, &g2));
        mongoawsauth_credentials_destroy(cached);
    }
    CHECK(g2 != g1);
    CHECK(atomic_load(&state.calls) == 2);
    mongoawsauth_resolution_destroy(first);
    mongoawsauth_resolution_destroy(second);
    mongoawsauth_authenticator_destroy(auth);
    /* The background refresh task holds the callback until it has finished unwinding. */
    for (int i = 0; i < 100 && atomic_load(&state.destroyed) == 0; i++) {
        test_sleep_ms(20);
    }
    CHECK(atomic_load(&state.destroyed) == 1);
    CHECK_RC(mongoawsauth_cache_clear(NULL), MONGOAWSAUTH_RESULT_OK);
}

const test_case_t saml_tests[] = {
    {"saml_rejects_bad_arguments", saml_rejects_bad_arguments},
    {"saml_fetches_through_the_callback_and_the_cache", saml_fetches_through_the_callback_and_the_cache},
    {"saml_refreshes_ahead_of_expiry", saml_refreshes_ahead_of_expiry},
    {NULL, NULL},
};
