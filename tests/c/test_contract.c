/* The shared contract (the JSON files of tests/data/contract, read by the Rust, Python and Node suites too),
 * asserted for the C face: result codes and their names, attempt outcomes, that every function
 * the data names is exported, the source of application-built credentials, and the option values
 * every face refuses or accepts when options are built. The tables come from
 * tests/c/contract_tables.py, which make c-test runs on the JSON. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdlib.h>

#include "check.h"
#include "contract_tables.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void result_codes_and_names_follow_the_contract(void) {
    CHECK(COUNT(contract_codes) >= 11);
    for (size_t i = 0; i < COUNT(contract_codes); i++) {
        const contract_code_t *c = &contract_codes[i];
        if (c->constant != c->result_code) {
            fprintf(stderr, "  %s is %u, the contract says %u\n", c->constant_name, (unsigned)c->constant,
                    (unsigned)c->result_code);
            check_current_failed = 1;
        }
        const char *name = mongoawsauth_result_name(c->result_code);
        if (name == NULL || strcmp(name, c->code) != 0) {
            fprintf(stderr, "  mongoawsauth_result_name(%u) is %s, the contract says %s\n", (unsigned)c->result_code,
                    name ? name : "NULL", c->code);
            check_current_failed = 1;
        }
    }
    CHECK(strcmp(mongoawsauth_result_name(CONTRACT_UNKNOWN_RESULT_CODE), CONTRACT_UNKNOWN_NAME) == 0);
    /* Every number no kind has is unknown, the largest included. */
    CHECK(strcmp(mongoawsauth_result_name(UINT32_MAX), CONTRACT_UNKNOWN_NAME) == 0);
    CHECK(strcmp(mongoawsauth_result_name(101), CONTRACT_UNKNOWN_NAME) == 0);
    CHECK(strcmp(mongoawsauth_result_name(9), CONTRACT_UNKNOWN_NAME) == 0);
}

static void attempt_outcomes_follow_the_contract(void) {
    CHECK(COUNT(contract_outcomes) == 3);
    for (size_t i = 0; i < COUNT(contract_outcomes); i++) {
        const contract_outcome_t *o = &contract_outcomes[i];
        if (o->constant != o->value) {
            fprintf(stderr, "  %s (%s) is %u, the contract says %u\n", o->constant_name, o->name,
                    (unsigned)o->constant, (unsigned)o->value);
            check_current_failed = 1;
        }
    }
}

/* The names come from the data as strings and are looked up in the shared library the tests
 * were installed with (tests/c/run.sh exports its path), so a C function renamed without the
 * data following, or a name the data adds that C lacks, fails here. */
static void every_function_the_contract_names_is_exported(void) {
    const char *path = getenv("MONGOAWSAUTH_TEST_LIBRARY");
    CHECK(path != NULL);
    if (path == NULL) {
        fprintf(stderr, "  MONGOAWSAUTH_TEST_LIBRARY is not set: run the C tests with tests/c/run.sh\n");
        return;
    }
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    CHECK(library != NULL);
    if (library == NULL) {
        fprintf(stderr, "  dlopen(%s): %s\n", path, dlerror());
        return;
    }
    CHECK(COUNT(contract_functions) >= 20);
    for (size_t i = 0; i < COUNT(contract_functions); i++) {
        if (dlsym(library, contract_functions[i].name) == NULL) {
            fprintf(stderr, "  %s (%s) is not exported by %s\n", contract_functions[i].name,
                    contract_functions[i].why, path);
            check_current_failed = 1;
        }
    }
    /* The lookup itself can fail: a name no library has is not found. */
    CHECK(dlsym(library, "mongoawsauth_no_such_function") == NULL);
    dlclose(library);
}

static void application_credentials_have_the_contract_source(void) {
    mongoawsauth_credentials_t *c = test_credentials(false);
    CHECK(c != NULL && strcmp(mongoawsauth_credentials_source(c, NULL), CONTRACT_DEFAULT_SOURCE) == 0);
    mongoawsauth_credentials_destroy(c);
}

static const contract_option_t *option_named(const char *concept) {
    for (size_t i = 0; i < COUNT(contract_options); i++) {
        if (strcmp(contract_options[i].concept, concept) == 0) {
            return &contract_options[i];
        }
    }
    fprintf(stderr, "  options.json has a case for %s but no such option\n", concept);
    check_current_failed = 1;
    return NULL;
}

/* Applies one case with the option's own setter; false when the case does not fit the setter. */
static bool apply(const contract_case_t *c, mongoawsauth_options_t *o, mongoawsauth_result_t *rc,
                  mongoawsauth_error_t **error, const contract_option_t **option_out) {
    const contract_option_t *option = option_named(c->concept);
    *option_out = option;
    if (option == NULL) {
        return false;
    }
    if (c->is_ms && option->kind == CONTRACT_MS) {
        /* What a C caller's int64 becomes when passed as the setter's uint32_t: -1 is UINT32_MAX. */
        *rc = option->ms(o, (uint32_t)c->value_ms, error);
        return true;
    }
    if (!c->is_ms && option->kind == CONTRACT_STRING) {
        *rc = option->string(o, c->value, error);
        return true;
    }
    fprintf(stderr, "  the case for %s does not fit %s\n", c->concept, option->setter_name);
    check_current_failed = 1;
    return false;
}

/* Refused by the setter itself, where the caller sees which call was wrong, with the setter's
 * name in the message; the options keep their previous value, so they still build. */
static void invalid_option_values_are_refused_by_the_named_setter(void) {
    CHECK(COUNT(contract_invalid) >= 9);
    for (size_t i = 0; i < COUNT(contract_invalid); i++) {
        const contract_case_t *c = &contract_invalid[i];
        mongoawsauth_options_t *o = mongoawsauth_options_new();
        mongoawsauth_error_t *error = NULL;
        mongoawsauth_result_t rc = MONGOAWSAUTH_RESULT_OK;
        const contract_option_t *option = NULL;
        if (apply(c, o, &rc, &error, &option)) {
            if (rc != MONGOAWSAUTH_RESULT_INVALID_ARGUMENT) {
                if (c->is_ms) {
                    fprintf(stderr, "  %s(%lld) returned %s, expected INVALID_ARGUMENT\n", option->setter_name,
                            (long long)c->value_ms, mongoawsauth_result_name(rc));
                } else {
                    fprintf(stderr, "  %s(\"%s\") returned %s, expected INVALID_ARGUMENT\n", option->setter_name,
                            c->value, mongoawsauth_result_name(rc));
                }
                check_current_failed = 1;
            }
            CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, option->setter_name);
            mongoawsauth_authenticator_t *auth = NULL;
            CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
            mongoawsauth_authenticator_destroy(auth);
        }
        mongoawsauth_error_destroy(error);
        mongoawsauth_options_destroy(o);
    }
}

static void valid_option_values_are_accepted(void) {
    CHECK(COUNT(contract_valid) >= 5);
    for (size_t i = 0; i < COUNT(contract_valid); i++) {
        const contract_case_t *c = &contract_valid[i];
        mongoawsauth_options_t *o = mongoawsauth_options_new();
        mongoawsauth_error_t *error = NULL;
        mongoawsauth_result_t rc = MONGOAWSAUTH_RESULT_INVALID_ARGUMENT;
        const contract_option_t *option = NULL;
        if (apply(c, o, &rc, &error, &option)) {
            if (rc != MONGOAWSAUTH_RESULT_OK) {
                fprintf(stderr, "  %s refused a valid value: %s\n", option->setter_name,
                        error ? mongoawsauth_error_message(error, NULL) : mongoawsauth_result_name(rc));
                check_current_failed = 1;
            }
            mongoawsauth_authenticator_t *auth = NULL;
            CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
            mongoawsauth_authenticator_destroy(auth);
        }
        mongoawsauth_error_destroy(error);
        mongoawsauth_options_destroy(o);
    }
    /* The one boolean option takes both values. */
    const contract_option_t *shared = option_named("shared_config");
    if (shared != NULL && shared->kind == CONTRACT_BOOL) {
        mongoawsauth_options_t *o = mongoawsauth_options_new();
        CHECK_RC(shared->boolean(o, false, NULL), MONGOAWSAUTH_RESULT_OK);
        CHECK_RC(shared->boolean(o, true, NULL), MONGOAWSAUTH_RESULT_OK);
        mongoawsauth_options_destroy(o);
    }
}

const test_case_t contract_tests[] = {
    {"result_codes_and_names_follow_the_contract", result_codes_and_names_follow_the_contract},
    {"attempt_outcomes_follow_the_contract", attempt_outcomes_follow_the_contract},
    {"every_function_the_contract_names_is_exported", every_function_the_contract_names_is_exported},
    {"application_credentials_have_the_contract_source", application_credentials_have_the_contract_source},
    {"invalid_option_values_are_refused_by_the_named_setter", invalid_option_values_are_refused_by_the_named_setter},
    {"valid_option_values_are_accepted", valid_option_values_are_accepted},
    {NULL, NULL},
};
