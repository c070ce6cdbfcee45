/* An out-of-tree C program built only from an installed prefix (pkg-config
 * or CMake): fetches a real identity from the sandbox and checks it. */
#include <moneykit.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what, char *error) {
    fprintf(stderr, "consumer: %s: %s\n", what, error ? error : "(no error JSON)");
    mk_string_free(error);
    return 1;
}

int main(int argc, char **argv) {
    const char *name = argc > 0 ? argv[0] : "consumer";
    mk_client *client = NULL;
    char *json = NULL, *error = NULL;
    int32_t rc;

    if (strcmp(mk_version(), MK_VERSION) != 0) {
        fprintf(stderr, "%s: header %s but library %s\n", name, MK_VERSION, mk_version());
        return 1;
    }
    /* Base URL and credentials come from MONEYKIT_* (set by scripts/with-sandbox.sh). */
    rc = mk_client_new(NULL, NULL, "{\"max_retries\": 0}", &client, &error);
    if (rc != MK_OK) return fail("mk_client_new", error);

    rc = mk_get_identity(client, "mk_sandbox_ok", NULL, 0, &json, &error);
    if (rc != MK_OK) return fail("mk_get_identity", error);
    if (!strstr(json, "\"acc_6Tef269B6ZArSVpYrxtjBV\"") || !strstr(json, "340.12")) {
        fprintf(stderr, "%s: unexpected identity: %.200s\n", name, json);
        return 1;
    }
    mk_string_free(json);
    json = NULL;

    rc = mk_get_identity(client, "mk_sandbox_deleted", NULL, 0, &json, &error);
    if (rc != MK_ERR_LINK_DELETED || json != NULL || error == NULL || !strstr(error, "link_error.deleted")) {
        fprintf(stderr, "%s: expected MK_ERR_LINK_DELETED, got %s\n", name, mk_status_name(rc));
        return 1;
    }
    mk_string_free(error);
    mk_client_free(client);
    printf("%s: ok (moneykit %s, identity of mk_sandbox_ok fetched)\n", name, mk_version());
    return 0;
}
