/* P4: mk_get_identity (C ABI) vs libcurl with one reused easy handle + cJSON parse,
 * against the sandbox at $MONEYKIT_BASE_URL, interleaved batches.
 * Prints one JSON line: median/p10/p90 wall per call and client CPU per call (user+sys of
 * the whole client process, so threads the library may start are counted too).
 *
 *   p4 [rounds] [batch] [link]
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "moneykit.h"

static double now_ns(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p) {
    return v[(size_t)((double)(n - 1) * p + 0.5)];
}

/* ---- libcurl side: growable buffer, reused easy handle ---- */
struct buf {
    char *p;
    size_t len, cap;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud) {
    struct buf *b = ud;
    size_t n = size * nmemb;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, ptr, n);
    b->len += n;
    b->p[b->len] = 0;
    return n;
}

struct curl_side {
    CURL *h;
    struct curl_slist *headers;
    struct buf body;
};

static int curl_call(struct curl_side *c) {
    c->body.len = 0;
    CURLcode rc = curl_easy_perform(c->h);
    if (rc != CURLE_OK) {
        fprintf(stderr, "curl: %s\n", curl_easy_strerror(rc));
        return -1;
    }
    long code = 0;
    curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200) return -1;
    cJSON *doc = cJSON_ParseWithLength(c->body.p, c->body.len);
    if (!doc) return -1;
    /* The minimum a careful caller checks: the two required members and their types. */
    int ok = cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "accounts")) &&
             cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "link"));
    cJSON_Delete(doc);
    return ok ? 0 : -1;
}

/* ---- our side ---- */
static int mk_call(mk_client *client, const char *link) {
    char *json = NULL, *err = NULL;
    int32_t rc = mk_get_identity(client, link, NULL, 0, &json, &err);
    if (rc != MK_OK) fprintf(stderr, "mk_get_identity: %d %s\n", rc, err ? err : "");
    mk_string_free(json);
    mk_string_free(err);
    return rc == MK_OK ? 0 : -1;
}

static void print_side(const char *name, double *wall, size_t n, double *cpu, size_t rounds) {
    qsort(wall, n, sizeof *wall, cmp_d);
    qsort(cpu, rounds, sizeof *cpu, cmp_d);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += wall[i];
    printf("\"%s\":{\"calls\":%zu,\"median_ns\":%.0f,\"p10_ns\":%.0f,\"p90_ns\":%.0f,"
           "\"p99_ns\":%.0f,\"mean_ns\":%.0f,\"cpu_ns_per_call\":%.0f}",
           name, n, pct(wall, n, 0.5), pct(wall, n, 0.1), pct(wall, n, 0.9), pct(wall, n, 0.99),
           sum / (double)n, pct(cpu, rounds, 0.5));
}

int main(int argc, char **argv) {
    size_t rounds = argc > 1 ? (size_t)atoi(argv[1]) : 30;
    size_t batch = argc > 2 ? (size_t)atoi(argv[2]) : 200;
    const char *link = argc > 3 ? argv[3] : "mk_sandbox_ok";
    const char *base = getenv("MONEYKIT_BASE_URL");
    if (!base || !*base) {
        fprintf(stderr, "MONEYKIT_BASE_URL is not set (run under scripts/with-sandbox.sh)\n");
        return 2;
    }

    /* Ours. */
    char opts[512];
    snprintf(opts, sizeof opts,
             "{\"base_url\":\"%s\",\"access_token\":\"sandbox-access-token\",\"max_retries\":0}",
             base);
    mk_client *client = NULL;
    char *err = NULL;
    if (mk_client_new(NULL, NULL, opts, &client, &err) != MK_OK) {
        fprintf(stderr, "mk_client_new: %s\n", err ? err : "?");
        return 1;
    }

    /* Theirs. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct curl_side c = {0};
    char url[512];
    snprintf(url, sizeof url, "%s/links/%s/identity", base, link);
    c.h = curl_easy_init();
    c.headers = curl_slist_append(c.headers, "Authorization: Bearer sandbox-access-token");
    c.headers = curl_slist_append(c.headers, "moneykit-version: 2023-02-18");
    c.headers = curl_slist_append(c.headers, "Accept: application/json");
    curl_easy_setopt(c.h, CURLOPT_URL, url);
    curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
    curl_easy_setopt(c.h, CURLOPT_USERAGENT, "bench-libcurl");
    curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &c.body);
    curl_easy_setopt(c.h, CURLOPT_NOSIGNAL, 1L);
    /* The same deadlines the library applies by default (30 s / 10 s). */
    curl_easy_setopt(c.h, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(c.h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);

    for (int i = 0; i < 200; i++) {
        if (mk_call(client, link) || curl_call(&c)) return 1;
    }
    size_t body_bytes = c.body.len;

    size_t n = rounds * batch;
    double *wall[2], *cpu[2];
    size_t k[2] = {0, 0};
    for (int s = 0; s < 2; s++) {
        wall[s] = calloc(n, sizeof(double));
        cpu[s] = calloc(rounds, sizeof(double));
    }
    double t0 = now_ns(CLOCK_MONOTONIC);
    for (size_t r = 0; r < rounds; r++) {
        for (int j = 0; j < 2; j++) {
            int side = (int)((r + (size_t)j) % 2); /* alternate which side goes first */
            double c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
            for (size_t i = 0; i < batch; i++) {
                double s = now_ns(CLOCK_MONOTONIC);
                int rc = side == 0 ? mk_call(client, link) : curl_call(&c);
                wall[side][k[side]++] = now_ns(CLOCK_MONOTONIC) - s;
                if (rc) return 1;
            }
            cpu[side][r] = (now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)batch;
        }
    }
    double secs = (now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
    printf("{\"bench\":\"p4\",\"link\":\"%s\",\"body_bytes\":%zu,\"rounds\":%zu,\"batch\":%zu,"
           "\"seconds\":%.3f,\"curl_version\":\"%s\",",
           link, body_bytes, rounds, batch, secs, curl_version_info(CURLVERSION_NOW)->version);
    print_side("ours", wall[0], n, cpu[0], rounds);
    printf(",");
    print_side("theirs", wall[1], n, cpu[1], rounds);
    printf("}\n");

    curl_slist_free_all(c.headers);
    curl_easy_cleanup(c.h);
    curl_global_cleanup();
    free(c.body.p);
    mk_client_free(client);
    for (int s = 0; s < 2; s++) {
        free(wall[s]);
        free(cpu[s]);
    }
    return 0;
}
