/*
 * C test of the public ABI, run against a sandbox (scripts/with-sandbox.sh sets
 * MONEYKIT_BASE_URL, MONEYKIT_CLIENT_ID and MONEYKIT_CLIENT_SECRET). Built and
 * run twice by `make test`: with -fsanitize=address,undefined, and under
 * valgrind --leak-check=full (MK_TEST_QUICK=1 shortens the loops there).
 */
#include "moneykit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures, checks;

#define CHECK(cond)                                                               \
    do {                                                                          \
        checks++;                                                                 \
        if (!(cond)) {                                                            \
            failures++;                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                         \
    } while (0)

static const char *base_url;
static int quick, stress;

/* Options JSON for the sandbox plus extra keys (a JSON fragment or ""). */
static char *options(const char *extra) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "{\"base_url\": \"%s\", \"retry_base_ms\": 10%s%s}", base_url,
             extra[0] ? ", " : "", extra);
    return buf;
}

static mk_client *new_client(const char *extra) {
    mk_client *c = NULL;
    char *err = NULL;
    int32_t rc = mk_client_new("sandbox-client", "sandbox-secret", options(extra), &c, &err);
    if (rc != MK_OK) fprintf(stderr, "mk_client_new: %s\n", err ? err : "?");
    CHECK(rc == MK_OK);
    CHECK(err == NULL);
    mk_string_free(err);
    return c;
}

/* Calls get_identity and checks the status; returns the JSON (caller frees) on OK. */
static char *expect(mk_client *c, const char *link_id, int32_t want, const char *err_must_contain) {
    char *json = (char *)1, *err = (char *)1;
    int32_t rc = mk_get_identity(c, link_id, NULL, 0, &json, &err);
    if (rc != want)
        fprintf(stderr, "%s: got %s, want %s: %s\n", link_id, mk_status_name(rc), mk_status_name(want),
                err && err != (char *)1 ? err : "");
    CHECK(rc == want);
    if (rc == MK_OK) {
        CHECK(json != NULL && err == NULL);
    } else {
        CHECK(json == NULL && err != NULL);
        if (err) {
            /* Every key is always present. */
            static const char *keys[] = {"\"status\":", "\"name\":", "\"message\":", "\"http_status\":",
                                         "\"error_code\":", "\"error_message\":", "\"documentation_url\":",
                                         "\"link_error_code\":", "\"request_id\":", "\"retry_after_ms\":",
                                         "\"attempts\":"};
            for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) CHECK(strstr(err, keys[i]) != NULL);
            CHECK(strstr(err, mk_status_name(rc)) != NULL);
            CHECK(strstr(err, "sandbox-secret") == NULL);
            if (err_must_contain) {
                if (!strstr(err, err_must_contain)) fprintf(stderr, "%s: %s lacks %s\n", link_id, err, err_must_contain);
                CHECK(strstr(err, err_must_contain) != NULL);
            }
        }
    }
    mk_string_free(err);
    return json;
}

static void test_static_strings(void) {
    CHECK(strcmp(mk_version(), MK_VERSION) == 0);
    CHECK(strcmp(mk_status_name(MK_OK), "MK_OK") == 0);
    CHECK(strcmp(mk_status_name(MK_ERR_NOT_FOUND), "MK_ERR_NOT_FOUND") == 0);
    CHECK(strcmp(mk_status_name(MK_ERR_INTERNAL), "MK_ERR_INTERNAL") == 0);
    CHECK(strcmp(mk_status_name(MK_ERR_CANCELLED), "MK_ERR_CANCELLED") == 0);
    CHECK(MK_ERR_CANCELLED == 14);
    CHECK(strcmp(mk_status_name(15), "MK_ERR_SIGNATURE") == 0);
    CHECK(strcmp(mk_status_name(16), "unknown status") == 0);
    CHECK(strcmp(mk_status_name(-1), "unknown status") == 0);
    CHECK(strcmp(mk_status_describe(99), "unknown status") == 0);
    CHECK(strlen(mk_status_describe(MK_ERR_TIMEOUT)) > 0);
}

static void test_invalid_arguments(void) {
    mk_client *c = NULL;
    char *err = NULL, *json = NULL;

    /* mk_client_new */
    CHECK(mk_client_new("a", "b", options(""), NULL, &err) == MK_ERR_INVALID_ARGUMENT);
    CHECK(err != NULL);
    mk_string_free(err);
    CHECK(mk_client_new("a", "b", options(""), NULL, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_client_new("a", "b", "{", &c, &err) == MK_ERR_INVALID_ARGUMENT && c == NULL);
    mk_string_free(err);
    CHECK(mk_client_new("a", "b", "{\"timeout\": 5}", &c, &err) == MK_ERR_INVALID_ARGUMENT);
    CHECK(err && strstr(err, "timeout"));
    mk_string_free(err);
    CHECK(mk_client_new("a", "b", "{\"timeout_ms\": -1}", &c, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_client_new("a", "b", "{\"timeout_ms\": \"5\"}", &c, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_client_new("a", "b", "{\"base_url\": \"ftp://x\"}", &c, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_client_new("a", "b", "{\"base_url\": \"http://example.com\"}", &c, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_client_new("a", "b", "{\"base_url\": \"https://user:pass@host\"}", &c, NULL) ==
          MK_ERR_INVALID_ARGUMENT);
    const char bad_utf8[] = {'a', (char)0xff, 'b', 0};
    CHECK(mk_client_new(bad_utf8, "b", options(""), &c, &err) == MK_ERR_INVALID_ARGUMENT);
    CHECK(err && strstr(err, "UTF-8"));
    mk_string_free(err);
    CHECK(mk_client_new("a", bad_utf8, options(""), &c, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_client_new("a", "b", bad_utf8, &c, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(c == NULL);

    /* mk_get_identity */
    c = new_client("");
    CHECK(mk_get_identity(NULL, "mk_sandbox_ok", NULL, 0, &json, &err) == MK_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL && err != NULL);
    mk_string_free(err);
    CHECK(mk_get_identity(c, NULL, NULL, 0, &json, &err) == MK_ERR_INVALID_ARGUMENT);
    mk_string_free(err);
    CHECK(mk_get_identity(c, "", NULL, 0, &json, &err) == MK_ERR_INVALID_ARGUMENT);
    mk_string_free(err);
    CHECK(mk_get_identity(c, bad_utf8, NULL, 0, &json, &err) == MK_ERR_INVALID_ARGUMENT);
    mk_string_free(err);
    CHECK(mk_get_identity(c, "mk_sandbox_ok", NULL, 0, NULL, &err) == MK_ERR_INVALID_ARGUMENT);
    mk_string_free(err);
    CHECK(mk_get_identity(c, "mk_sandbox_ok", NULL, 2, &json, &err) == MK_ERR_INVALID_ARGUMENT);
    mk_string_free(err);
    const char *with_null[] = {"acc", NULL};
    CHECK(mk_get_identity(c, "mk_sandbox_ok", with_null, 2, &json, &err) == MK_ERR_INVALID_ARGUMENT);
    mk_string_free(err);
    const char *with_bad[] = {bad_utf8};
    CHECK(mk_get_identity(c, "mk_sandbox_ok", with_bad, 1, &json, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL);

    /* A 1 MiB link id is refused before any request. */
    size_t big = 1 << 20;
    char *huge = malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = 0;
    CHECK(mk_get_identity(c, huge, NULL, 0, &json, &err) == MK_ERR_INVALID_ARGUMENT);
    CHECK(err && strstr(err, "longer than"));
    mk_string_free(err);
    huge[MK_MAX_ID_LEN] = 0; /* exactly the maximum: accepted, and simply not found */
    CHECK(mk_get_identity(c, huge, NULL, 0, &json, NULL) == MK_ERR_NOT_FOUND);
    free(huge);

    /* Freeing NULL is a no-op. */
    mk_client_free(NULL);
    mk_string_free(NULL);
    mk_client_free(c);
}

static void test_every_status(void) {
    mk_client *c = new_client("\"max_retries\": 0");
    char *json = expect(c, "mk_sandbox_ok", MK_OK, NULL);
    CHECK(json && strstr(json, "\"accounts\"") && strstr(json, "\"mk_sandbox_ok\"") != NULL);
    mk_string_free(json);
    mk_string_free(expect(c, "mk_sandbox_unicode", MK_OK, NULL));
    mk_string_free(expect(c, "mk_sandbox_minimal", MK_OK, NULL));
    mk_string_free(expect(c, "mk_sandbox_extra_fields", MK_OK, NULL));
    expect(c, "mk_sandbox_forbidden", MK_ERR_FORBIDDEN, "\"error_code\":\"link_error.forbidden_action\"");
    expect(c, "mk_no_such_link", MK_ERR_NOT_FOUND, "\"http_status\":404");
    expect(c, "mk_sandbox_deleted", MK_ERR_LINK_DELETED, "\"http_status\":410");
    expect(c, "mk_sandbox_bad_state", MK_ERR_LINK_BAD_STATE, "\"link_error_code\":\"auth_expired\"");
    expect(c, "mk_sandbox_validation", MK_ERR_HTTP, "\"http_status\":422");
    expect(c, "mk_sandbox_bad_request", MK_ERR_HTTP, "\"http_status\":400");
    expect(c, "mk_sandbox_other_app", MK_ERR_UNAUTHORIZED, "link_error.unauthorized_access");
    expect(c, "mk_sandbox_rate_limited", MK_ERR_RATE_LIMITED, "\"retry_after_ms\":1000");
    expect(c, "mk_fault_500", MK_ERR_SERVER, "\"http_status\":500");
    expect(c, "mk_fault_html_502", MK_ERR_SERVER, "\"http_status\":502");
    expect(c, "mk_fault_malformed", MK_ERR_DECODE, NULL);
    expect(c, "mk_fault_wrong_shape", MK_ERR_DECODE, NULL);
    expect(c, "mk_fault_empty", MK_ERR_DECODE, NULL);
    expect(c, "mk_fault_deep", MK_ERR_DECODE, NULL);
    expect(c, "mk_fault_redirect_other_host", MK_ERR_TRANSPORT, "another host");
    expect(c, "mk_fault_redirect_loop", MK_ERR_TRANSPORT, "redirects");
    mk_string_free(expect(c, "mk_fault_redirect_same_host", MK_OK, NULL));
    mk_client_free(c);

    c = new_client("\"max_retries\": 0, \"timeout_ms\": 300");
    expect(c, "mk_fault_silent", MK_ERR_TIMEOUT, NULL);
    expect(c, "mk_fault_slow_2000", MK_ERR_TIMEOUT, NULL);
    mk_client_free(c);

    c = new_client("\"max_retries\": 0, \"max_response_bytes\": 100000");
    expect(c, "mk_fault_oversized_5000000", MK_ERR_DECODE, "max_response_bytes");
    mk_client_free(c);

    /* Retries: 500 once then OK succeeds. */
    c = new_client("\"max_retries\": 2");
    mk_string_free(expect(c, "mk_fault_500_once_c_test", MK_OK, NULL));
    /* A Retry-After beyond max_retry_after_ms returns at once with retry_after_ms. */
    expect(c, "mk_sandbox_rate_limited_long", MK_ERR_RATE_LIMITED, "\"retry_after_ms\":3600000");
    mk_client_free(c);

    /* Bad credentials, and a refused token endpoint. */
    mk_client *bad = NULL;
    CHECK(mk_client_new("sandbox-client", "wrong", options("\"max_retries\": 0"), &bad, NULL) == MK_OK);
    expect(bad, "mk_sandbox_ok", MK_ERR_UNAUTHORIZED, "api_error.auth.unauthorized");
    mk_client_free(bad);
    CHECK(mk_client_new("x", "y", options("\"max_retries\": 0, \"auth\": \"headers\""), &bad, NULL) == MK_OK);
    expect(bad, "mk_sandbox_ok", MK_ERR_UNAUTHORIZED, NULL);
    mk_client_free(bad);

    /* Connection refused: a port nothing listens on (port 1 on loopback). */
    CHECK(mk_client_new("a", "b", "{\"base_url\": \"http://127.0.0.1:1\", \"max_retries\": 0}", &bad, NULL) ==
          MK_OK);
    expect(bad, "mk_sandbox_ok", MK_ERR_TRANSPORT, NULL);
    mk_client_free(bad);
}

static void test_auth_modes_and_filtering(void) {
    /* Caller-supplied access token, and header credentials. */
    mk_client *c = new_client("\"access_token\": \"sandbox-access-token\"");
    mk_string_free(expect(c, "mk_sandbox_ok", MK_OK, NULL));
    mk_client_free(c);
    c = new_client("\"auth\": \"headers\"");
    mk_string_free(expect(c, "mk_sandbox_ok", MK_OK, NULL));
    mk_client_free(c);

    /* Environment fallbacks: NULL id/secret/options use MONEYKIT_* variables. */
    mk_client *env_client = NULL;
    CHECK(mk_client_new(NULL, NULL, NULL, &env_client, NULL) == MK_OK);
    mk_string_free(expect(env_client, "mk_sandbox_ok", MK_OK, NULL));
    mk_client_free(env_client);

    /* account_ids filtering: fetch all, then ask for the first account only. */
    c = new_client("");
    char *all = expect(c, "mk_sandbox_ok", MK_OK, NULL);
    const char *first = all ? strstr(all, "\"account_id\"") : NULL;
    CHECK(first != NULL);
    if (first) {
        char id[128] = {0};
        CHECK(sscanf(first, "\"account_id\": \"%127[^\"]\"", id) == 1 ||
              sscanf(first, "\"account_id\":\"%127[^\"]\"", id) == 1);
        const char *ids[] = {id};
        char *json = NULL, *err = NULL;
        CHECK(mk_get_identity(c, "mk_sandbox_ok", ids, 1, &json, &err) == MK_OK);
        CHECK(json && strstr(json, id));
        /* Only one account is left. */
        const char *second = json ? strstr(strstr(json, "\"account_id\"") + 1, "\"account_id\"") : NULL;
        CHECK(second == NULL);
        mk_string_free(json);
        mk_string_free(err);
        const char *none[] = {"acc_does_not_exist"};
        CHECK(mk_get_identity(c, "mk_sandbox_ok", none, 1, &json, NULL) == MK_OK);
        CHECK(json && strstr(json, "\"account_id\"") == NULL);
        mk_string_free(json);
    }
    mk_string_free(all);
    mk_client_free(c);
}

struct worker {
    mk_client *client;
    int calls, failures;
};

static void *work(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < w->calls; i++) {
        char *json = NULL, *err = NULL;
        if (mk_get_identity(w->client, "mk_sandbox_ok", NULL, 0, &json, &err) != MK_OK) w->failures++;
        mk_string_free(json);
        mk_string_free(err);
    }
    return NULL;
}

static void test_threads_share_a_client(void) {
    mk_client *c = new_client("");
    enum { THREADS = 8 };
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i].client = c;
        w[i].calls = stress ? 10000 : quick ? 20 : 300;
        w[i].failures = 0;
        CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK(w[i].failures == 0);
    }
    mk_client_free(c);
}

/* ---------------------------------------------------------------- lifecycle */

static void *trigger_later(void *cancel) {
    struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, NULL);
    mk_cancel_trigger((const mk_cancel *)cancel);
    return NULL;
}

static int events_seen, events_with_request_id;

static void on_event(void *user_data, const mk_event *e) {
    CHECK(user_data == &events_seen);
    CHECK(e->method != NULL && e->path != NULL);
    CHECK(strcmp(e->path, "/links/{id}/identity") == 0 || strcmp(e->path, "/auth/token") == 0);
    events_seen++;
    if (e->request_id != NULL && strncmp(e->request_id, "req_", 4) == 0) events_with_request_id++;
}

static void test_deadlines_cancel_and_events(void) {
    mk_cancel *cancel = NULL;
    char *json = NULL, *rid = NULL, *err = NULL;
    CHECK(mk_cancel_new(NULL, &err) == MK_ERR_INVALID_ARGUMENT && err != NULL);
    mk_string_free(err);
    mk_cancel_trigger(NULL);
    mk_cancel_free(NULL);
    CHECK(mk_client_set_event_callback(NULL, on_event, NULL, NULL) == MK_ERR_INVALID_ARGUMENT);

    mk_client *c = new_client("\"max_retries\": 0");
    if (!c) return;
    CHECK(mk_client_set_event_callback(c, on_event, &events_seen, NULL) == MK_OK);
    /* A successful call hands out the request id; every attempt is an event. */
    CHECK(mk_get_identity_ex(c, "mk_sandbox_ok", NULL, 0, 0, NULL, &json, &rid, &err) == MK_OK);
    CHECK(json != NULL && rid != NULL && err == NULL);
    CHECK(rid && strncmp(rid, "req_", 4) == 0);
    mk_string_free(json);
    mk_string_free(rid);
    CHECK(events_seen >= 1 && events_with_request_id >= 1);

    /* A per-call timeout ends a call to a silent server. */
    CHECK(mk_get_identity_ex(c, "mk_fault_silent", NULL, 0, 150, NULL, &json, &rid, &err) ==
          MK_ERR_TIMEOUT);
    CHECK(json == NULL && rid == NULL && err != NULL);
    mk_string_free(err);

    /* Another thread cancels a call to a silent server. */
    CHECK(mk_cancel_new(&cancel, NULL) == MK_OK && cancel != NULL);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, trigger_later, cancel) == 0);
    CHECK(mk_get_identity_ex(c, "mk_fault_silent", NULL, 0, 0, cancel, &json, NULL, &err) ==
          MK_ERR_CANCELLED);
    CHECK(err && strstr(err, "MK_ERR_CANCELLED"));
    mk_string_free(err);
    pthread_join(t, NULL);
    mk_cancel_free(cancel);

    CHECK(mk_get_identity_ex(c, ".", NULL, 0, 0, NULL, &json, NULL, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_get_identity_ex(c, "x", NULL, 0, 0, NULL, NULL, NULL, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_client_set_event_callback(c, NULL, NULL, NULL) == MK_OK);
    mk_client_free(c);
}

/* mk_match_owners: offline, no client. NULLs, bad JSON, a real match. */
static void test_match_owners(void) {
    static const char identity[] =
        "{\"accounts\":[{\"account_id\":\"acc_1\",\"account_type\":\"depository.checking\","
        "\"name\":\"Checking\",\"balances\":{},\"owners\":[{\"names\":[\"Margaret O'Brien\"],"
        "\"addresses\":[{\"street\":\"77 Beacon St\",\"city\":\"Boston\",\"region\":\"MA\","
        "\"postal_code\":\"02116\",\"country\":\"US\"}],\"phone_numbers\":[{\"number\":"
        "\"+16175551212\",\"type\":\"home\"}],\"emails\":[{\"address\":\"m.obrien@example.com\"}]}]}],"
        "\"link\":{\"link_id\":\"mk_x\",\"institution_id\":\"i\",\"institution_name\":\"Bank\","
        "\"institution_avatar\":\"\",\"state\":\"connected\",\"provider\":\"p\",\"products\":{},"
        "\"available_products\":[]}}";
    const char *claim = "{\"name\": \"Peggy OBrien\", \"phone\": \"(617) 555-1212\","
                        " \"address\": {\"street\": \"77 Beacon Street\", \"postal_code\": \"02116-1234\"}}";
    char *out = (char *)1, *err = (char *)1;

    int32_t rc = mk_match_owners(identity, claim, &out, &err);
    CHECK(rc == MK_OK);
    CHECK(err == NULL);
    CHECK(out != NULL && strstr(out, "\"owner_index\":0") != NULL);
    CHECK(out != NULL && strstr(out, "\"nickname\":true") != NULL);
    CHECK(out != NULL && strstr(out, "\"phone\":{\"score\":100}") != NULL);
    CHECK(out != NULL && strstr(out, "\"postal_code_match\":true") != NULL);
    CHECK(out != NULL && strstr(out, "Beacon") == NULL); /* scores and flags only */
    mk_string_free(out);

    rc = mk_match_owners(NULL, claim, &out, &err);
    CHECK(rc == MK_ERR_INVALID_ARGUMENT && out == NULL && err != NULL);
    mk_string_free(err);
    rc = mk_match_owners(identity, NULL, &out, NULL);
    CHECK(rc == MK_ERR_INVALID_ARGUMENT && out == NULL);
    rc = mk_match_owners(identity, claim, NULL, &err);
    CHECK(rc == MK_ERR_INVALID_ARGUMENT && err != NULL);
    mk_string_free(err);
    rc = mk_match_owners(identity, "{\"name\": \"Secret", &out, &err);
    CHECK(rc == MK_ERR_INVALID_ARGUMENT && out == NULL);
    CHECK(err != NULL && strstr(err, "Secret") == NULL);
    mk_string_free(err);
    rc = mk_match_owners(identity, "{}", &out, &err);
    CHECK(rc == MK_ERR_INVALID_ARGUMENT && err != NULL && strstr(err, "claim has none") != NULL);
    mk_string_free(err);
    rc = mk_match_owners("{\"accounts\": 1}", claim, &out, &err);
    CHECK(rc == MK_ERR_DECODE && out == NULL && err != NULL);
    mk_string_free(err);
}

int main(void) {
    base_url = getenv("MONEYKIT_BASE_URL");
    quick = getenv("MK_TEST_QUICK") != NULL;
    stress = getenv("MK_TEST_STRESS") != NULL;
    if (!base_url) {
        fprintf(stderr, "MONEYKIT_BASE_URL is not set: run through scripts/with-sandbox.sh\n");
        return 2;
    }
    test_static_strings();
    test_invalid_arguments();
    test_every_status();
    test_auth_modes_and_filtering();
    test_threads_share_a_client();
    test_deadlines_cancel_and_events();
    test_match_owners();
    printf("c tests: %d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
