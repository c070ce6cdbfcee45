/*
 * The webhook ABI from C (mk_webhook_*), against the sandbox (run through
 * scripts/with-sandbox.sh, which exports MONEYKIT_BASE_URL, MONEYKIT_CLIENT_ID and
 * MONEYKIT_CLIENT_SECRET). Built and run under ASan/UBSan (make c-asan) and valgrind
 * (make c-valgrind): every string the library hands out is freed, nothing leaks.
 *
 * - NULL and bad arguments: refused with their status, out pointers written, no crash.
 * - A round trip: this program listens on a loopback port, points the sandbox's webhook
 *   URL at it (POST /_sandbox/webhooks/url), asks for a test delivery
 *   (POST /webhooks/test/link/mk_sandbox_ok), receives the signed POST and verifies it
 *   with the sandbox's keys (fetched by the library); then its duplicate, a tampered copy
 *   and a forged magic id.
 */
#include "moneykit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int failures = 0;
#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                      \
        }                                                                    \
    } while (0)

static const char *base_url;
static int sandbox_port;

/* --- a tiny HTTP/1.1 client and server over loopback sockets ------------------------ */

/* strcasestr is not C99 or POSIX. */
static const char *find_ci(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return hay;
    return NULL;
}

static int connect_loopback(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads a whole HTTP message (head and Content-Length body) into buf (NUL-terminated);
 * returns its length, and where the body starts in *body_at. */
static long read_message(int fd, char *buf, size_t cap, size_t *body_at) {
    size_t len = 0;
    char *end = NULL;
    long want = -1;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 10000) <= 0) return -1;
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r <= 0) break;
        len += (size_t)r;
        buf[len] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            *body_at = (size_t)(end + 4 - buf);
            const char *cl = find_ci(buf, "\r\ncontent-length:");
            want = cl && cl < end ? (long)(*body_at + (size_t)atol(cl + 17)) : (long)*body_at;
        }
        if (end && (long)len >= want) break;
        if (len + 1 >= cap) return -1;
    }
    return end ? (long)len : -1;
}

/* One request to the sandbox; returns the HTTP status (0 on failure). */
static int sandbox_request(const char *method, const char *path, const char *extra_headers,
                           const char *body) {
    int fd = connect_loopback(sandbox_port);
    if (fd < 0) return 0;
    char req[4096];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s",
                     method, path, strlen(body), extra_headers, body);
    char resp[8192];
    size_t at = 0;
    int status = 0;
    if (n > 0 && (size_t)n < sizeof req && write_all(fd, req, (size_t)n) == 0 &&
        read_message(fd, resp, sizeof resp, &at) > 12)
        status = atoi(resp + 9);
    close(fd);
    return status;
}

static int listen_loopback(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

/* A received delivery: its MoneyKit-Signature and raw body. */
typedef struct {
    char signature[8192];
    char body[65536];
    size_t body_len;
} delivery;

static int receive(int listener, delivery *d) {
    struct pollfd p = {listener, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) return -1;
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) return -1;
    static char buf[80000];
    size_t at = 0;
    long len = read_message(fd, buf, sizeof buf, &at);
    const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    write_all(fd, ok, strlen(ok));
    close(fd);
    if (len < 0) return -1;
    d->signature[0] = '\0';
    const char *h = find_ci(buf, "\r\nmoneykit-signature:");
    if (h && h < buf + at) {
        h += strlen("\r\nmoneykit-signature:");
        while (*h == ' ') h++;
        size_t n = strcspn(h, "\r");
        if (n >= sizeof d->signature) return -1;
        memcpy(d->signature, h, n);
        d->signature[n] = '\0';
    }
    d->body_len = (size_t)len - at;
    if (d->body_len >= sizeof d->body) return -1;
    memcpy(d->body, buf + at, d->body_len);
    d->body[d->body_len] = '\0';
    return 0;
}

static const char *AUTH =
    "X-Client-Id: sandbox-client\r\nX-Client-Secret: sandbox-secret\r\nmoneykit-version: 2023-02-18\r\n";

static int trigger(const char *link, const char *event, const char *key) {
    char path[256], body[512];
    snprintf(path, sizeof path, "/webhooks/test/link/%s", link);
    snprintf(body, sizeof body, "{\"webhook_event\": \"%s\", \"webhook_idempotency_key\": \"%s\"}",
             event, key);
    return sandbox_request("POST", path, AUTH, body);
}

/* --- the tests ----------------------------------------------------------------------- */

static int verify(const mk_webhook_verifier *v, const char *sig, const char *body, size_t len,
                  char **event_type, char **key, char **error) {
    char *json = NULL;
    int32_t rc = mk_webhook_verify(v, sig, body, len, NULL, &json, event_type, key, error);
    int delivered = rc == MK_OK || rc == MK_WEBHOOK_DUPLICATE || rc == MK_WEBHOOK_IN_FLIGHT;
    CHECK((json != NULL) == delivered);
    if (json) CHECK(strlen(json) == len && memcmp(json, body, len) == 0);
    mk_string_free(json);
    return rc;
}

static void test_nulls(mk_client *client) {
    char *err = (char *)1, *json = (char *)1, *type = (char *)1, *key = (char *)1;
    mk_webhook_verifier *v = (mk_webhook_verifier *)1;

    CHECK(mk_webhook_verifier_new(NULL, NULL, &v, &err) == MK_ERR_INVALID_ARGUMENT);
    CHECK(v == NULL && err != NULL && strstr(err, "client is NULL"));
    mk_string_free(err);
    CHECK(mk_webhook_verifier_new(client, NULL, NULL, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_webhook_verifier_new(client, "{\"seen_max\": -1}", &v, &err) == MK_ERR_INVALID_ARGUMENT);
    CHECK(v == NULL && strstr(err, "seen_max"));
    mk_string_free(err);
    CHECK(mk_webhook_verifier_new(client, "{\"jwks_ttl_ms\": 1}", &v, NULL) == MK_ERR_INVALID_ARGUMENT);

    CHECK(mk_webhook_verifier_new(client, NULL, &v, &err) == MK_OK);
    CHECK(v != NULL && err == NULL);

    CHECK(mk_webhook_verify(NULL, "a.b.c", "{}", 2, NULL, &json, &type, &key, &err) == MK_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL && type == NULL && key == NULL && strstr(err, "verifier is NULL"));
    mk_string_free(err);
    CHECK(mk_webhook_verify(v, "a.b.c", "{}", 2, NULL, NULL, NULL, NULL, &err) == MK_ERR_INVALID_ARGUMENT);
    mk_string_free(err);
    CHECK(mk_webhook_verify(v, "a.b.c", NULL, 3, NULL, &json, NULL, NULL, &err) == MK_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL && strstr(err, "body is NULL"));
    mk_string_free(err);
    /* A missing header (NULL) is a delivery to refuse, not a programming error. */
    CHECK(mk_webhook_verify(v, NULL, NULL, 0, NULL, &json, NULL, NULL, &err) == MK_ERR_SIGNATURE);
    CHECK(json == NULL && strstr(err, "\"reason\":\"malformed\""));
    mk_string_free(err);
    CHECK(mk_webhook_verify(v, "\xff\xfe.x.y", "{}", 2, NULL, &json, NULL, NULL, NULL) == MK_ERR_SIGNATURE);
    /* A huge header is refused without being read to its end. */
    size_t big = 1u << 20;
    char *huge = malloc(big + 1);
    memset(huge, 'A', big);
    huge[big] = '\0';
    CHECK(mk_webhook_verify(v, huge, "{}", 2, NULL, &json, NULL, NULL, &err) == MK_ERR_SIGNATURE);
    CHECK(strstr(err, "longer than 8192 bytes") != NULL);
    mk_string_free(err);
    free(huge);

    CHECK(mk_webhook_done(NULL, "k", 1, &err) == MK_ERR_INVALID_ARGUMENT);
    mk_string_free(err);
    CHECK(mk_webhook_done(v, NULL, 1, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_webhook_done(v, "never-claimed", 1, &err) == MK_OK && err == NULL);

    mk_webhook_verifier_free(v);
    mk_webhook_verifier_free(NULL);
}

static void test_round_trip(mk_client *client) {
    int port = 0;
    int listener = listen_loopback(&port);
    CHECK(listener >= 0);
    if (listener < 0) return;
    char body[256];
    snprintf(body, sizeof body, "{\"url\": \"http://127.0.0.1:%d/hook\"}", port);
    CHECK(sandbox_request("POST", "/_sandbox/webhooks/url", "", body) == 200);

    mk_webhook_verifier *v = NULL;
    char *err = NULL, *type = NULL, *key = NULL;
    CHECK(mk_webhook_verifier_new(client, "{\"tolerance_ms\": 300000}", &v, &err) == MK_OK);

    static delivery d;
    CHECK(trigger("mk_sandbox_ok", "link.product_refresh", "c-key-1") == 200);
    CHECK(receive(listener, &d) == 0);
    CHECK(d.signature[0] != '\0');
    CHECK(verify(v, d.signature, d.body, d.body_len, &type, &key, &err) == MK_OK);
    CHECK(err == NULL && type && strcmp(type, "link.product_refresh") == 0);
    CHECK(key && strcmp(key, "c-key-1") == 0);
    mk_string_free(type);
    /* Being handled: a copy is in flight. */
    CHECK(verify(v, d.signature, d.body, d.body_len, NULL, NULL, NULL) == MK_WEBHOOK_IN_FLIGHT);
    CHECK(mk_webhook_done(v, key, 1, NULL) == MK_OK);
    mk_string_free(key);
    /* Handled: a copy is a duplicate. */
    CHECK(verify(v, d.signature, d.body, d.body_len, NULL, NULL, &err) == MK_WEBHOOK_DUPLICATE);
    CHECK(err == NULL);
    /* Tampered: refused, with the reason. */
    d.body[d.body_len - 2] = d.body[d.body_len - 2] == 'x' ? 'y' : 'x';
    CHECK(verify(v, d.signature, d.body, d.body_len, NULL, NULL, &err) == MK_ERR_SIGNATURE);
    CHECK(err && strstr(err, "\"reason\":\"body_hash\""));
    mk_string_free(err);
    err = NULL;
    /* A forged magic id (signature bytes flipped). */
    CHECK(trigger("mk_webhook_bad_signature", "link.state_changed", "c-key-2") == 200);
    CHECK(receive(listener, &d) == 0);
    CHECK(verify(v, d.signature, d.body, d.body_len, NULL, NULL, &err) == MK_ERR_SIGNATURE);
    CHECK(err && strstr(err, "\"reason\":\"signature\""));
    mk_string_free(err);

    mk_webhook_verifier_free(v);
    close(listener);
}

int main(void) {
    base_url = getenv("MONEYKIT_BASE_URL");
    if (!base_url || strncmp(base_url, "http://127.0.0.1:", 17) != 0) {
        fprintf(stderr, "MONEYKIT_BASE_URL is not a loopback sandbox: run through scripts/with-sandbox.sh\n");
        return 2;
    }
    sandbox_port = atoi(base_url + 17);
    char opts[512];
    snprintf(opts, sizeof opts, "{\"base_url\": \"%s\", \"max_retries\": 0}", base_url);
    mk_client *client = NULL;
    char *err = NULL;
    if (mk_client_new(NULL, NULL, opts, &client, &err) != MK_OK) {
        fprintf(stderr, "mk_client_new: %s\n", err ? err : "?");
        mk_string_free(err);
        return 1;
    }
    test_nulls(client);
    test_round_trip(client);
    mk_client_free(client);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    puts("test_webhooks: ok");
    return 0;
}
