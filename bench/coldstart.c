/* coldstart.c — time from exec to the first GET /next on a Runtime API.
 *
 *   coldstart RUNS BOOTSTRAP [NAME=VALUE ...]
 *
 * For each run: listen on 127.0.0.1 (an ephemeral port), start BOOTSTRAP with
 * AWS_LAMBDA_RUNTIME_API pointing there and only the NAME=VALUE environment
 * given, take the monotonic clock just before posix_spawn() and again once the
 * whole request head of the first GET .../invocation/next has been read, then
 * SIGKILL the child. Prints one line of JSON: every sample, the median, min
 * and max, in milliseconds, and the median CPU time (user + system) the child
 * used up to that request, which a busy machine disturbs less, and the median
 * number of page faults it took (minor + major, from the same rusage). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000
#define MAX_ENV 64

static double s_now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int s_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* One run; returns the time in ms, or a negative number on failure. *cpu_ms
 * gets the child's CPU time (user + system): it is killed while it waits for
 * the answer to GET /next, so that is its CPU time up to that request. */
static double s_run(char *bootstrap, char **extra_env, int n_extra, double *cpu_ms,
                    double *faults)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    char api[64], head[4096], *envp[MAX_ENV + 2], *argv[2];
    int lfd, cfd = -1, one = 1, status;
    size_t got = 0;
    double t0, t1 = -1.0;
    pid_t pid;

    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0)
        return -1.0;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(lfd, 4) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &len) != 0) {
        close(lfd);
        return -1.0;
    }
    snprintf(api, sizeof(api), "AWS_LAMBDA_RUNTIME_API=127.0.0.1:%u", ntohs(addr.sin_port));
    envp[0] = api;
    for (int i = 0; i < n_extra; i++)
        envp[i + 1] = extra_env[i];
    envp[n_extra + 1] = NULL;
    argv[0] = bootstrap;
    argv[1] = NULL;

    t0 = s_now_ms();
    if (posix_spawn(&pid, bootstrap, NULL, NULL, argv, envp) != 0) {
        close(lfd);
        return -1.0;
    }
    {
        struct pollfd p = { lfd, POLLIN, 0 };
        if (poll(&p, 1, 5000) == 1)
            cfd = accept(lfd, NULL, NULL);
    }
    while (cfd >= 0 && got < sizeof(head) - 1) {
        ssize_t n = recv(cfd, head + got, sizeof(head) - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        head[got] = '\0';
        if (strstr(head, "\r\n\r\n")) {
            t1 = s_now_ms();
            break;
        }
    }
    kill(pid, SIGKILL);
    {
        struct rusage ru;
        memset(&ru, 0, sizeof(ru));
        wait4(pid, &status, 0, &ru);
        *cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        *faults = (double)(ru.ru_minflt + ru.ru_majflt);
    }
    if (cfd >= 0)
        close(cfd);
    close(lfd);
    if (t1 < 0 || strncmp(head, "GET /2018-06-01/runtime/invocation/next ", 40) != 0)
        return -1.0;
    return t1 - t0;
}

static double s_median(const double *sorted, int n)
{
    return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    static double ms[MAX_RUNS], cpu[MAX_RUNS], faults[MAX_RUNS], sorted[MAX_RUNS];
    double ignored, ignored_faults;
    int runs, n = 0;

    if (argc < 3 || (runs = atoi(argv[1])) < 1 || runs > MAX_RUNS || argc - 3 > MAX_ENV) {
        fprintf(stderr, "usage: coldstart RUNS BOOTSTRAP [NAME=VALUE ...]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    s_run(argv[2], argv + 3, argc - 3, &ignored, &ignored_faults); /* warm the page cache; not counted */
    for (int i = 0; i < runs; i++) {
        double t = s_run(argv[2], argv + 3, argc - 3, &cpu[n], &faults[n]);
        if (t < 0) {
            fprintf(stderr, "coldstart: run %d: no GET /next from %s\n", i + 1, argv[2]);
            return 1;
        }
        ms[n++] = t;
    }
    memcpy(sorted, ms, sizeof(double) * (size_t)n);
    qsort(sorted, (size_t)n, sizeof(double), s_cmp);
    printf("{\"runs\": %d, \"median_ms\": %.3f, \"min_ms\": %.3f, \"max_ms\": %.3f, ", n,
           s_median(sorted, n), sorted[0], sorted[n - 1]);
    memcpy(sorted, cpu, sizeof(double) * (size_t)n);
    qsort(sorted, (size_t)n, sizeof(double), s_cmp);
    printf("\"cpu_median_ms\": %.3f, ", s_median(sorted, n));
    memcpy(sorted, faults, sizeof(double) * (size_t)n);
    qsort(sorted, (size_t)n, sizeof(double), s_cmp);
    printf("\"faults_median\": %.0f, \"samples_ms\": [", s_median(sorted, n));
    for (int i = 0; i < n; i++)
        printf("%s%.3f", i ? ", " : "", ms[i]);
    printf("]}\n");
    return 0;
}
