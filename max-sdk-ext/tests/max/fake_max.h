/* A stand-in for the parts of the Max API jukebox~ uses, so the Max external's
 * logic (buffers, attributes, outlets, clocks/qelems/defer) runs in a plain
 * test program. Not Max: no threads, no audio; just enough, checked strictly. */
#ifndef FAKE_MAX_H
#define FAKE_MAX_H

#include "ext.h"
#include "ext_obex.h"

/* Every outlet message and console line, one per line: "outN sel args",
 * "post: ...", "error: ...". Outlets are numbered in creation order. */
const char *fake_log(void);
void fake_log_clear(void);

/* A buffer~ named name with frames x nch interleaved samples at sr. */
float *fake_buffer_new(const char *name, long frames, long nch, double sr);
long fake_buffer_frames(const char *name);
long fake_buffer_channels(const char *name);
float *fake_buffer_samples(const char *name);

/* Instantiates a registered class with A_GIMME arguments given as text
 * ("src dst @length 2"), numbers become floats/longs. */
void *fake_new(const char *class_name, const char *args);
/* Sends a message to x ("bang", "set a b", "cancel", "@length 60" for an attribute). */
void fake_send(void *x, const char *msg);
/* An attribute's value as its getter gives it, as text ("2", "0.5", "tiny"). */
const char *fake_get(void *x, const char *name);
/* Runs clocks, qelems and deferred calls until until() is true or secs pass. */
int fake_run(double secs, int (*until)(void));
/* 0 makes systhread_ismainthread() say "scheduler thread". */
void fake_set_main_thread(int on);
int fake_deferred_count(void);
/* Frees the fake runtime's own allocations (symbols excepted). */
void fake_shutdown(void);

#endif
