/* mongoawsauth_authenticator_t: the environment source, the provider callback, timeouts,
 * 8 threads sharing one authenticator, and fork. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static mongoawsauth_authenticator_t *new_authenticator(mongoawsauth_options_t *o) {
    mongoawsauth_authenticator_t *auth = NULL;
    CHECK_RC(mongoawsauth_authenticator_new(o, &auth, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_options_destroy(o);
    return auth;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The index of the attempt named `name`, or SIZE_MAX. The chain's order and length grow as
 * sources are added, so tests look attempts up by name. */
static size_t attempt_index(const mongoawsauth_error_t *error, const char *name) {
    for (size_t i = 0; i < mongoawsauth_error_attempt_count(error); i++) {
        if (strcmp(mongoawsauth_error_attempt_source(error, i, NULL), name) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

static void empty_environment_lists_every_source_tried(void) {
    /* The harness runs with every AWS_* variable unset. */
    mongoawsauth_authenticator_t *auth = new_authenticator(mongoawsauth_options_new());
    mongoawsauth_credentials_t *c = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 0, &c, &error),
             MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND);
    CHECK(c == NULL);
    CHECK(mongoawsauth_error_attempt_count(error) >= 1);
    size_t env = attempt_index(error, "environment");
    CHECK(env != SIZE_MAX);
    size_t len = 0;
    const char *source = mongoawsauth_error_attempt_source(error, env, &len);
    CHECK(source != NULL && len == strlen("environment"));
    CHECK(mongoawsauth_error_attempt_outcome(error, env) == MONGOAWSAUTH_ATTEMPT_NOT_CONFIGURED);
    const char *why = mongoawsauth_error_attempt_message(error, env, NULL);
    CHECK(why != NULL && strstr(why, "AWS_ACCESS_KEY_ID") != NULL);
    CHECK(mongoawsauth_error_attempt_elapsed_ms(error, env) >= 0.0);
    CHECK(mongoawsauth_error_attempt_elapsed_ms(error, env) < 10 * 1000.0);
    /* A source that is not configured did not fail: no code. */
    CHECK_RC(mongoawsauth_error_attempt_code(error, env), MONGOAWSAUTH_RESULT_OK);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND, "no AWS credentials found");
    mongoawsauth_authenticator_destroy(auth);
}

static void environment_credentials_are_read_on_every_fetch(void) {
    mongoawsauth_authenticator_t *auth = new_authenticator(mongoawsauth_options_new());
    setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET, 1);
    mongoawsauth_credentials_t *c = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 2000, &c, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(c != NULL && strcmp(mongoawsauth_credentials_source(c, NULL), "environment") == 0);
    mongoawsauth_credentials_destroy(c);
    /* A half-set environment is a configuration error, not a fall-through. */
    unsetenv("AWS_SECRET_ACCESS_KEY");
    mongoawsauth_error_t *error = NULL;
    c = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 0, &c, &error), MONGOAWSAUTH_RESULT_CONFIGURATION);
    CHECK(mongoawsauth_error_attempt_outcome(error, attempt_index(error, "environment")) ==
          MONGOAWSAUTH_ATTEMPT_FAILED);
    /* The failed attempt carries its own error's code. */
    CHECK_RC(mongoawsauth_error_attempt_code(error, attempt_index(error, "environment")),
             MONGOAWSAUTH_RESULT_CONFIGURATION);
    CHECK(strcmp(mongoawsauth_result_name(mongoawsauth_error_attempt_code(error, attempt_index(error, "environment"))),
                 "CONFIGURATION") == 0);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CONFIGURATION, "AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_ACCESS_KEY_ID");
    /* start_conversation fetches too. */
    mongoawsauth_conversation_t *conv = NULL;
    CHECK_RC(mongoawsauth_authenticator_start_conversation(auth, 0, &conv, NULL),
             MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND);
    CHECK(conv == NULL);
    mongoawsauth_authenticator_destroy(auth);
}

typedef struct {
    atomic_int calls;
    atomic_int destroyed;
    int mode; /* 0: credentials, 1: NULL, 2: sleep 400 ms, 3: call a blocking function */
    mongoawsauth_authenticator_t *auth;
    mongoawsauth_result_t nested_rc;
} provider_state_t;

static mongoawsauth_credentials_t *provider(void *userdata) {
    provider_state_t *state = userdata;
    atomic_fetch_add(&state->calls, 1);
    if (state->mode == 1) {
        return NULL;
    }
    if (state->mode == 2) {
        sleep_ms(400);
    }
    if (state->mode == 3) {
        mongoawsauth_credentials_t *nested = NULL;
        state->nested_rc = mongoawsauth_authenticator_credentials(state->auth, 0, &nested, NULL);
        mongoawsauth_credentials_destroy(nested);
    }
    mongoawsauth_credentials_t *c = NULL;
    mongoawsauth_credentials_new(TEST_ACCESS_KEY_ID, TEST_SECRET, TEST_TOKEN, NULL, &c, NULL);
    return c;
}

static void provider_destroy(void *userdata) {
    provider_state_t *state = userdata;
    atomic_fetch_add(&state->destroyed, 1);
}

static mongoawsauth_authenticator_t *provider_authenticator(provider_state_t *state) {
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    CHECK_RC(mongoawsauth_options_set_credentials_provider(o, provider, state, provider_destroy, NULL),
             MONGOAWSAUTH_RESULT_OK);
    return new_authenticator(o);
}

static void provider_callback_supplies_credentials(void) {
    provider_state_t state = {0};
    mongoawsauth_authenticator_t *auth = provider_authenticator(&state);
    CHECK(atomic_load(&state.destroyed) == 0); /* the authenticator still holds the callback */
    mongoawsauth_credentials_t *c = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 0, &c, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(strcmp(mongoawsauth_credentials_source(c, NULL), "custom") == 0);
    CHECK(mongoawsauth_credentials_is_temporary(c));
    mongoawsauth_credentials_destroy(c);
    mongoawsauth_conversation_t *conv = NULL;
    CHECK_RC(mongoawsauth_authenticator_start_conversation(auth, 1000, &conv, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_conversation_destroy(conv);
    CHECK(atomic_load(&state.calls) == 2); /* not cached: called for every fetch */
    mongoawsauth_authenticator_destroy(auth);
    CHECK(atomic_load(&state.destroyed) == 1);
}

static void provider_returning_null_is_a_provider_error(void) {
    provider_state_t state = {0};
    state.mode = 1;
    mongoawsauth_authenticator_t *auth = provider_authenticator(&state);
    mongoawsauth_credentials_t *c = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 0, &c, &error),
             MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER);
    CHECK(c == NULL);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER, "returned NULL");
    mongoawsauth_authenticator_destroy(auth);
    CHECK(atomic_load(&state.destroyed) == 1);
}

static void replacing_a_provider_releases_the_old_userdata(void) {
    provider_state_t first = {0};
    provider_state_t second = {0};
    mongoawsauth_options_t *o = mongoawsauth_options_new();
    CHECK_RC(mongoawsauth_options_set_credentials_provider(o, provider, &first, provider_destroy, NULL),
             MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(mongoawsauth_options_set_credentials_provider(o, provider, &second, provider_destroy, NULL),
             MONGOAWSAUTH_RESULT_OK);
    CHECK(atomic_load(&first.destroyed) == 1);
    /* NULL userdata_destroy is allowed. */
    provider_state_t third = {0};
    CHECK_RC(mongoawsauth_options_set_credentials_provider(o, provider, &third, NULL, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK(atomic_load(&second.destroyed) == 1);
    mongoawsauth_options_destroy(o);
    CHECK(atomic_load(&third.destroyed) == 0);
}

static void fetch_times_out(void) {
    provider_state_t state = {0};
    state.mode = 2;
    mongoawsauth_authenticator_t *auth = provider_authenticator(&state);
    mongoawsauth_credentials_t *c = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 50, &c, &error), MONGOAWSAUTH_RESULT_TIMEOUT);
    CHECK(c == NULL);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_TIMEOUT, "no credentials within");
    mongoawsauth_conversation_t *conv = NULL;
    CHECK_RC(mongoawsauth_authenticator_start_conversation(auth, 50, &conv, NULL), MONGOAWSAUTH_RESULT_TIMEOUT);
    CHECK(conv == NULL);
    mongoawsauth_authenticator_destroy(auth);
    sleep_ms(900); /* let the abandoned callbacks finish before `state` goes out of scope */
    CHECK(atomic_load(&state.destroyed) == 1);
}

static void blocking_call_from_a_callback_is_a_runtime_error(void) {
    provider_state_t state = {0};
    state.mode = 3;
    mongoawsauth_authenticator_t *auth = provider_authenticator(&state);
    state.auth = auth;
    mongoawsauth_credentials_t *c = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 0, &c, NULL), MONGOAWSAUTH_RESULT_OK);
    CHECK_RC(state.nested_rc, MONGOAWSAUTH_RESULT_RUNTIME);
    mongoawsauth_credentials_destroy(c);
    mongoawsauth_authenticator_destroy(auth);
}

static void fetch_rejects_null(void) {
    mongoawsauth_authenticator_t *auth = new_authenticator(mongoawsauth_options_new());
    mongoawsauth_credentials_t *c = NULL;
    mongoawsauth_conversation_t *conv = NULL;
    mongoawsauth_error_t *error = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(NULL, 0, &c, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "authenticator must not be NULL");
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 0, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "credentials_out must not be NULL");
    CHECK_RC(mongoawsauth_authenticator_start_conversation(NULL, 0, &conv, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "authenticator must not be NULL");
    CHECK_RC(mongoawsauth_authenticator_start_conversation(auth, 0, NULL, &error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
    CHECK_ERROR(error, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "conversation_out must not be NULL");
    CHECK(c == NULL && conv == NULL);
    mongoawsauth_authenticator_destroy(auth);
}

#define THREADS 8
#define LOGINS_PER_THREAD 25

typedef struct {
    const mongoawsauth_authenticator_t *auth;
    int failures;
} worker_t;

static void *worker(void *arg) {
    worker_t *w = arg;
    for (int i = 0; i < LOGINS_PER_THREAD; i++) {
        mongoawsauth_conversation_t *conv = NULL;
        mongoawsauth_bytes_t *first = NULL;
        mongoawsauth_bytes_t *final = NULL;
        uint8_t server[256];
        if (mongoawsauth_authenticator_start_conversation(w->auth, 5000, &conv, NULL) != MONGOAWSAUTH_RESULT_OK ||
            mongoawsauth_conversation_client_first(conv, &first, NULL) != MONGOAWSAUTH_RESULT_OK) {
            w->failures++;
        } else {
            size_t n = test_server_first(first, "sts.eu-west-1.amazonaws.com", server, sizeof server);
            if (mongoawsauth_conversation_client_final(conv, server, n, &final, NULL) != MONGOAWSAUTH_RESULT_OK ||
                !test_contains(mongoawsauth_bytes_data(final), mongoawsauth_bytes_len(final), "/eu-west-1/")) {
                w->failures++;
            }
        }
        mongoawsauth_bytes_destroy(final);
        mongoawsauth_bytes_destroy(first);
        mongoawsauth_conversation_destroy(conv);
    }
    return NULL;
}

static void eight_threads_share_one_authenticator(void) {
    provider_state_t state = {0};
    mongoawsauth_authenticator_t *auth = provider_authenticator(&state);
    pthread_t threads[THREADS];
    worker_t workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i].auth = auth;
        workers[i].failures = 0;
        CHECK(pthread_create(&threads[i], NULL, worker, &workers[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].failures == 0);
    }
    CHECK(atomic_load(&state.calls) == THREADS * LOGINS_PER_THREAD);
    mongoawsauth_authenticator_destroy(auth);
    CHECK(atomic_load(&state.destroyed) == 1);
}

static void a_forked_child_gets_its_own_runtime(void) {
    if (test_under_valgrind()) {
        /* The child abandons the parent's runtime on purpose, which a leak checker reports. */
        return;
    }
    provider_state_t state = {0};
    mongoawsauth_authenticator_t *auth = provider_authenticator(&state);
    mongoawsauth_credentials_t *c = NULL;
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 0, &c, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_destroy(c);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* The parent's runtime threads do not exist here; the library must notice and rebuild. */
        mongoawsauth_credentials_t *child = NULL;
        mongoawsauth_result_t rc = mongoawsauth_authenticator_credentials(auth, 5000, &child, NULL);
        mongoawsauth_credentials_destroy(child);
        _exit(rc == MONGOAWSAUTH_RESULT_OK ? 0 : 1);
    }
    CHECK(pid > 0);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_RC(mongoawsauth_authenticator_credentials(auth, 0, &c, NULL), MONGOAWSAUTH_RESULT_OK);
    mongoawsauth_credentials_destroy(c);
    mongoawsauth_authenticator_destroy(auth);
}

const test_case_t authenticator_tests[] = {
    {"empty_environment_lists_every_source_tried", empty_environment_lists_every_source_tried},
    {"environment_credentials_are_read_on_every_fetch", environment_credentials_are_read_on_every_fetch},
    {"provider_callback_supplies_credentials", provider_callback_supplies_credentials},
    {"provider_returning_null_is_a_provider_error", provider_returning_null_is_a_provider_error},
    {"replacing_a_provider_releases_the_old_userdata", replacing_a_provider_releases_the_old_userdata},
    {"fetch_times_out", fetch_times_out},
    {"blocking_call_from_a_callback_is_a_runtime_error", blocking_call_from_a_callback_is_a_runtime_error},
    {"fetch_rejects_null", fetch_rejects_null},
    {"eight_threads_share_one_authenticator", eight_threads_share_one_authenticator},
    {"a_forked_child_gets_its_own_runtime", a_forked_child_gets_its_own_runtime},
    {NULL, NULL},
};
