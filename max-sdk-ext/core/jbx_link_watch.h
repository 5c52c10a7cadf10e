/* What became of a socket's handshakes, from libzmq's socket monitor.
 *
 * Why: a DEALER whose CURVE handshake the host refused keeps taking sends and delivers none of them; libzmq
 * does not dial again and says so only on the socket's monitor. Without watching, a refused client learns of it
 * by a timeout (and the first request after its key is allowed could still land in the dead socket). No Max or
 * Pd headers here. */
#ifndef JBX_LINK_WATCH_H
#define JBX_LINK_WATCH_H

/* Handshakes in a row that end without a reason (the peer hung up mid-handshake) before the link counts as
   broken: one is a race a plain client can lose against a CURVE host (it is then told MECHANISM_MISMATCH or
   nothing); every one, 100 ms apart, is a host that cannot read this client's CURVE hello (wrong server key). */
#define JBX_LINK_SILENT_FAILURES 3

typedef enum {
    JBX_LINK_QUIET = 0,        /* nothing decisive */
    JBX_LINK_SERVED,           /* a handshake succeeded: the host takes this socket's messages */
    JBX_LINK_REFUSED_KEY,      /* the host's authenticator refused this client's key (value: its status code) */
    JBX_LINK_REFUSED_PROTOCOL, /* the handshake broke: CURVE on one side only, or not a jukebox-host */
    JBX_LINK_BROKEN            /* JBX_LINK_SILENT_FAILURES handshakes in a row ended without a reason */
} jbx_link_event;

typedef struct jbx_link_watch jbx_link_watch;

/* Starts watching `sock` (before it connects, so no handshake is missed) through an inproc PAIR socket of
 * `zctx`; `seq` makes the inproc name unique within the context. Returns the watch, or NULL (errno set). */
jbx_link_watch *jbx_link_watch_open(void *zctx, void *sock, unsigned seq);

/* Reads what the watch has, without waiting, and returns the newest decisive outcome (JBX_LINK_QUIET when there
 * was none). *value: the event's value (the ZAP status code for REFUSED_KEY). */
jbx_link_event jbx_link_watch_read(jbx_link_watch *w, int *value);

/* Stops watching and frees the watch; NULL is fine. Call it before closing the socket: libzmq sends its events
 * with a blocking send, so a socket that outlives its watch's reading end could stall the context's I/O thread
 * on its closing events, and every other socket of the context with it. */
void jbx_link_watch_stop(jbx_link_watch *w);

#endif
