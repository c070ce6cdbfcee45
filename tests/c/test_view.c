/*
 * C test of the typed view (mk_identity_*), run by `make c-test` under
 * ASan/UBSan and under valgrind:
 *
 *   test_view CORPUS_DIR DUMP_DIR
 *
 * Every accepted body of the conformance corpus is parsed into a view and every
 * field of it is read (view_dump_gen.h, generated from the schema, walks them all)
 * into the canonical dump (schema/README.md), written to DUMP_DIR/NAME.json;
 * tests/c/compare_dumps.py then compares each with NAME.expected.json as JSON
 * values. Each refuse_* body must be refused with its <path>: <problem>. With a
 * sandbox (MONEYKIT_BASE_URL, scripts/with-sandbox.sh), mk_get_identity_view must
 * give the same view as parsing mk_get_identity's JSON, for every fixture link.
 * Misuse (NULLs, a non-handle) must be MK_ERR_INVALID_ARGUMENT.
 */
#include "moneykit.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        checks++;                                                                    \
        if (!(cond)) {                                                               \
            failures++;                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

/* --- a growing text buffer ----------------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
} buf;

static void putn(buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put(buf *b, const char *s) { putn(b, s, strlen(s)); }

/* --- the leaves of the canonical dump (view_dump_gen.h calls these) ------- */

static int mk_str_cmp(mk_str a, mk_str b) {
    size_t n = a.len < b.len ? a.len : b.len;
    int c = memcmp(a.ptr, b.ptr, n);
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

/* A present string: NUL right after its len bytes, and no NUL before unless sent. */
static void check_str(mk_str s) {
    CHECK(s.ptr[s.len] == '\0');
    size_t n = strlen(s.ptr);
    CHECK(n <= s.len);
}

static void dump_str(buf *b, mk_str s) {
    if (!s.ptr) {
        CHECK(s.len == 0);
        put(b, "null");
        return;
    }
    check_str(s);
    put(b, "\"");
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c, esc[2] = 0;
            put(b, esc);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(b, esc);
        } else {
            putn(b, (const char *)&c, 1);
        }
    }
    put(b, "\"");
}

static void dump_raw(buf *b, mk_str s) {
    if (!s.ptr) {
        put(b, "null");
        return;
    }
    check_str(s);
    putn(b, s.ptr, s.len);
}

static void dump_bool(buf *b, mk_opt_bool v) {
    CHECK(v == MK_BOOL_ABSENT || v == MK_BOOL_FALSE || v == MK_BOOL_TRUE);
    put(b, v == MK_BOOL_ABSENT ? "null" : v == MK_BOOL_TRUE ? "true" : "false");
}

/* The decimal's canonical form: plain notation, no exponent, no trailing zeros. */
static void dump_decimal(buf *b, const mk_decimal *d) {
    if (!d->text.ptr) {
        CHECK(isnan(d->value));
        put(b, "null");
        return;
    }
    check_str(d->text);
    CHECK(d->value == strtod(d->text.ptr, NULL));
    const char *t = d->text.ptr;
    size_t n = d->text.len, i = 0, nd = 0;
    char *digits = malloc(n + 1);
    int neg = t[0] == '-';
    i = (size_t)neg;
    while (i < n && t[i] >= '0' && t[i] <= '9') digits[nd++] = t[i++];
    long point = (long)nd;
    if (i < n && t[i] == '.')
        for (i++; i < n && t[i] >= '0' && t[i] <= '9';) digits[nd++] = t[i++];
    if (i < n && (t[i] == 'e' || t[i] == 'E')) point += atol(t + i + 1);
    size_t first = 0, last = nd, o = 0;
    while (first < nd && digits[first] == '0') first++;
    char *out = malloc(nd + (size_t)labs(point) + 4);
    if (first == nd) {
        out[o++] = '0';
    } else {
        while (digits[last - 1] == '0') last--;
        long sig = (long)(last - first);
        point -= (long)first;
        if (neg) out[o++] = '-';
        if (point <= 0) {
            out[o++] = '0', out[o++] = '.';
            for (long k = 0; k < -point; k++) out[o++] = '0';
            for (size_t k = first; k < last; k++) out[o++] = digits[k];
        } else if (point >= sig) {
            for (size_t k = first; k < last; k++) out[o++] = digits[k];
            for (long k = 0; k < point - sig; k++) out[o++] = '0';
        } else {
            for (long k = 0; k < sig; k++) {
                if (k == point) out[o++] = '.';
                out[o++] = digits[first + (size_t)k];
            }
        }
    }
    out[o] = 0;
    put(b, "\"");
    put(b, out);
    put(b, "\"");
    free(digits);
    free(out);
}

/* YYYY-MM-DDTHH:MM:SS.ffffffZ from microseconds since the epoch (H. Hinnant's civil_from_days). */
static void dump_timestamp(buf *b, const mk_timestamp *ts) {
    if (!ts->text.ptr) {
        CHECK(ts->kind == MK_TIMESTAMP_ABSENT && ts->unix_micros == 0 && ts->unix_seconds == 0);
        put(b, "null");
        return;
    }
    check_str(ts->text);
    const char *t = ts->text.ptr;
    size_t n = ts->text.len;
    mk_timestamp_kind want = n == 10 ? MK_TIMESTAMP_DATE_ONLY
                             : (t[n - 1] == 'Z' || t[n - 1] == 'z' || strpbrk(t + 11, "+-")) ? MK_TIMESTAMP_OFFSET
                                                                                             : MK_TIMESTAMP_NO_OFFSET;
    CHECK(ts->kind == want);
    int64_t us = ts->unix_micros, day = us / 86400000000LL, rem = us % 86400000000LL;
    if (rem < 0) rem += 86400000000LL, day--;
    CHECK(ts->unix_seconds * 1000000LL <= us && us < (ts->unix_seconds + 1) * 1000000LL);
    int64_t z = day + 719468, era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    char out[64];
    snprintf(out, sizeof out, "\"%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06lldZ\"", (long long)y, (long long)m,
             (long long)d, (long long)(rem / 3600000000LL), (long long)(rem / 60000000LL % 60),
             (long long)(rem / 1000000LL % 60), (long long)(rem % 1000000LL));
    put(b, out);
}

/* The string as sent; the enum member must be the value's, or UNKNOWN (0) when not known. */
static void dump_enum(buf *b, mk_str s, int32_t value, const char *const *names, size_t count) {
    if (!s.ptr) {
        CHECK(value == 0);
    } else {
        int32_t want = 0;
        for (size_t i = 1; i < count; i++)
            if (strlen(names[i]) == s.len && memcmp(names[i], s.ptr, s.len) == 0) want = (int32_t)i;
        CHECK(value == want);
    }
    dump_str(b, s);
}

#include "view_dump_gen.h"

/* --- helpers --------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) abort();
    p[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* The canonical dump of a handle (caller frees), or NULL. */
static char *dump_of(const mk_identity *id) {
    const mk_identity_response *root = (const mk_identity_response *)1;
    int32_t rc = mk_identity_root(id, &root);
    CHECK(rc == MK_OK && root != NULL);
    if (rc != MK_OK) return NULL;
    buf b = {0};
    dump_mk_identity_response(&b, root);
    return b.p;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* --- the corpus -------------------------------------------------------------- */

static void test_corpus(const char *dir, const char *out_dir) {
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    int accepted = 0, refused = 0;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (!ends_with(name, ".json") || ends_with(name, ".expected.json")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        size_t len = 0;
        char *body = read_file(path, &len);
        CHECK(body != NULL);
        if (!body) continue;
        mk_identity *id = (mk_identity *)1;
        char *err = (char *)1;
        int32_t rc = mk_identity_parse(body, len, &id, &err);
        if (strncmp(name, "refuse_", 7) == 0) {
            refused++;
            CHECK(rc == MK_ERR_DECODE && id == NULL && err != NULL);
            snprintf(path, sizeof path, "%s/%.*s.error", dir, (int)(strlen(name) - 5), name);
            size_t elen = 0;
            char *want = read_file(path, &elen);
            while (want && elen && (want[elen - 1] == '\n' || want[elen - 1] == '\r')) want[--elen] = 0;
            if (want && err && !strstr(err, want)) fprintf(stderr, "%s: %s lacks %s\n", name, err, want);
            CHECK(want && err && strstr(err, want));
            free(want);
        } else {
            accepted++;
            if (rc != MK_OK) fprintf(stderr, "%s: %s\n", name, err ? err : "?");
            CHECK(rc == MK_OK && id != NULL && err == NULL);
            free(body); /* the view keeps its own copy */
            body = NULL;
            char *dump = rc == MK_OK ? dump_of(id) : NULL;
            snprintf(path, sizeof path, "%s/%s", out_dir, name);
            FILE *f = fopen(path, "wb");
            CHECK(f != NULL);
            if (f && dump) fputs(dump, f);
            if (f) fclose(f);
            free(dump);
        }
        mk_string_free(err);
        mk_identity_free(id);
        free(body);
    }
    closedir(d);
    printf("corpus: %d bodies dumped, %d refused\n", accepted, refused);
    CHECK(accepted >= 10 && refused >= 10);
}

static void test_misuse(void) {
    const char *json = "{\"accounts\": [], \"link\": {}}";
    mk_identity *id = (mk_identity *)1;
    char *err = (char *)1;
    CHECK(mk_identity_parse(NULL, 3, &id, &err) == MK_ERR_INVALID_ARGUMENT && id == NULL && err != NULL);
    mk_string_free(err);
    CHECK(mk_identity_parse(json, strlen(json), NULL, NULL) == MK_ERR_INVALID_ARGUMENT);
    /* A body the validator refuses: the view is never built. */
    err = (char *)1;
    CHECK(mk_identity_parse(json, strlen(json), &id, &err) == MK_ERR_DECODE && id == NULL);
    CHECK(err && strstr(err, "link.link_id: required field missing"));
    mk_string_free(err);
    CHECK(mk_identity_parse("\xff", 1, &id, NULL) == MK_ERR_DECODE && id == NULL);

    const mk_identity_response *root = (const mk_identity_response *)1;
    CHECK(mk_identity_root(NULL, &root) == MK_ERR_INVALID_ARGUMENT && root == NULL);
    /* Not a handle (zeroed memory of a plausible size): recognised and refused. */
    static uint64_t not_a_handle[64];
    root = (const mk_identity_response *)1;
    CHECK(mk_identity_root((const mk_identity *)not_a_handle, &root) == MK_ERR_INVALID_ARGUMENT && root == NULL);
    mk_identity_free(NULL);

    const char *ok = "{\"accounts\": [], \"link\": {\"link_id\": \"l\", \"institution_id\": \"i\", "
                     "\"institution_name\": \"\", \"institution_avatar\": \"a\", \"state\": \"new_state\", "
                     "\"provider\": \"plaid\", \"products\": {}, \"available_products\": [], \"tags\": null}}";
    CHECK(mk_identity_parse(ok, strlen(ok), &id, NULL) == MK_OK && id != NULL);
    CHECK(mk_identity_root(id, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_identity_root(id, &root) == MK_OK && root != NULL);
    if (root) {
        CHECK(root->accounts != NULL && root->accounts_len == 0); /* present, empty */
        CHECK(root->link.institution_name.ptr != NULL && root->link.institution_name.len == 0);
        CHECK(root->link.webhook.ptr == NULL);                   /* absent */
        CHECK(root->link.tags == NULL && root->link.tags_len == 0); /* null */
        CHECK(root->link.link_tags == NULL);
        CHECK(root->link.state_enum == MK_LINK_STATE_UNKNOWN && strcmp(root->link.state.ptr, "new_state") == 0);
        CHECK(root->link.provider_enum == MK_PROVIDER_PLAID);
        CHECK(root->link.error_code.ptr == NULL && root->link.error_code_enum == MK_LINK_ERROR_CODE_UNKNOWN);
        CHECK(root->link.last_synced_at.kind == MK_TIMESTAMP_ABSENT);
        CHECK(root->link.products != NULL && root->link.products_len == 0);
    }
    mk_identity_free(id);
}

/* --- against the sandbox ------------------------------------------------------ */

static void test_get_view(void) {
    const char *base = getenv("MONEYKIT_BASE_URL");
    if (!base) {
        printf("no MONEYKIT_BASE_URL: sandbox tests skipped\n");
        return;
    }
    char opts[1024];
    snprintf(opts, sizeof opts, "{\"base_url\": \"%s\", \"retry_base_ms\": 10}", base);
    mk_client *c = NULL;
    CHECK(mk_client_new("sandbox-client", "sandbox-secret", opts, &c, NULL) == MK_OK);
    static const char *links[] = {"mk_sandbox_ok", "mk_sandbox_unicode", "mk_sandbox_minimal",
                                  "mk_sandbox_extra_fields", "mk_sandbox_large", "mk_corpus_numbers_edges",
                                  "mk_corpus_timestamps", "mk_corpus_unknown_fields_and_enums"};
    for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
        char *json = NULL, *err = NULL, *request_id = (char *)1;
        mk_identity *view = (mk_identity *)1, *parsed = NULL;
        int32_t rc = mk_get_identity(c, links[i], NULL, 0, &json, &err);
        CHECK(rc == MK_OK);
        mk_string_free(err);
        err = (char *)1;
        rc = mk_get_identity_view(c, links[i], NULL, 0, 0, NULL, &view, &request_id, &err);
        if (rc != MK_OK) fprintf(stderr, "%s: %s\n", links[i], err ? err : "?");
        CHECK(rc == MK_OK && view != NULL && err == NULL && request_id != NULL);
        CHECK(json && mk_identity_parse(json, strlen(json), &parsed, NULL) == MK_OK);
        char *a = view ? dump_of(view) : NULL, *b = parsed ? dump_of(parsed) : NULL;
        CHECK(a && b && strcmp(a, b) == 0);
        free(a);
        free(b);
        mk_identity_free(view);
        mk_identity_free(parsed);
        mk_string_free(request_id);
        mk_string_free(json);
        mk_string_free(err);
    }
    /* Errors: no handle, the error JSON as with mk_get_identity. */
    mk_identity *view = (mk_identity *)1;
    char *err = NULL, *request_id = (char *)1;
    CHECK(mk_get_identity_view(c, "mk_sandbox_not_found", NULL, 0, 0, NULL, &view, &request_id, &err) ==
          MK_ERR_NOT_FOUND);
    CHECK(view == NULL && request_id == NULL && err && strstr(err, "\"MK_ERR_NOT_FOUND\""));
    mk_string_free(err);
    CHECK(mk_get_identity_view(c, "mk_fault_wrong_shape", NULL, 0, 0, NULL, &view, NULL, NULL) == MK_ERR_DECODE);
    CHECK(view == NULL);
    CHECK(mk_get_identity_view(NULL, "mk_sandbox_ok", NULL, 0, 0, NULL, &view, NULL, NULL) ==
          MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_get_identity_view(c, "mk_sandbox_ok", NULL, 0, 0, NULL, NULL, NULL, NULL) == MK_ERR_INVALID_ARGUMENT);
    CHECK(mk_get_identity_view(c, NULL, NULL, 0, 0, NULL, &view, NULL, NULL) == MK_ERR_INVALID_ARGUMENT && !view);
    mk_client_free(c);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: test_view CORPUS_DIR DUMP_DIR\n");
        return 2;
    }
    test_misuse();
    test_corpus(argv[1], argv[2]);
    test_get_view();
    printf("test_view: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
