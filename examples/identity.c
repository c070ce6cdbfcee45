/*
 * identity.c: fetch the owners of a link's accounts and print them.
 *
 *   usage: identity [LINK_ID]        (default: mk_sandbox_ok)
 *
 * Credentials and the server come from the environment: MONEYKIT_CLIENT_ID,
 * MONEYKIT_CLIENT_SECRET and, for the local sandbox, MONEYKIT_BASE_URL
 * (`make demo` sets all three). The library hands back the identity as JSON;
 * this example walks it with a tiny reader so it needs nothing but libc.
 */
#include "moneykit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- a minimal JSON walker, just enough for printing ------------------- */

typedef struct {
    const char *p;
} cursor;

static void skip_ws(cursor *c) {
    while (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t') c->p++;
}

static void skip_value(cursor *c);

/* Prints a JSON string's contents (escapes simplified) if out is non-NULL. */
static void read_string(cursor *c, FILE *out) {
    c->p++; /* opening quote */
    while (*c->p && *c->p != '"') {
        if (*c->p == '\\' && c->p[1]) {
            c->p++;
            if (out) fputc(*c->p == 'n' ? ' ' : *c->p, out);
        } else if (out) {
            fputc(*c->p, out);
        }
        c->p++;
    }
    if (*c->p) c->p++;
}

static void skip_value(cursor *c) {
    skip_ws(c);
    if (*c->p == '"') {
        read_string(c, NULL);
    } else if (*c->p == '{' || *c->p == '[') {
        int depth = 0;
        do {
            if (*c->p == '"') {
                read_string(c, NULL);
                continue;
            }
            if (*c->p == '{' || *c->p == '[') depth++;
            if (*c->p == '}' || *c->p == ']') depth--;
            c->p++;
        } while (*c->p && depth > 0);
    } else {
        while (*c->p && *c->p != ',' && *c->p != '}' && *c->p != ']') c->p++;
    }
}

/* Moves to the value of `key` in the object at the cursor; returns 0 if absent. */
static int find_key(cursor *c, const char *key) {
    skip_ws(c);
    if (*c->p != '{') return 0;
    c->p++;
    for (;;) {
        skip_ws(c);
        if (*c->p != '"') return 0;
        const char *k = c->p + 1;
        read_string(c, NULL);
        size_t klen = (size_t)(c->p - 1 - k);
        skip_ws(c);
        c->p++; /* colon */
        skip_ws(c);
        if (klen == strlen(key) && strncmp(k, key, klen) == 0) return 1;
        skip_value(c);
        skip_ws(c);
        if (*c->p == ',') c->p++;
    }
}

/* Prints the scalar value of `key` in the object starting at `obj`. */
static void print_field(const char *obj, const char *key) {
    cursor c = {obj};
    if (!find_key(&c, key)) return;
    if (*c.p == '"') {
        read_string(&c, stdout);
    } else if (strncmp(c.p, "null", 4) == 0) {
        fputs("-", stdout); /* a field the institution did not provide */
    } else {
        const char *start = c.p;
        skip_value(&c);
        fwrite(start, 1, (size_t)(c.p - start), stdout);
    }
}

/* Calls fn for each element of the array value of `key` in the object at `obj`. */
static void each(const char *obj, const char *key, void (*fn)(const char *elem)) {
    cursor c = {obj};
    if (!find_key(&c, key) || *c.p != '[') return;
    c.p++;
    for (;;) {
        skip_ws(&c);
        if (*c.p == ']' || !*c.p) return;
        fn(c.p);
        skip_value(&c);
        skip_ws(&c);
        if (*c.p == ',') c.p++;
    }
}

/* --- printing ------------------------------------------------------------ */

static void print_name(const char *s) {
    cursor c = {s};
    printf("      name:    ");
    read_string(&c, stdout);
    printf("\n");
}

static void print_email(const char *e) {
    printf("      email:   ");
    print_field(e, "address");
    printf("\n");
}

static void print_phone(const char *ph) {
    printf("      phone:   ");
    print_field(ph, "number");
    printf(" (");
    print_field(ph, "type");
    printf(")\n");
}

static void print_address(const char *a) {
    printf("      address: ");
    print_field(a, "street");
    printf(", ");
    print_field(a, "city");
    printf(" ");
    print_field(a, "region");
    printf(" ");
    print_field(a, "postal_code");
    printf(", ");
    print_field(a, "country");
    printf("\n");
}

static int owner_no;

static void print_owner(const char *o) {
    printf("    owner %d\n", ++owner_no);
    each(o, "names", print_name);
    each(o, "emails", print_email);
    each(o, "phone_numbers", print_phone);
    each(o, "addresses", print_address);
}

static void print_account(const char *a) {
    printf("  account ");
    print_field(a, "account_id");
    printf(": ");
    print_field(a, "name");
    printf(" (");
    print_field(a, "account_type");
    printf(", mask ");
    print_field(a, "account_mask");
    printf(")\n");
    owner_no = 0;
    each(a, "owners", print_owner);
}

int main(int argc, char **argv) {
    const char *link_id = argc > 1 ? argv[1] : "mk_sandbox_ok";
    printf("moneykit-native %s\n", mk_version());

    mk_client *client = NULL;
    char *error = NULL;
    /* NULL id/secret: MONEYKIT_CLIENT_ID / MONEYKIT_CLIENT_SECRET. NULL options: defaults
     * (base URL from MONEYKIT_BASE_URL, else https://api.moneykit.com). */
    int32_t rc = mk_client_new(NULL, NULL, NULL, &client, &error);
    if (rc != MK_OK) {
        fprintf(stderr, "mk_client_new failed: %s\n%s\n", mk_status_name(rc), error ? error : "");
        mk_string_free(error);
        return 1;
    }

    char *json = NULL;
    rc = mk_get_identity(client, link_id, NULL, 0, &json, &error);
    if (rc != MK_OK) {
        /* The error JSON has every key: status, name, message, http_status, error_code, ... */
        fprintf(stderr, "mk_get_identity(%s) failed: %s (%s)\n%s\n", link_id, mk_status_name(rc),
                mk_status_describe(rc), error ? error : "");
        mk_string_free(error);
        mk_client_free(client);
        return 1;
    }

    cursor c = {json};
    if (find_key(&c, "link")) {
        printf("link ");
        print_field(c.p, "link_id");
        printf(" at ");
        print_field(c.p, "institution_name");
        printf("\n");
    }
    each(json, "accounts", print_account);

    mk_string_free(json);
    mk_client_free(client);
    return 0;
}
