/* P8: process start to first identity, client side.
 *
 *   p8 child LIBPATH MODE     one measurement: dlopen(LIBPATH) + mk_client_new + first
 *                             mk_get_identity, timed from main() with CLOCK_MONOTONIC;
 *                             MODE "token" (client id + secret: POST /auth/token first) or
 *                             "access_token" (static token option). Prints one line.
 *   p8 LIBPATH RUNS           parent: RUNS child processes per mode, alternating modes;
 *                             also times each child from fork to exit. Prints one JSON line.
 *
 * The sandbox is $MONEYKIT_BASE_URL (scripts/with-sandbox.sh sets it).
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

typedef struct mk_client mk_client;
typedef int32_t (*client_new_fn)(const char *, const char *, const char *, mk_client **, char **);
typedef int32_t (*get_identity_fn)(const mk_client *, const char *, const char *const *, size_t,
                                   char **, char **);
typedef void (*string_free_fn)(char *);
typedef void (*client_free_fn)(mk_client *);

static int child(const char *lib, const char *mode) {
    double t0 = now_us(CLOCK_MONOTONIC);
    const char *base = getenv("MONEYKIT_BASE_URL");
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    client_new_fn client_new = (client_new_fn)(uintptr_t)dlsym(h, "mk_client_new");
    get_identity_fn get_identity = (get_identity_fn)(uintptr_t)dlsym(h, "mk_get_identity");
    string_free_fn string_free = (string_free_fn)(uintptr_t)dlsym(h, "mk_string_free");
    client_free_fn client_free = (client_free_fn)(uintptr_t)dlsym(h, "mk_client_free");
    if (!client_new || !get_identity || !string_free || !client_free) return 1;
    double t1 = now_us(CLOCK_MONOTONIC);

    char opts[512];
    int token = strcmp(mode, "token") == 0;
    if (token)
        snprintf(opts, sizeof opts, "{\"base_url\":\"%s\",\"max_retries\":0}", base);
    else
        snprintf(opts, sizeof opts,
                 "{\"base_url\":\"%s\",\"access_token\":\"sandbox-access-token\","
                 "\"max_retries\":0}",
                 base);
    mk_client *client = NULL;
    char *err = NULL;
    int32_t rc = client_new(token ? "sandbox-client" : NULL, token ? "sandbox-secret" : NULL,
                            opts, &client, &err);
    if (rc) {
        fprintf(stderr, "mk_client_new: %d %s\n", rc, err ? err : "");
        return 1;
    }
    double t2 = now_us(CLOCK_MONOTONIC);
    char *json = NULL;
    rc = get_identity(client, "mk_sandbox_ok", NULL, 0, &json, &err);
    double t3 = now_us(CLOCK_MONOTONIC);
    double cpu = now_us(CLOCK_PROCESS_CPUTIME_ID);
    if (rc) {
        fprintf(stderr, "mk_get_identity: %d %s\n", rc, err ? err : "");
        return 1;
    }
    string_free(json);
    client_free(client);
    printf("%.1f %.1f %.1f %.1f %.1f\n", t1 - t0, t2 - t1, t3 - t2, t3 - t0, cpu);
    return 0;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "child") == 0) return child(argv[2], argv[3]);
    if (argc != 3) {
        fprintf(stderr, "usage: p8 LIBPATH RUNS | p8 child LIBPATH token|access_token\n");
        return 2;
    }
    const char *lib = argv[1];
    int runs = atoi(argv[2]);
    static const char *modes[2] = {"access_token", "token"};
    /* [mode][metric][run]: dlopen, client_new, first_call, total, cpu, fork_to_exit */
    double *m[2][6];
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 6; b++) m[a][b] = calloc((size_t)runs, sizeof(double));
    for (int r = 0; r < runs; r++) {
        for (int j = 0; j < 2; j++) {
            int mode = (r + j) % 2;
            int fds[2];
            if (pipe(fds)) return 1;
            double s = now_us(CLOCK_MONOTONIC);
            pid_t pid = fork();
            if (pid == 0) {
                dup2(fds[1], 1);
                close(fds[0]);
                close(fds[1]);
                execl("/proc/self/exe", argv[0], "child", lib, modes[mode], (char *)NULL);
                _exit(127);
            }
            close(fds[1]);
            char line[256] = {0};
            size_t got = 0;
            ssize_t k;
            while (got < sizeof line - 1 && (k = read(fds[0], line + got, sizeof line - 1 - got)) > 0)
                got += (size_t)k;
            close(fds[0]);
            int st = 0;
            waitpid(pid, &st, 0);
            double e = now_us(CLOCK_MONOTONIC) - s;
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "child failed\n");
                return 1;
            }
            double v[5];
            if (sscanf(line, "%lf %lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3], &v[4]) != 5) return 1;
            for (int b = 0; b < 5; b++) m[mode][b][r] = v[b];
            m[mode][5][r] = e;
        }
    }
    static const char *names[6] = {"dlopen_us", "client_new_us", "first_call_us",
                                   "total_us", "process_cpu_us", "fork_to_exit_us"};
    printf("{\"bench\":\"p8\",\"runs\":%d", runs);
    for (int a = 0; a < 2; a++) {
        printf(",\"%s\":{", modes[a]);
        for (int b = 0; b < 6; b++) printf("%s\"%s\":%.1f", b ? "," : "", names[b], median(m[a][b], runs));
        printf("}");
    }
    printf("}\n");
    return 0;
}
