/* What both externals do with the core's news, written once: where each result and variation goes, the one bang
 * per result, and every word of the info outlet and the console. A front (Max, Pd) supplies only its buffer
 * type and its outlets (jbx_front_ops); FluCoMa's one-wrapper-per-host idea, for one object. No Max or Pd headers
 * here. */
#ifndef JBX_FRONT_H
#define JBX_FRONT_H

#include "jbx_client.h"

typedef enum { JBX_ATOM_SYMBOL, JBX_ATOM_INT, JBX_ATOM_FLOAT } jbx_atom_kind;

/* One atom of an info-outlet message; the front turns it into its own (Pd: every number a float). */
typedef struct jbx_atom {
    jbx_atom_kind kind;
    const char *symbol;
    double number;
} jbx_atom;

typedef enum { JBX_CONSOLE_POST, JBX_CONSOLE_WARN, JBX_CONSOLE_ERROR } jbx_console_level;

typedef struct jbx_front_ops {
    const char *buffer_word; /* "buffer~" or "array": what the front's buffers are called in messages */
    /* Writes r into the buffer of `variation` (0: dst; k > 0: the buffer called `name`), as r->place and
     * jbx_result_buffer_frames say. 1 when written, 0 when not (the front has reported why). */
    int (*write)(void *ctx, int variation, const char *name, const jbx_result *r);
    void (*info)(void *ctx, const char *selector, int argc, const jbx_atom *argv);
    void (*progress)(void *ctx, double fraction);
    void (*done)(void *ctx); /* the bang: dst holds the result */
    void (*console)(void *ctx, jbx_console_level level, const char *text);
} jbx_front_ops;

typedef struct jbx_front {
    const jbx_front_ops *ops;
    void *ctx;                                   /* the external, passed back to ops */
    const char *named[JBX_MAX_N_SAMPLES - 1];    /* buffers for variations 2, 3 … ('variations a b …') */
    int n_named;
    int dst_written;                             /* the first variation of this result reached dst */
} jbx_front;

void jbx_front_init(jbx_front *f, const jbx_front_ops *ops, void *ctx);
/* The client's callbacks, all answered through f. */
jbx_callbacks jbx_front_callbacks(jbx_front *f);

/* 'error <code> <message>' on the info outlet and the console ('cancelled' is posted, not an error). */
void jbx_front_report(jbx_front *f, const char *code, const char *message);
/* printf-style line on the console. */
void jbx_front_console(jbx_front *f, jbx_console_level level, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* 'variations a b …' of `given` atoms, the first n of them in names (names[k] NULL for an atom that is no name:
 * skipped); more than JBX_MAX_N_SAMPLES - 1 given are warned of. Names must outlive f (Max and Pd symbols do). */
void jbx_front_set_variations(jbx_front *f, int n, const char *const *names, int given);

/* The messages that are the same everywhere: each reports its failure. */
void jbx_front_cancel(jbx_front *f, jbx_client *c);
void jbx_front_ping(jbx_front *f, jbx_client *c);
void jbx_front_status(jbx_front *f, jbx_client *c);
/* Submits what the front gathered from src (nch 0: nothing needed), reporting a refusal. */
void jbx_front_submit(jbx_front *f, jbx_client *c, const float *const *planes, int nch, long frames,
                      double sample_rate);
/* After a setting was set: reports a refusal (rc != 0, err) and says when CURVE went on or off. */
void jbx_front_setting_done(jbx_front *f, jbx_client *c, int rc, const char *err, int was_curve);
/* "'<name>' is empty" as JBX_LOCAL_EMPTY_BUFFER, "'<name>' not found" as JBX_LOCAL_NO_BUFFER. */
void jbx_front_buffer_missing(jbx_front *f, const char *name);
void jbx_front_buffer_empty(jbx_front *f, const char *name);

#endif
