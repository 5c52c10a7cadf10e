/* The host processes the POSIX core tests start, stop and key (see jbx_test.h). */
#define _GNU_SOURCE
#include "jbx_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *host_cmd(void)
{
    const char *cmd = getenv("JBX_TEST_HOST_CMD");
    return cmd ? cmd : "python3 -m jukebox_host";
}

pid_t host_start(const char *ep, double secs)
{
    return host_start_args(ep, NULL, NULL, NULL, secs);
}

int host_keygen(const char *folder, const char *name)
{
    char script[1024];
    snprintf(script, sizeof script, "exec %s keygen \"$0\" \"$1\" >/dev/null", host_cmd());
    char *argv[] = {"/bin/sh", "-c", script, (char *)folder, (char *)name, NULL};
    pid_t pid;
    int st = 0;
    if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) return -1;
    if (waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only */
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

pid_t host_start_args(const char *ep, const char *extra_args, const char *server_key,
                      const char *client_key, double secs)
{
    const char *cmd = host_cmd();
    char script[2048];
    snprintf(script, sizeof script, "exec %s serve --endpoint \"$0\" --model tiny %s", cmd,
             extra_args ? extra_args : "");
    char *argv[] = {"/bin/sh", "-c", script, (char *)ep, NULL};
    pid_t pid;
    if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) return -1;
    char err[512];
    jbx_client *c = jbx_client_new(ep, err, sizeof err);
    if (c && server_key && jbx_client_set_curve(c, server_key, client_key, err, sizeof err) != 0) {
        fprintf(stderr, "host_start: %s\n", err);
        jbx_client_free(c);
        c = NULL;
    }
    if (!c) {
        host_kill(pid, SIGKILL);
        return -1;
    }
    rec r = {0};
    jbx_callbacks cb = rec_callbacks(&r);
    double end = test_now() + secs;
    int ok = 0;
    jbx_client_set_timeout(c, 2.0);
    while (!ok && test_now() < end) {
        r.n_error = 0;
        if (jbx_client_ping(c) != 0) {
            fprintf(stderr, "host_start: cannot send ping\n");
            break;
        }
        WAIT_FOR(c, &cb, &r, r.n_pong > 0 || r.n_error > 0, 5.0);
        ok = r.n_pong > 0;
        if (!ok && waitpid(pid, NULL, WNOHANG) == pid) {
            fprintf(stderr, "host_start: '%s' exited\n", cmd);
            pid = -1;
            break;
        }
    }
    jbx_client_free(c);
    rec_free(&r);
    if (!ok) {
        fprintf(stderr, "host_start: no pong from %s\n", ep);
        host_kill(pid, SIGKILL);
        return -1;
    }
    return pid;
}

void host_kill(pid_t pid, int sig)
{
    if (pid <= 0) return;
    kill(pid, sig);
    for (int i = 0; i < 200; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid) return;
        test_sleep(0.05);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

