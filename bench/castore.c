/* castore.c — what does a trust store cost to build, in a fresh process?
 *
 *   castore FILE...
 *
 * Loads every certificate of every FILE into one X509_STORE the way libcurl
 * loads CURLOPT_CAINFO (X509_STORE_load_file) and prints one line of JSON:
 * the certificates loaded and the wall and CPU time in milliseconds. Run it
 * once per process: OpenSSL's first certificate decode sets up its decoders,
 * and trailwatch pays that too. Built like the shipped bootstrap (static,
 * musl, the same OpenSSL). */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <time.h>

static double s_ms(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    X509_STORE *store;
    STACK_OF(X509_OBJECT) *objs;
    double t0, c0, t1, c1;
    int n = 0;

    if (argc < 2) {
        fputs("usage: castore FILE...\n", stderr);
        return 2;
    }
    /* What curl_global_init does first; not part of the store's cost. */
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL);
    t0 = s_ms(CLOCK_MONOTONIC);
    c0 = s_ms(CLOCK_PROCESS_CPUTIME_ID);
    store = X509_STORE_new();
    for (int i = 1; i < argc && store; i++) {
        if (!X509_STORE_load_file(store, argv[i])) {
            fprintf(stderr, "castore: cannot load %s\n", argv[i]);
            X509_STORE_free(store);
            return 1;
        }
    }
    t1 = s_ms(CLOCK_MONOTONIC);
    c1 = s_ms(CLOCK_PROCESS_CPUTIME_ID);
    if (!store)
        return 1;
    objs = X509_STORE_get0_objects(store);
    for (int i = 0; i < sk_X509_OBJECT_num(objs); i++)
        n += X509_OBJECT_get_type(sk_X509_OBJECT_value(objs, i)) == X509_LU_X509;
    printf("{\"certificates\": %d, \"ms\": %.3f, \"cpu_ms\": %.3f}\n", n, t1 - t0, c1 - c0);
    X509_STORE_free(store);
    return 0;
}
