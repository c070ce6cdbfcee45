/*
 * identity.c: fetch the owners of a link's accounts and print them.
 *
 *   usage: identity [LINK_ID]        (default: mk_sandbox_ok)
 *
 * Credentials and the server come from the environment: MONEYKIT_CLIENT_ID,
 * MONEYKIT_CLIENT_SECRET and, for the local sandbox, MONEYKIT_BASE_URL
 * (`make demo` sets all three). mk_get_identity_view hands back a typed,
 * read-only view of the identity: plain C structs, strings as UTF-8 exactly as
 * sent, amounts as exact decimal text. No JSON parsing here.
 */
#include "moneykit.h"

#include <stdio.h>
#include <string.h>

/* A string of the view, or "-" when the institution did not provide it. */
static void print_str(mk_str s) {
    if (s.ptr)
        fwrite(s.ptr, 1, s.len, stdout);
    else
        fputs("-", stdout);
}

static void print_owner(const mk_owner *o, size_t n) {
    printf("    owner %zu\n", n);
    for (size_t i = 0; i < o->names_len; i++) {
        printf("      name:    ");
        print_str(o->names[i]);
        printf("\n");
    }
    for (size_t i = 0; i < o->emails_len; i++) {
        printf("      email:   ");
        print_str(o->emails[i].address);
        printf("\n");
    }
    for (size_t i = 0; i < o->phone_numbers_len; i++) {
        printf("      phone:   ");
        print_str(o->phone_numbers[i].number);
        printf(" (");
        print_str(o->phone_numbers[i].type);
        printf(")\n");
    }
    for (size_t i = 0; i < o->addresses_len; i++) {
        const mk_address *a = &o->addresses[i];
        printf("      address: ");
        print_str(a->street);
        printf(", ");
        print_str(a->city);
        printf(" ");
        print_str(a->region);
        printf(" ");
        print_str(a->postal_code);
        printf(", ");
        print_str(a->country);
        printf("\n");
    }
}

static void print_account(const mk_account *a) {
    printf("  account ");
    print_str(a->account_id);
    printf(": ");
    print_str(a->name);
    printf(" (");
    print_str(a->account_type);
    printf(", mask ");
    print_str(a->account_mask);
    printf(")\n");
    if (a->balances.current.text.ptr) { /* the exact amount as sent, never rounded */
        printf("    current balance: ");
        print_str(a->balances.current.text);
        printf(" ");
        print_str(a->balances.currency);
        printf("\n");
    }
    for (size_t i = 0; i < a->owners_len; i++) print_owner(&a->owners[i], i + 1);
}

/* Owner match: does the account belong to the person a user claims to be? The claim is
 * written differently from mk_sandbox_ok's first owner (José Álvarez, +14155550123,
 * jose.alvarez@example.com, 1234 Valencia St Apt 5, San Francisco CA 94110, US).
 * mk_match_owners takes the identity as JSON, so this fetches it with mk_get_identity. */
static int show_match(const mk_client *client, const char *link_id) {
    const char *claim = "{\"name\": \"ALVAREZ, Jose\", \"email\": \"Jose.Alvarez@Example.COM\","
                        " \"phone\": \"(415) 555-0123\", \"address\": {\"street\":"
                        " \"1234 Valencia Street, Apartment 5\", \"postal_code\": \"94110-1234\","
                        " \"country\": \"USA\"}}";
    char *json = NULL, *result = NULL, *error = NULL;
    int32_t rc = mk_get_identity(client, link_id, NULL, 0, &json, &error);
    if (rc == MK_OK) rc = mk_match_owners(json, claim, &result, &error);
    mk_string_free(json);
    if (rc != MK_OK) {
        fprintf(stderr, "owner match failed: %s\n%s\n", mk_status_name(rc), error ? error : "");
        mk_string_free(error);
        return 1;
    }
    printf("match of the claim %s\n", claim);
    /* The result's first key is "best": that account's score, owner and field scores (an
     * object without strings holding braces), printed as it is. */
    const char *best = strstr(result, "\"best\":");
    const char *end = best;
    for (int depth = 0; end && *end; end++) {
        if (*end == '{') depth++;
        if (*end == '}' && --depth == 0) break;
    }
    if (best && end && *end) printf("  %.*s\n", (int)(end - best + 1), best);
    mk_string_free(result);
    return 0;
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

    /* No account filter, no per-call timeout or cancel handle, no request id wanted. */
    mk_identity *identity = NULL;
    rc = mk_get_identity_view(client, link_id, NULL, 0, 0, NULL, &identity, NULL, &error);
    if (rc != MK_OK) {
        /* The error JSON has every key: status, name, message, http_status, error_code, ... */
        fprintf(stderr, "mk_get_identity_view(%s) failed: %s (%s)\n%s\n", link_id, mk_status_name(rc),
                mk_status_describe(rc), error ? error : "");
        mk_string_free(error);
        mk_client_free(client);
        return 1;
    }

    /* Everything reachable from root lives until mk_identity_free. */
    const mk_identity_response *root = NULL;
    mk_identity_root(identity, &root);
    printf("link ");
    print_str(root->link.link_id);
    printf(" at ");
    print_str(root->link.institution_name);
    printf("\n");
    for (size_t i = 0; i < root->accounts_len; i++) print_account(&root->accounts[i]);

    mk_identity_free(identity);
    /* The claim is written for mk_sandbox_ok's first owner: match it there only. */
    int status = strcmp(link_id, "mk_sandbox_ok") == 0 ? show_match(client, link_id) : 0;
    mk_client_free(client);
    return status;
}
