#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <time.h>

#include "check.h"

mongoawsauth_credentials_t *test_credentials(bool temporary) {
    mongoawsauth_credentials_t *credentials = NULL;
    mongoawsauth_result_t rc = mongoawsauth_credentials_new(
        TEST_ACCESS_KEY_ID, TEST_SECRET, temporary ? TEST_TOKEN : NULL, NULL, &credentials, NULL);
    CHECK_RC(rc, MONGOAWSAUTH_RESULT_OK);
    return credentials;
}

static void put_i32(uint8_t *p, int32_t v) {
    uint32_t u = (uint32_t)v;
    p[0] = (uint8_t)u;
    p[1] = (uint8_t)(u >> 8);
    p[2] = (uint8_t)(u >> 16);
    p[3] = (uint8_t)(u >> 24);
}

size_t test_server_first(const mongoawsauth_bytes_t *client_first, const char *host, uint8_t *buf,
                         size_t cap) {
    /* client-first is {r: BinData(0, 32 bytes), p: 110}; the nonce starts at offset 12:
     * int32 length, 0x05 'r' 0, int32 32, subtype 0. */
    const uint8_t *first = mongoawsauth_bytes_data(client_first);
    size_t host_len = strlen(host);
    size_t total = 4 + (1 + 2 + 4 + 1 + 64) + (1 + 2 + 4 + host_len + 1) + 1;
    if (first == NULL || mongoawsauth_bytes_len(client_first) != 52 || total > cap) {
        return 0;
    }
    uint8_t *p = buf;
    put_i32(p, (int32_t)total);
    p += 4;
    *p++ = 0x05; /* binary */
    *p++ = 's';
    *p++ = 0;
    put_i32(p, 64);
    p += 4;
    *p++ = 0x00; /* generic subtype */
    memcpy(p, first + 12, 32);
    for (int i = 0; i < 32; i++) {
        p[32 + i] = (uint8_t)(0xA0 + i);
    }
    p += 64;
    *p++ = 0x02; /* string */
    *p++ = 'h';
    *p++ = 0;
    put_i32(p, (int32_t)(host_len + 1));
    p += 4;
    memcpy(p, host, host_len + 1);
    p += host_len + 1;
    *p++ = 0;
    return (size_t)(p - buf);
}

bool test_contains(const uint8_t *data, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++) {
        if (memcmp(data + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

bool test_under_valgrind(void) {
    const char *v = getenv("MONGOAWSAUTH_TEST_VALGRIND");
    return v != NULL && strcmp(v, "1") == 0;
}

const char *test_standin(const char *name) {
    char var[128];
    snprintf(var, sizeof var, "MONGOAWSAUTH_TEST_%s", name);
    const char *value = getenv(var);
    if (value == NULL || value[0] == '\0') {
        printf("     skipped: %s is not set (run through `make c-test` for the stand-ins)\n", var);
        return NULL;
    }
    return value;
}

bool test_use_container(bool on) {
    if (!on) {
        unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        return true;
    }
    const char *url = test_standin("CONTAINER_URL");
    const char *token = test_standin("CONTAINER_TOKEN");
    if (url == NULL || token == NULL) {
        return false;
    }
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", token, 1);
    return true;
}

int64_t test_now_unix_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void test_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void test_completion_init(test_completion_t *c) {
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
}

void test_completion_callback(void *userdata, mongoawsauth_result_t result, mongoawsauth_credentials_t *credentials,
                              mongoawsauth_error_t *error) {
    test_completion_t *c = userdata;
    pthread_mutex_lock(&c->lock);
    c->calls++;
    c->result = result;
    c->credentials = credentials;
    c->error = error;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

void test_completion_wait(test_completion_t *c) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 20;
    pthread_mutex_lock(&c->lock);
    while (c->calls == 0) {
        if (pthread_cond_timedwait(&c->cond, &c->lock, &deadline) != 0) {
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
}

void test_completion_finish(test_completion_t *c) {
    mongoawsauth_credentials_destroy(c->credentials);
    mongoawsauth_error_destroy(c->error);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
}
