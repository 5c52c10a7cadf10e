/* Host-agnostic jukebox~ client: one ZeroMQ DEALER talking protocol v1
 * (docs/PROTOCOL.md) to `jukebox-host serve`. No Max or Pd headers here.
 *
 * Threading: a jbx_client is not thread-safe. Max and Pd call every function
 * from their main thread; nothing here blocks (all sockets use ZMQ_DONTWAIT).
 * Events come only from jbx_client_poll() and jbx_client_tick(); callbacks may
 * call jbx_client_submit/cancel/ping/status but must not free the client. */
#ifndef JBX_CLIENT_H
#define JBX_CLIENT_H

#include <stddef.h>

#include "jbx_params.h"
#include "jbx_protocol.h"

/* Error codes made on the client side (the host's codes are JBX_ERR_*). */
#define JBX_LOCAL_TIMEOUT "timeout"       /* host not responding */
#define JBX_LOCAL_SEND "send_failed"      /* ZeroMQ refused the message */
#define JBX_LOCAL_BAD_REQUEST "bad_request" /* refused before sending (jbx_client_submit) */
#define JBX_LOCAL_BAD_REPLY "bad_reply"   /* host sent something malformed */
#define JBX_LOCAL_AUTOSTART "autostart"   /* spawning jukebox-host failed */
#define JBX_LOCAL_LOST "lost"             /* the host answers but no longer has the job */
#define JBX_LOCAL_CHAIN_FULL "chain_full" /* a chain stopped: dst would pass JBX_MAX_PIECE_SECONDS */
#define JBX_LOCAL_REFUSED "refused"       /* the host refused the handshake (CURVE key not allowed, keys on one side) */
/* The externals' own conditions, the same code in Max and Pd (a Pd array is a buffer here). */
#define JBX_LOCAL_NO_BUFFER "no_buffer"       /* the source or destination buffer~/array is not there */
#define JBX_LOCAL_EMPTY_BUFFER "empty_buffer" /* the source holds no samples */
#define JBX_LOCAL_BAD_SETTING "bad_setting"   /* a setting's value was refused (it stays as it was) */
#define JBX_LOCAL_NO_MEMORY "no_memory"

/* The most a chain appends to dst: the piece (first result and links) stays under an hour. */
#define JBX_MAX_PIECE_SECONDS 3600
/* Heartbeat ping interval while something is in flight. */
#define JBX_PING_INTERVAL 1.0
/* Seconds without news of a job before the client asks the host (status) whether it still has it, and the
 * pause before asking again when it did not: two answers without the job end it with JBX_LOCAL_LOST (one
 * is not enough: a job that has just ended leaves the host's list before its result arrives). */
#define JBX_JOB_CHECK 5.0
#define JBX_JOB_LOST_GRACE 3.0
/* Extra patience after autostart (model loading). */
#define JBX_AUTOSTART_GRACE 60.0

typedef struct jbx_client jbx_client;

/* What a result message is. */
typedef enum {
    JBX_RESULT_PREVIEW = 0, /* the top level's audio while lower levels still sample (setting preview) */
    JBX_RESULT_CHUNK,       /* a stretch of the result while the last level samples (setting stream); never the end */
    JBX_RESULT_FINAL        /* the job's last message (each of its variations) */
} jbx_result_kind;

/* Where a result goes in its buffer: the one placement rule both externals follow. */
typedef enum {
    JBX_PLACE_WHOLE = 0, /* the buffer becomes this audio: resized to its length */
    JBX_PLACE_AT,        /* written from frame `start`, the buffer grown to hold it, what lies before kept (a chunk,
                            a chain link's audio at the piece's end) */
    JBX_PLACE_NONE       /* nothing to write: the chunks before it held all the audio (a streamed job's end;
                            planes are NULL) */
} jbx_place;

/* A result as delivered to the result callback. planes[c][i] is sample i of
 * channel c. The client owns planes: they are valid only during the callback;
 * copy what you keep. */
typedef struct jbx_result {
    jbx_result_kind kind;
    jbx_place place;
    long start;         /* JBX_PLACE_AT: its first frame in the buffer */
    double sample_rate;
    int channels;
    long frames;
    int level;
    double seconds;     /* host compute time */
    const float *const *planes;
    int variation;      /* 0-based: n_samples > 1 delivers variations 0 .. variations-1 in turn, */
    int variations;     /* one callback each */
    double final_seconds; /* JBX_RESULT_CHUNK: seconds of final audio sent so far, this chunk included (-1: */
    double final_rate;    /* not said), and how fast it grows, in seconds per second (docs/PROTOCOL.md) */
} jbx_result;

/* 1 for the callback that ends the job: the final result's last variation (the externals' one bang). */
int jbx_result_ends_job(const jbx_result *r);
/* The length a buffer now `have` frames long must have to take r (jbx_place's rule), and where r's first frame
 * goes in it (*offset). */
long jbx_result_buffer_frames(const jbx_result *r, long have, long *offset);

typedef struct jbx_status {
    char device[64];
    long queue;
    long running;       /* job id, -1 when nothing runs */
    int running_client; /* 1 when the running job is this client's */
    char models[512];   /* loaded model names separated by spaces */
} jbx_status;

/* Every callback is optional (NULL = ignored). ctx is passed back unchanged. */
typedef struct jbx_callbacks {
    void *ctx;
    void (*progress)(void *ctx, double fraction, int level, const char *stage);
    void (*result)(void *ctx, const jbx_result *r);
    void (*error)(void *ctx, const char *code, const char *message);
    /* "idle", "queued", "running" or "done" */
    void (*state)(void *ctx, const char *state);
    void (*pong)(void *ctx, double host_time);
    void (*status)(void *ctx, const jbx_status *s);
    /* The connection: up 0 once when the host stopped answering and the client dialled again (the next request
       goes out on the new connection), up 1 once when it answers again. endpoint: where. */
    void (*host)(void *ctx, int up, const char *endpoint);
} jbx_callbacks;

/* Creates the client and connects (ZeroMQ connects lazily: a host that is not
 * running is no error here). endpoint NULL = JBX_DEFAULT_ENDPOINT. Returns NULL
 * and writes a message into err on failure. */
jbx_client *jbx_client_new(const char *endpoint, char *err, size_t errlen);
void jbx_client_free(jbx_client *c);

/* Reconnects to another endpoint, abandoning any job in flight. 0 or -1. */
int jbx_client_set_endpoint(jbx_client *c, const char *endpoint, char *err, size_t errlen);
const char *jbx_client_endpoint(const jbx_client *c);

/* CURVE authentication (needed when the host is not on this machine: a host
 * bound off loopback accepts only CURVE clients in its allow-list).
 * server_public_key_file: the host's public certificate (NAME.key);
 * client_secret_key_file: this client's certificate with its secret key
 * (NAME.key_secret), both as written by `jukebox-host keygen FOLDER NAME`.
 * The keys are set on the socket, which is re-created (abandoning any job in
 * flight, like jbx_client_set_endpoint) and kept for later endpoints. Both
 * NULL (or empty) turns CURVE off. 0, or -1 with err filled in (missing file,
 * no or malformed key, a public .key given as the secret one); on error the
 * previous keys stay in use. A host that refuses the keys (a key not in its
 * allow list, keys on one side only, the wrong host key) is reported at once:
 * whatever waits ends with JBX_LOCAL_REFUSED and the reason, and the next
 * request dials again. Secret bytes are wiped on free. */
int jbx_client_set_curve(jbx_client *c, const char *server_public_key_file,
                         const char *client_secret_key_file, char *err, size_t errlen);
/* 1 while CURVE is on. */
int jbx_client_curve(const jbx_client *c);

/* The settings (jbx_settings.h), by id: what the externals' messages and attributes set. WIRE settings are read
 * when a job is submitted; CLIENT ones act now (host reconnects, the key files turn CURVE on or off, …). A
 * refused value (out of range, an endpoint that does not parse, a key file that cannot be read) leaves the
 * setting as it was: -1 with err filled in. Unset: the table's fallback (the host's default for WIRE ones). */
int jbx_client_set_text(jbx_client *c, int id, const char *text, char *err, size_t errlen);
int jbx_client_set_number(jbx_client *c, int id, double number, char *err, size_t errlen);
int jbx_client_unset(jbx_client *c, int id, char *err, size_t errlen);
/* The values, read-only (jbx_params_number / jbx_params_text); also out_sample_rate and out_channels, which
 * the fronts set from the destination. */
jbx_params *jbx_client_params(jbx_client *c);

/* The CLIENT settings' effects, for callers without the table (the C tests). */
void jbx_client_set_autostart(jbx_client *c, int on);
void jbx_client_set_host_command(jbx_client *c, const char *program);
void jbx_client_set_timeout(jbx_client *c, double seconds);

/* Starts a generate job with the given channels (copied into the message
 * before returning, so the caller may unlock its buffer right after).
 * nch may be 0 for ancestral mode. A job already in flight is cancelled first.
 * Returns the request id (>= 0), or -1 with err filled in (nothing was sent). */
long long jbx_client_submit(jbx_client *c, const float *const *channels, int nch,
                            long frames, double sample_rate, char *err, size_t errlen);

/* Echo round trip with the same frames (transport tests). Reply arrives as a
 * result callback with final = 1 and level = -1. */
long long jbx_client_echo(jbx_client *c, const float *const *channels, int nch,
                          long frames, double sample_rate, char *err, size_t errlen);

/* Cancels the job in flight; 0 when a cancel was sent, 1 when there was no job. */
int jbx_client_cancel(jbx_client *c);
/* Sends ping / status; the answer comes as a pong / status callback, or an
 * error JBX_LOCAL_TIMEOUT when the host does not answer. 0 or -1. */
int jbx_client_ping(jbx_client *c);
int jbx_client_status(jbx_client *c);

/* 1 while a job is in flight. */
int jbx_client_busy(const jbx_client *c);

/* File descriptor that becomes readable (edge-triggered, ZMQ_FD) when the
 * socket may have input: hand it to Pd's sys_addpollfn. -1 on failure. It can
 * change after jbx_client_set_endpoint. */
int jbx_client_fd(const jbx_client *c);

/* Reads every message waiting, without blocking, and calls back. Returns the
 * number of messages handled, or -1 on a socket error. */
int jbx_client_poll(jbx_client *c, const jbx_callbacks *cb);

/* Heartbeat and timeouts; call it a few times a second. Polls too. */
void jbx_client_tick(jbx_client *c, const jbx_callbacks *cb);

#endif
