/* jbx_platform.h on Linux and macOS: clock_gettime and posix_spawn of /bin/sh, which backgrounds the host and
 * exits at once, so the host never becomes our zombie (the short-lived shell is reaped). */
#define _POSIX_C_SOURCE 200809L
#include "jbx_platform.h"

#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

double jbx_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* $0 is left unquoted on purpose so a multi-word command works; the endpoint
 * is always quoted, so it cannot inject shell syntax. */
static const char *const script =
    "$0 serve --endpoint \"$1\" </dev/null >>\"${TMPDIR:-/tmp}/jukebox-host-autostart.log\" 2>&1 &";

int jbx_spawn_host(const char *program, const char *endpoint, jbx_child *child, char *err, size_t errlen)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, (char *)program, (char *)endpoint, NULL};
    pid_t pid = 0;
    int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
    *child = 0;
    if (rc != 0) {
        snprintf(err, errlen, "cannot start '%s': %s", program, strerror(rc));
        return -1;
    }
    *child = (jbx_child)pid;
    return 0;
}

int jbx_spawn_reap(jbx_child child)
{
    if (child <= 0) return 1;
    int st = 0;
    return waitpid((pid_t)child, &st, WNOHANG) != 0; /* reaped, or ECHILD when SIGCHLD is ignored */
}
