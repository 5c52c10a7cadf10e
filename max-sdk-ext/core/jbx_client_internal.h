/* The client's state and the functions its files share; not for the fronts (see jbx_client.h). The client is
 * split by job: jbx_client.c (lifecycle and settings), jbx_connection.c (the socket: dial, send, watch),
 * jbx_requests.c (submit, echo, cancel, ping, status), jbx_replies.c (what comes back), jbx_chain.c (a chain's
 * next link) and jbx_heartbeat.c (pings, timeouts, autostart). */
#ifndef JBX_CLIENT_INTERNAL_H
#define JBX_CLIENT_INTERNAL_H

#include "jbx_client.h"
#include "jbx_keys.h"
#include "jbx_link_watch.h"
#include "jbx_msg.h"
#include "jbx_platform.h"

/* Seconds between closing a failed connection and dialling again with the same routing id: a host that has not
   yet read the old connection's end ignores a new one with its id (docs/PROTOCOL.md, "Identity"). */
#define JBX_REDIAL_PAUSE 0.25
/* Bytes of the routing id a client chooses for itself (see jbx_conn_make_routing_id). */
#define JBX_ROUTING_ID_BYTES 16

struct jbx_client {
    void *zctx;
    void *sock;            /* NULL between a failed connection's close and the redial (see jbx_conn_hang_up) */
    jbx_link_watch *watch; /* sock's handshakes (see jbx_link_watch.h); stopped with it */
    unsigned watch_seq;    /* numbers the watchers' inproc names */
    double redial_at;      /* when to dial again while sock is NULL (DBL_MAX: at the next request) */
    double opened_at;      /* when sock was opened: a connection younger than the timeout is not hung up */
    char *endpoint;
    jbx_params params;
    int autostart;
    char *host_command;
    double timeout;

    long long next_id;
    long long job_id;      /* -1: no job in flight */
    int job_is_echo;
    long chain_left;       /* continue jobs still to run after this one (setting chain) */
    int job_is_link;       /* the job in flight is one: its audio goes at the piece's end, less its overlap */
    long long piece_frames; /* frames of the piece dst holds: the last result, and the links after it */
    int job_started;       /* "running" announced */
    long long ping_id;     /* -1: no user ping waiting */
    long long status_id;   /* -1: no status request waiting */
    long long hello_id;
    long long watch_id;    /* -1: no status asked about the job waiting */
    int job_missing;       /* status answers in a row that did not list the job */
    double job_news;       /* last message about the job (or its submission) */
    double watch_sent;     /* when watch_id was asked */
    double waiting_since;  /* when the oldest outstanding request was sent */
    double ping_sent;      /* when the user's ping (ping_id) was sent: its own deadline, whatever else arrives */
    double status_sent;    /* the same for status_id */
    int lost;              /* the host was lost and the socket reopened; "back" not told yet */
    double last_rx;        /* last message from the host */
    double last_ping;      /* last heartbeat ping sent */
    int host_alive;        /* heard from the host since the last timeout/bye */

    jbx_child spawn_child; /* autostart's child still to reap (0: none) */
    double spawn_time;     /* < 0: never spawned */

    char routing_id[JBX_ROUTING_ID_BYTES]; /* this client's, kept across reopened sockets (see jbx_conn_make_routing_id) */
    int has_routing_id;

    int curve;             /* CURVE keys below are set on every socket */
    unsigned char curve_server[JBX_KEY_BYTES]; /* the host's public key */
    unsigned char curve_public[JBX_KEY_BYTES]; /* this client's pair */
    unsigned char curve_secret[JBX_KEY_BYTES];
};

char *jbx_dup_str(const char *s);
/* 1 while a job, a user's ping or a status waits for the host. */
int jbx_pending(const jbx_client *c);
/* Starts the clock of a first outstanding request (the timeout counts from it). */
void jbx_mark_waiting(jbx_client *c);

/* jbx_connection.c */
void jbx_conn_make_routing_id(jbx_client *c);
int jbx_conn_open(jbx_client *c, const char *endpoint, char *err, size_t errlen);
void jbx_conn_close(jbx_client *c);
int jbx_conn_reopen(jbx_client *c);
void jbx_conn_hang_up(jbx_client *c);
int jbx_conn_send(jbx_client *c, const jbx_field *f, size_t n, const float *const *planes, int nch, long frames,
                  char *err, size_t errlen);
int jbx_conn_send_simple(jbx_client *c, const char *type, long long id, const char *extra_key, long long extra,
                         char *err, size_t errlen);
void jbx_conn_send_hello(jbx_client *c);
void jbx_conn_watch_link(jbx_client *c, const jbx_callbacks *cb);

/* jbx_requests.c */
void jbx_job_drop(jbx_client *c);
/* Sends a generate (or echo) from the settings; link: a chain's next link (mode continue, new_only), the mode
   setting itself left as it is. The request id, or -1 with err filled in. */
long long jbx_job_submit(jbx_client *c, const char *type, int link, const float *const *ch, int nch, long frames,
                         double sr, char *err, size_t errlen);

/* jbx_replies.c */
void jbx_emit_error(const jbx_callbacks *cb, const char *code, const char *msg);
void jbx_emit_state(const jbx_callbacks *cb, const char *state);

/* jbx_chain.c */
void jbx_chain_next(jbx_client *c, const jbx_callbacks *cb, double sample_rate);

/* jbx_heartbeat.c */
void jbx_end_waiting(jbx_client *c, const jbx_callbacks *cb, const char *code, const char *msg);

#endif
