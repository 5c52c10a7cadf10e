/* Autostart: launch `<program> serve --endpoint EP` detached from the caller. */
#ifndef JBX_SPAWN_H
#define JBX_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/* Starts /bin/sh, which backgrounds the host and exits at once, so the host
 * outlives Max/Pd and never becomes our zombie. program may hold several words
 * (e.g. "python3 -m jukebox_host"). The host's output goes to
 * $TMPDIR/jukebox-host-autostart.log. *pid is the short-lived shell: reap it
 * with jbx_spawn_reap. Returns 0, or -1 with err filled in. */
int jbx_spawn_host(const char *program, const char *endpoint, pid_t *pid,
                   char *err, size_t errlen);

/* Non-blocking reap of the shell; returns 1 when it has gone (or pid <= 0). */
int jbx_spawn_reap(pid_t pid);

#endif
