/* A minimal test framework for the libmongoawsauth C tests: CHECK macros, a registry of test
 * functions, and helpers shared by the test files. No dependency beyond libc and pthreads. */
#ifndef MONGOAWSAUTH_TEST_CHECK_H
#define MONGOAWSAUTH_TEST_CHECK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mongoawsauth.h>

/* Set by a failing CHECK; the runner resets it before each test. */
extern int check_current_failed;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);       \
            check_current_failed = 1;                                                        \
        }                                                                                    \
    } while (0)

/* Checks a result code, printing both codes and their names on mismatch. */
#define CHECK_RC(expr, expected)                                                             \
    do {                                                                                     \
        mongoawsauth_result_t check_rc_ = (expr);                                            \
        if (check_rc_ != (mongoawsauth_result_t)(expected)) {                                \
            fprintf(stderr, "  %s:%d: %s returned %u (%s), expected %u (%s)\n", __FILE__,    \
                    __LINE__, #expr, (unsigned)check_rc_, mongoawsauth_result_name(check_rc_),\
                    (unsigned)(expected), mongoawsauth_result_name(expected));                \
            check_current_failed = 1;                                                        \
        }                                                                                    \
    } while (0)

/* Checks that an error has `code` and a message containing `needle`, then destroys it. */
#define CHECK_ERROR(error, code, needle)                                                     \
    do {                                                                                     \
        CHECK((error) != NULL);                                                              \
        if ((error) != NULL) {                                                               \
            CHECK_RC(mongoawsauth_error_code(error), code);                                  \
            const char *check_msg_ = mongoawsauth_error_message((error), NULL);              \
            CHECK(check_msg_ != NULL && strstr(check_msg_, (needle)) != NULL);               \
            if (check_msg_ != NULL && strstr(check_msg_, (needle)) == NULL) {                \
                fprintf(stderr, "  message was: %s\n", check_msg_);                           \
            }                                                                                \
            CHECK(strstr(check_msg_ ? check_msg_ : "", TEST_SECRET) == NULL);                \
            mongoawsauth_error_destroy(error);                                               \
            (error) = NULL;                                                                  \
        }                                                                                    \
    } while (0)

/* Throwaway values; the secret must never appear in any message. */
#define TEST_ACCESS_KEY_ID "AKIDEXAMPLE"
#define TEST_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TEST_TOKEN "AQoDYXdzEJr-session-token-example"

typedef struct {
    const char *name;
    void (*fn)(void);
} test_case_t;

/* Each test file exports a NULL-terminated list. */
extern const test_case_t version_tests[];
extern const test_case_t error_tests[];
extern const test_case_t credentials_tests[];
extern const test_case_t options_tests[];
extern const test_case_t conversation_tests[];
extern const test_case_t authenticator_tests[];
extern const test_case_t async_tests[];
extern const test_case_t settings_tests[];
extern const test_case_t cache_tests[];
extern const test_case_t saml_tests[];
extern const test_case_t diagnostics_tests[];
extern const test_case_t deprecated_tests[];
extern const test_case_t contract_tests[];

/* Helpers (helpers.c). */

/* What an asynchronous fetch handed its callback: pass test_completion_callback and a
 * test_completion_t to mongoawsauth_authenticator_credentials_async, then test_completion_wait.
 * test_completion_finish destroys what the callback received. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls;
    mongoawsauth_result_t result;
    mongoawsauth_credentials_t *credentials;
    mongoawsauth_error_t *error;
} test_completion_t;
void test_completion_init(test_completion_t *c);
void test_completion_callback(void *userdata, mongoawsauth_result_t result, mongoawsauth_credentials_t *credentials,
                              mongoawsauth_error_t *error);
/* Waits until the callback has run, or 20 s have passed (a missing call then fails the test's
 * checks of calls). */
void test_completion_wait(test_completion_t *c);
void test_completion_finish(test_completion_t *c);

mongoawsauth_credentials_t *test_credentials(bool temporary);
/* Writes a server-first payload {s: client nonce + 32 bytes, h: host} into buf; returns its
 * length. `client_first` is the 52-byte client-first payload. */
size_t test_server_first(const mongoawsauth_bytes_t *client_first, const char *host, uint8_t *buf,
                         size_t cap);
/* True if `needle` occurs in the buffer. */
bool test_contains(const uint8_t *data, size_t len, const char *needle);
/* True when the harness runs this process under valgrind (fork tests are skipped there). */
bool test_under_valgrind(void);
/* The stand-in value tests/c/run.sh exports as MONGOAWSAUTH_TEST_<name>, or NULL (and a "skipped"
 * note) when the tests run without the stand-ins. */
const char *test_standin(const char *name);
/* Points the in-process environment at the container stand-in (AWS_CONTAINER_CREDENTIALS_FULL_URI
 * and its token), or removes both. False when the stand-ins are not available. */
bool test_use_container(bool on);
/* Milliseconds since the Unix epoch, now. */
int64_t test_now_unix_ms(void);
/* Sleeps for `ms` milliseconds. */
void test_sleep_ms(long ms);

#endif
