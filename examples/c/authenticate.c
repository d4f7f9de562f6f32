/*
 * Log in to a MongoDB server with MONGODB-AWS using libmongoawsauth, libbson and a plain socket.
 *
 * This is what a C driver does on every new connection, without the driver around it:
 *
 *   1. hello                        (the handshake)
 *   2. saslStart    {payload: client-first}   <- libmongoawsauth
 *   3. saslContinue {payload: client-final}   <- libmongoawsauth, from the server's reply
 *   4. connectionStatus             (only to show who we are now: the IAM ARN)
 *
 * Credentials come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for
 * temporary credentials, AWS_SESSION_TOKEN), as the MongoDB spec requires.
 *
 * Usage: MONGOD_ADDRESS=127.0.0.1:27017 ./authenticate
 * Build: cc authenticate.c $(pkg-config --cflags --libs mongoawsauth libbson-1.0)
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bson.h>
#include <mongoawsauth.h>

#define OP_MSG 2013

/* Sends `command` as an OP_MSG and reads the reply's body document into `reply`, which is always
 * initialized afterwards (empty on an I/O error) and must be destroyed by the caller. */
static bool run_command(int fd, const bson_t *command, bson_t *reply) {
    static int32_t request_id = 0;
    uint8_t header[21];
    int32_t length = (int32_t)(sizeof header + command->len);
    int32_t fields[4] = {BSON_UINT32_TO_LE(length), BSON_UINT32_TO_LE(++request_id), 0, BSON_UINT32_TO_LE(OP_MSG)};
    memcpy(header, fields, 16);
    memset(header + 16, 0, 5); /* flagBits = 0, then section kind 0: one body document */
    bson_init(reply);
    if (write(fd, header, sizeof header) != (ssize_t)sizeof header ||
        write(fd, bson_get_data(command), command->len) != (ssize_t)command->len) {
        return false;
    }
    /* The reply: a 16-byte header, 4 flag bytes, a kind-0 byte, then the document. */
    uint8_t reply_header[21];
    size_t got = 0;
    while (got < sizeof reply_header) {
        ssize_t n = read(fd, reply_header + got, sizeof reply_header - got);
        if (n <= 0) return false;
        got += (size_t)n;
    }
    int32_t reply_length;
    memcpy(&reply_length, reply_header, 4);
    reply_length = (int32_t)BSON_UINT32_FROM_LE(reply_length);
    if (reply_length < (int32_t)sizeof reply_header + 5 || reply_length > 48 * 1024 * 1024) return false;
    size_t doc_len = (size_t)reply_length - sizeof reply_header;
    uint8_t *doc = malloc(doc_len);
    for (got = 0; doc != NULL && got < doc_len;) {
        ssize_t n = read(fd, doc + got, doc_len - got);
        if (n <= 0) break;
        got += (size_t)n;
    }
    bson_t view;
    bool ok = doc != NULL && got == doc_len && bson_init_static(&view, doc, doc_len);
    if (ok) {
        bson_destroy(reply);
        bson_copy_to(&view, reply); /* own the bytes so `doc` can go */
    }
    free(doc);
    return ok;
}

/* Runs one step: sends and destroys `cmd`; true when the server answered {ok: 1}. Otherwise
 * prints the server's code and message. `reply` must be destroyed by the caller either way. */
static bool step(int fd, const char *name, bson_t *cmd, bson_t *reply) {
    bool sent = run_command(fd, cmd, reply);
    bson_destroy(cmd);
    bson_iter_t it;
    if (!sent) {
        fprintf(stderr, "%s failed: connection error\n", name);
        return false;
    }
    if (bson_iter_init_find(&it, reply, "ok") && bson_iter_as_double(&it) == 1.0) return true;
    int32_t code = bson_iter_init_find(&it, reply, "code") ? bson_iter_int32(&it) : -1;
    const char *code_name = bson_iter_init_find(&it, reply, "codeName") ? bson_iter_utf8(&it, NULL) : "?";
    const char *msg = bson_iter_init_find(&it, reply, "errmsg") ? bson_iter_utf8(&it, NULL) : "";
    fprintf(stderr, "%s failed: code %d (%s): %s\n", name, code, code_name, msg);
    return false;
}

/* The server refused the login. The spec requires dropping the cached credentials it was made
 * with, so that the next connection fetches fresh ones; the conversation knows their cache
 * generation, so a burst of failing connections drops the entry once and never a newer one.
 * (Environment credentials, as here, are never cached: the call then does nothing.) */
static void report_refused_login(const mongoawsauth_authenticator_t *auth, const mongoawsauth_conversation_t *conv) {
    mongoawsauth_authenticator_report_failed_conversation(auth, conv, NULL, NULL);
}

/* Prints a libmongoawsauth error; its message never contains a secret. */
static int fail(const char *step, mongoawsauth_error_t *error) {
    fprintf(stderr, "%s failed: %s\n", step, mongoawsauth_error_message(error, NULL));
    mongoawsauth_error_destroy(error);
    return 1;
}

static int connect_to(const char *address) {
    char host[256];
    const char *colon = strrchr(address, ':');
    if (colon == NULL || (size_t)(colon - address) >= sizeof host) return -1;
    memcpy(host, address, (size_t)(colon - address));
    host[colon - address] = '\0';
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *addrs;
    if (getaddrinfo(host, colon + 1, &hints, &addrs) != 0) return -1;
    int fd = socket(addrs->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, addrs->ai_addr, addrs->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(addrs);
    return fd;
}

int main(void) {
    const char *address = getenv("MONGOD_ADDRESS");
    if (address == NULL) {
        fprintf(stderr, "set MONGOD_ADDRESS=host:port\n");
        return 1;
    }
    mongoawsauth_error_t *error = NULL;

    /* Once per client: an authenticator with the spec's default credential chain. */
    mongoawsauth_options_t *options = mongoawsauth_options_new();
    mongoawsauth_authenticator_t *auth = NULL;
    if (mongoawsauth_authenticator_new(options, &auth, &error) != MONGOAWSAUTH_RESULT_OK) {
        return fail("mongoawsauth_authenticator_new", error);
    }
    mongoawsauth_options_destroy(options);

    /* Per connection: resolve credentials *before* saslStart (here within 5 s), so a slow source
     * never holds a server-side conversation open. */
    mongoawsauth_conversation_t *conv = NULL;
    if (mongoawsauth_authenticator_start_conversation(auth, 5000, &conv, &error) != MONGOAWSAUTH_RESULT_OK) {
        return fail("getting AWS credentials", error);
    }
    int fd = connect_to(address);
    if (fd < 0) {
        fprintf(stderr, "cannot connect to %s\n", address);
        return 1;
    }
    int status = 2;
    bson_t reply;
    mongoawsauth_bytes_t *first = NULL, *final = NULL;

    /* 1. The handshake. */
    bool ok = step(fd, "hello", BCON_NEW("hello", BCON_INT32(1), "$db", "admin"), &reply);
    bson_destroy(&reply);
    if (!ok) goto done;

    /* 2. saslStart with the client-first payload {r: nonce, p: 110}. */
    if (mongoawsauth_conversation_client_first(conv, &first, &error) != MONGOAWSAUTH_RESULT_OK) {
        status = fail("client_first", error);
        goto done;
    }
    ok = step(fd, "saslStart",
              BCON_NEW("saslStart", BCON_INT32(1), "mechanism", "MONGODB-AWS", "payload",
                       BCON_BIN(BSON_SUBTYPE_BINARY, mongoawsauth_bytes_data(first),
                                (uint32_t)mongoawsauth_bytes_len(first)),
                       "$db", "$external"),
              &reply);
    if (!ok) report_refused_login(auth, conv);

    /* 3. The server's payload {s: nonce, h: STS host} goes to libmongoawsauth, which validates it
     *    and signs GetCallerIdentity; the result is the saslContinue payload. */
    bson_iter_t it;
    const uint8_t *server_payload = NULL;
    uint32_t server_len = 0;
    bson_subtype_t subtype;
    int32_t conversation_id = 0;
    if (ok && bson_iter_init_find(&it, &reply, "payload") && BSON_ITER_HOLDS_BINARY(&it)) {
        bson_iter_binary(&it, &subtype, &server_len, &server_payload);
    }
    if (ok && bson_iter_init_find(&it, &reply, "conversationId")) conversation_id = bson_iter_int32(&it);
    if (ok && mongoawsauth_conversation_client_final(conv, server_payload, server_len, &final, &error) !=
                  MONGOAWSAUTH_RESULT_OK) {
        status = fail("client_final", error);
        ok = false;
    }
    bson_destroy(&reply);
    if (!ok) goto done;
    ok = step(fd, "saslContinue",
              BCON_NEW("saslContinue", BCON_INT32(1), "conversationId", BCON_INT32(conversation_id), "payload",
                       BCON_BIN(BSON_SUBTYPE_BINARY, mongoawsauth_bytes_data(final),
                                (uint32_t)mongoawsauth_bytes_len(final)),
                       "$db", "$external"),
              &reply);
    bson_destroy(&reply);
    if (!ok) {
        report_refused_login(auth, conv);
        goto done;
    }

    /* 4. Who are we? The server reports the IAM ARN STS returned for our signature. */
    ok = step(fd, "connectionStatus", BCON_NEW("connectionStatus", BCON_INT32(1), "$db", "admin"), &reply);
    if (ok && bson_iter_init(&it, &reply) &&
        bson_iter_find_descendant(&it, "authInfo.authenticatedUsers.0.user", &it) && BSON_ITER_HOLDS_UTF8(&it)) {
        printf("authenticated as %s\n", bson_iter_utf8(&it, NULL));
        status = 0;
    }
    bson_destroy(&reply);

done:
    close(fd);
    mongoawsauth_bytes_destroy(final); /* zeroizes: the final payload may carry a session token */
    mongoawsauth_bytes_destroy(first);
    mongoawsauth_conversation_destroy(conv);
    mongoawsauth_authenticator_destroy(auth);
    mongoawsauth_cleanup(NULL);
    return status;
}
