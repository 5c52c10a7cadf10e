/* jukebox~ for Max: the object's state and what its files share (jukebox_tilde.c: messages and lifecycle;
 * results.c: outlets, console and buffer~ writes, the ops jbx_front drives; attributes.c: the settings table as
 * attributes). */
#ifndef JUKEBOX_TILDE_H
#define JUKEBOX_TILDE_H

#include "ext.h"
#include "ext_obex.h"
#include "ext_buffer.h"

#include "jbx_client.h"
#include "jbx_front.h"

#define POLL_MS 20.0

typedef struct _jukebox {
    t_object ob;
    t_buffer_ref *src_ref, *dst_ref;
    t_symbol *src, *dst;
    jbx_client *client;
    jbx_front front; /* results, outlets and console words: the core's (jbx_front.h) */
    jbx_callbacks cb;
    t_clock *clock;
    t_qelem *qelem;
    void *out_done, *out_progress, *out_info;
    /* Attributes live in the core (jbx_settings.h), set and read through attributes.c. */
} t_jukebox;

/* results.c */
extern const jbx_front_ops jukebox_max_ops;
void jukebox_report(t_jukebox *x, const char *code, const char *msg);
/* The buffer~ behind ref, or NULL after reporting that `name` is not there. */
t_buffer_obj *jukebox_get_buffer(t_jukebox *x, t_buffer_ref *ref, t_symbol *name);

/* attributes.c: one attribute per setting of jbx_settings.h, each set and read through the core. */
void jukebox_add_attributes(t_class *c);

#endif
