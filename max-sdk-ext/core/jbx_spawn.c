/* posix_spawn based autostart; see jbx_spawn.h. */
#define _POSIX_C_SOURCE 200809L
#include "jbx_spawn.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

/* $0 is left unquoted on purpose so a multi-word command works; the endpoint
 * is always quoted, so it cannot inject shell syntax. */
static const char *const script =
    "$0 serve --endpoint \"$1\" </dev/null >>\"${TMPDIR:-/tmp}/jukebox-host-autostart.log\" 2>&1 &";

int jbx_spawn_host(const char *program, const char *endpoint, pid_t *pid,
                   char *err, size_t errlen)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, (char *)program, (char *)endpoint, NULL};
    int rc = posix_spawn(pid, "/bin/sh", NULL, NULL, argv, environ);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start '%s': %s", program, strerror(rc));
        *pid = 0;
        return -1;
    }
    return 0;
}

int jbx_spawn_reap(pid_t pid)
{
    if (pid <= 0) return 1;
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == 0) return 0;
    return 1; /* reaped, or ECHILD when SIGCHLD is ignored */
}
