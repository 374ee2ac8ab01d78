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
 * number of page faults it took (minor + major, from the same rusage).
 *
 * rusage counts a page the kernel maps on request (madvise(MADV_POPULATE_*),
 * as src/start.c asks for) as a fault too, although no trap was taken. So a
 * few more runs (TRAP_RUNS, untimed) count the traps alone: the child is
 * forked, a software page-fault counter (perf_event_open, enabled at its
 * exec) is attached, and only then does it exec the bootstrap. "traps_median"
 * is -1 where the kernel refuses the counter. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000
#define MAX_ENV 64
#define TRAP_RUNS 9

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

/* A page-fault counter for `pid`, enabled when it execs; -1 if refused. */
static int s_trap_counter(pid_t pid)
{
    struct perf_event_attr a;

    memset(&a, 0, sizeof(a));
    a.type = PERF_TYPE_SOFTWARE;
    a.size = sizeof(a);
    a.config = PERF_COUNT_SW_PAGE_FAULTS;
    a.disabled = 1;
    a.enable_on_exec = 1;
    return (int)syscall(SYS_perf_event_open, &a, pid, -1, -1, 0);
}

/* Starts the child: posix_spawn when `traps` is NULL (the timed runs);
 * otherwise fork, attach the trap counter, then exec (*traps_fd gets it). */
static pid_t s_start(char *bootstrap, char **argv, char **envp, int *traps_fd)
{
    int go[2];
    pid_t pid;
    char c = 0;

    if (!traps_fd) {
        if (posix_spawn(&pid, bootstrap, NULL, NULL, argv, envp) != 0)
            return -1;
        return pid;
    }
    if (pipe(go) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        close(go[1]);
        if (read(go[0], &c, 1) == 1)
            execve(bootstrap, argv, envp);
        _exit(127);
    }
    close(go[0]);
    *traps_fd = pid > 0 ? s_trap_counter(pid) : -1;
    if (pid > 0 && write(go[1], &c, 1) != 1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        pid = -1;
    }
    close(go[1]);
    return pid;
}

/* One run; returns the time in ms, or a negative number on failure. *cpu_ms
 * gets the child's CPU time (user + system): it is killed while it waits for
 * the answer to GET /next, so that is its CPU time up to that request. With
 * `traps`, the child is started under the trap counter (s_start) and *traps
 * gets the faults it took, or -1; the time is then not a cold-start sample. */
static double s_run(char *bootstrap, char **extra_env, int n_extra, double *cpu_ms,
                    double *faults, double *traps)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    char api[64], head[4096], *envp[MAX_ENV + 2], *argv[2];
    int lfd, cfd = -1, one = 1, status, traps_fd = -1;
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
    pid = s_start(bootstrap, argv, envp, traps ? &traps_fd : NULL);
    if (pid < 0) {
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
    if (traps) {
        unsigned long long n = 0;
        *traps = traps_fd >= 0 && read(traps_fd, &n, sizeof(n)) == (ssize_t)sizeof(n) ? (double)n
                                                                                      : -1.0;
        if (traps_fd >= 0)
            close(traps_fd);
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
    static double ms[MAX_RUNS], cpu[MAX_RUNS], faults[MAX_RUNS], sorted[MAX_RUNS], traps[TRAP_RUNS];
    double ignored, ignored_faults;
    int runs, n = 0;

    if (argc < 3 || (runs = atoi(argv[1])) < 1 || runs > MAX_RUNS || argc - 3 > MAX_ENV) {
        fprintf(stderr, "usage: coldstart RUNS BOOTSTRAP [NAME=VALUE ...]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    s_run(argv[2], argv + 3, argc - 3, &ignored, &ignored_faults, NULL); /* warm the page cache */
    for (int i = 0; i < runs; i++) {
        double t = s_run(argv[2], argv + 3, argc - 3, &cpu[n], &faults[n], NULL);
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
    printf("\"faults_median\": %.0f, ", s_median(sorted, n));
    for (int i = 0; i < TRAP_RUNS; i++) {
        if (s_run(argv[2], argv + 3, argc - 3, &ignored, &ignored_faults, &traps[i]) < 0) {
            fprintf(stderr, "coldstart: trap run %d: no GET /next from %s\n", i + 1, argv[2]);
            return 1;
        }
    }
    qsort(traps, TRAP_RUNS, sizeof(double), s_cmp);
    printf("\"traps_median\": %.0f, \"samples_ms\": [", traps[0] < 0 ? -1.0 : s_median(traps, TRAP_RUNS));
    for (int i = 0; i < n; i++)
        printf("%s%.3f", i ? ", " : "", ms[i]);
    printf("]}\n");
    return 0;
}
