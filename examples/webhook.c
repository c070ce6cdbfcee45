/*
 * webhook.c: verify one MoneyKit webhook delivery and say what to answer.
 *
 *   usage: webhook [SIGNATURE] < BODY
 *
 * SIGNATURE is the request's MoneyKit-Signature header (left out: the request
 * had none); the body is read from stdin, exactly as received. The keys come
 * from {MONEYKIT_BASE_URL}/.well-known/jwks.json through a client made from
 * the environment (MONEYKIT_CLIENT_ID, MONEYKIT_CLIENT_SECRET; `make
 * c-example` runs it against the sandbox). An HTTP server would call
 * handle_delivery() for each POST and answer with the status it returns.
 */
#include "moneykit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The application's work for a new event; non-zero when it succeeded. */
static int handle_event(const char *type, const char *event_json) {
    printf("event %s: %zu bytes\n", type ? type : "?", strlen(event_json));
    return 1;
}

/* The error JSON's "reason" (a real program reads it with its JSON library). */
static void print_reason(const char *error_json) {
    const char *r = error_json ? strstr(error_json, "\"reason\":\"") : NULL;
    if (!r) return;
    r += strlen("\"reason\":\"");
    const char *end = strchr(r, '"');
    if (end) printf(" (reason %.*s)", (int)(end - r), r);
}

/* Verifies a delivery and returns the HTTP status to answer it with. */
static int handle_delivery(const mk_webhook_verifier *v, const char *signature, const char *body,
                           size_t body_len) {
    char *event = NULL, *type = NULL, *key = NULL, *err = NULL;
    int answer;
    int32_t rc = mk_webhook_verify(v, signature, body, body_len, NULL, &event, &type, &key, &err);
    if (rc == MK_OK) {
        int ok = handle_event(type, event);
        mk_webhook_done(v, key, ok, NULL); /* ok: remembered; failed: the retry is handled */
        answer = ok ? 200 : 500;
    } else if (rc == MK_WEBHOOK_DUPLICATE) {
        answer = 200; /* handled before: not again */
    } else if (rc == MK_WEBHOOK_IN_FLIGHT) {
        answer = 409; /* a copy is being handled: MoneyKit retries later */
    } else if (rc == MK_ERR_SIGNATURE) {
        answer = 400; /* not genuine */
        printf("refused: %s", mk_status_name(rc));
        print_reason(err);
        printf("\n");
    } else {
        answer = 503; /* keys could not be fetched, ...: MoneyKit retries */
        printf("not verified: %s\n", mk_status_name(rc));
    }
    mk_string_free(event);
    mk_string_free(type);
    mk_string_free(key);
    mk_string_free(err);
    return answer;
}

int main(int argc, char **argv) {
    const char *signature = argc > 1 ? argv[1] : NULL;
    size_t cap = 4096, len = 0, n;
    char *body = malloc(cap);
    if (!body) return 1;
    while ((n = fread(body + len, 1, cap - len, stdin)) > 0) {
        len += n;
        if (len == cap) {
            char *bigger = realloc(body, cap *= 2);
            if (!bigger) {
                free(body);
                return 1;
            }
            body = bigger;
        }
    }

    mk_client *client = NULL;
    mk_webhook_verifier *verifier = NULL;
    char *err = NULL;
    int status = 1;
    if (mk_client_new(NULL, NULL, NULL, &client, &err) != MK_OK ||
        mk_webhook_verifier_new(client, NULL, &verifier, &err) != MK_OK) {
        fprintf(stderr, "setup failed: %s\n", err ? err : "?");
    } else {
        printf("answer %d\n", handle_delivery(verifier, signature, body, len));
        status = 0;
    }
    mk_string_free(err);
    mk_webhook_verifier_free(verifier); /* before its client */
    mk_client_free(client);
    free(body);
    return status;
}
