/* What differs per operating system, behind one small interface: a monotonic clock and starting the host
 * (autostart). jbx_platform_posix.c serves Linux and macOS, jbx_platform_win32.c Windows; CMake picks one. */
#ifndef JBX_PLATFORM_H
#define JBX_PLATFORM_H

#include <stddef.h>

/* Seconds on a clock that never goes back (0.0 if it cannot be read). */
double jbx_now(void);

/* A started host, as far as the caller must keep track of it: 0 = nothing to reap. */
typedef long long jbx_child;

/* Starts `<program> serve --endpoint EP` detached from the caller, so the host outlives Max/Pd; its output goes
 * to jukebox-host-autostart.log in the temporary folder ($TMPDIR or /tmp; %TEMP%). program may hold several
 * words ("python3 -m jukebox_host"); the endpoint is passed as one argument, never through a shell's syntax.
 * Returns 0 (*child to be reaped with jbx_spawn_reap), or -1 with err filled in. */
int jbx_spawn_host(const char *program, const char *endpoint, jbx_child *child, char *err, size_t errlen);

/* Non-blocking: 1 when nothing is left to reap (or child is 0), 0 while it still runs. */
int jbx_spawn_reap(jbx_child child);

#endif
