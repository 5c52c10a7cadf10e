/* What comes back from the host, turned into callbacks. */
#define _POSIX_C_SOURCE 200809L
#include "jbx_client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "jbx_pcm.h"

/* PCM frames one result may carry: every channel of every variation. */
#define JBX_MAX_RESULT_PLANES (JBX_MAX_CHANNELS * JBX_MAX_N_SAMPLES)

void jbx_emit_error(const jbx_callbacks *cb, const char *code, const char *msg)
{
    if (cb && cb->error) cb->error(cb->ctx, code, msg);
}

void jbx_emit_state(const jbx_callbacks *cb, const char *state)
{
    if (cb && cb->state) cb->state(cb->ctx, state);
}

/* Turns the PCM frames of a result/echo/chunk into planes and calls back, once per variation. */
static void handle_result(jbx_client *c, const jbx_header *h, zmq_msg_t *parts, int nparts,
                          const jbx_callbacks *cb, int is_echo, int is_chunk)
{
    long long nch = 0, frames = 0, level = -1, nvar = 1, start = 0;
    int final = 1;
    double seconds = 0.0, srd = 0.0;
    (void)jbx_get_int(h, "channels", &nch);
    (void)jbx_get_int(h, "frames", &frames);
    if (!jbx_get_double(h, "sample_rate", &srd)) srd = 0.0;
    if (!is_echo) {
        (void)jbx_get_bool(h, "final", &final);
        (void)jbx_get_int(h, "level", &level);
        (void)jbx_get_double(h, "seconds", &seconds);
        (void)jbx_get_int(h, "variations", &nvar);
    }
    double final_seconds = -1.0, final_rate = -1.0;
    if (is_chunk) {
        final = 0; /* a chunk never ends the job: a result follows */
        (void)jbx_get_int(h, "start", &start);
        if (!jbx_get_double(h, "final_seconds", &final_seconds) || !jbx_get_double(h, "final_rate", &final_rate) ||
            !(final_seconds >= 0.0 && final_seconds <= JBX_MAX_OUTPUT_SECONDS) || !(final_rate >= 0.0))
            final_seconds = final_rate = -1.0; /* absent or nonsense (NaN fails every comparison): not said */
    }
    int streamed = 0; /* a final result after chunks: the audio is in them, none follows */
    if (!is_echo && !is_chunk) (void)jbx_get_bool(h, "streamed", &streamed);
    long long overlap = 0; /* a chain link re-makes this much of the piece's end */
    if (!is_echo && c->job_is_link) (void)jbx_get_int(h, "overlap", &overlap);
    /* PCM frames are variation-major: nvar groups of nch. Both are small, so nch * nvar cannot
     * wrap; frames * 4 must not either: no frame can be larger than a whole message. */
    if (nch < 0 || nch > JBX_MAX_CHANNELS || nvar < 1 || nvar > JBX_MAX_N_SAMPLES ||
        (streamed ? nparts != 1 : nch * nvar != nparts - 1) || frames < 0 ||
        frames > (long long)(JBX_MAX_MESSAGE_BYTES / sizeof(float)) || start < 0 ||
        start > (long long)JBX_MAX_OUTPUT_SECONDS * JBX_MAX_SAMPLE_RATE || overlap < 0 ||
        overlap > (long long)JBX_MAX_OUTPUT_SECONDS * JBX_MAX_SAMPLE_RATE) {
        c->job_id = -1;
        jbx_emit_state(cb, "idle");
        jbx_emit_error(cb, JBX_LOCAL_BAD_REPLY, "the host sent a result whose frames do not match its header");
        return;
    }
    /* Planes point into the received frames where they can be read in place (no copy of
     * seconds of audio); copies are made only on big-endian hosts or unaligned buffers. */
    const float *planes[JBX_MAX_RESULT_PLANES] = {0};
    float *copies[JBX_MAX_RESULT_PLANES] = {0};
    int ok = 1, nplanes = streamed ? 0 : (int)(nch * nvar);
    for (int k = 0; k < nplanes && ok; k++) {
        const void *wire = zmq_msg_data(&parts[k + 1]);
        if (zmq_msg_size(&parts[k + 1]) != (size_t)frames * sizeof(float)) {
            ok = 0;
        } else if ((planes[k] = jbx_pcm_in_place(wire)) == NULL) {
            copies[k] = malloc(frames > 0 ? (size_t)frames * sizeof(float) : 1);
            if (copies[k]) jbx_pcm_from_wire(copies[k], wire, (size_t)frames);
            planes[k] = copies[k];
            ok = copies[k] != NULL;
        }
    }
    /* Where this audio goes in the piece: a link's at the piece's end, less the overlap it re-makes. */
    long long base = 0;
    if (c->job_is_link && !is_echo) base = overlap < c->piece_frames ? c->piece_frames - overlap : 0;
    if (final && !is_echo) c->piece_frames = base + frames;
    if (final) c->job_id = -1; /* before callbacks: they may submit a new job */
    if (!ok) {
        if (!final) c->job_id = -1;
        jbx_emit_state(cb, "idle");
        jbx_emit_error(cb, JBX_LOCAL_BAD_REPLY, "result frames do not match the header (or out of memory)");
    } else {
        if (final) jbx_emit_state(cb, "done");
        for (int v = 0; v < (int)nvar && cb && cb->result; v++) {
            jbx_result r = {is_chunk ? JBX_RESULT_CHUNK : final ? JBX_RESULT_FINAL : JBX_RESULT_PREVIEW,
                            streamed ? JBX_PLACE_NONE : is_chunk || base > 0 ? JBX_PLACE_AT : JBX_PLACE_WHOLE,
                            (long)(base + start), srd, (int)nch, (long)frames, (int)level, seconds,
                            planes + (size_t)v * (size_t)nch, v, (int)nvar, final_seconds, final_rate};
            cb->result(cb->ctx, &r);
        }
        if (final && !is_echo) jbx_chain_next(c, cb, srd);
    }
    for (int k = 0; k < nplanes; k++) free(copies[k]);
}

int jbx_result_ends_job(const jbx_result *r)
{
    return r->kind == JBX_RESULT_FINAL && r->variation == r->variations - 1;
}

long jbx_result_buffer_frames(const jbx_result *r, long have, long *offset)
{
    *offset = r->place == JBX_PLACE_AT ? r->start : 0;
    if (r->place == JBX_PLACE_NONE) return have;
    long end = *offset + r->frames; /* both bounded by the message checks: no overflow */
    return r->place == JBX_PLACE_WHOLE || end > have ? end : have;
}

static void handle_status(const jbx_header *h, const jbx_callbacks *cb)
{
    jbx_status s;
    memset(&s, 0, sizeof s);
    long long v = 0;
    (void)jbx_get_str(h, "device", s.device, sizeof s.device);
    s.queue = jbx_get_int(h, "queue", &v) ? (long)v : 0;
    s.running = jbx_get_int(h, "running", &v) ? (long)v : -1;
    (void)jbx_get_bool(h, "running_client", &s.running_client);
    const msgpack_object *models = jbx_header_get(h, "models");
    if (models && models->type == MSGPACK_OBJECT_ARRAY) {
        for (uint32_t k = 0; k < models->via.array.size; k++) {
            const msgpack_object *m = &models->via.array.ptr[k];
            char name[256];
            /* a list of maps per the protocol; accept plain names too */
            if (!jbx_obj_str(m->type == MSGPACK_OBJECT_MAP ? jbx_obj_get(m, "name") : m,
                             name, sizeof name))
                continue;
            size_t used = strlen(s.models);
            snprintf(s.models + used, sizeof s.models - used, "%s%s", used ? " " : "", name);
        }
    }
    if (cb && cb->status) cb->status(cb->ctx, &s);
}

/* The host's answer to "do you still have my job?" (see JBX_JOB_CHECK). */
static void job_watch_answer(jbx_client *c, const jbx_header *h, const jbx_callbacks *cb)
{
    if (c->job_id < 0) return;
    c->job_missing = jbx_list_has_int(h, "jobs", c->job_id) == 0 ? c->job_missing + 1 : 0;
    if (c->job_missing < 2) return;
    char msg[512];
    snprintf(msg, sizeof msg, "the host at %s no longer has job %lld (was it restarted?): bang again",
             c->endpoint, c->job_id);
    c->job_id = -1;
    c->job_missing = 0;
    jbx_emit_state(cb, "idle");
    jbx_emit_error(cb, JBX_LOCAL_LOST, msg);
}

static void handle_message(jbx_client *c, zmq_msg_t *parts, int nparts, const jbx_callbacks *cb)
{
    jbx_header h;
    char type[32] = "", code[64] = "", msg[1024] = "";
    long long id = -1;
    if (jbx_header_parse(&h, zmq_msg_data(&parts[0]), zmq_msg_size(&parts[0])) != 0 ||
        !jbx_get_str(&h, "type", type, sizeof type)) {
        jbx_header_destroy(&h);
        return; /* not protocol v1: ignore, as the host does for unknown keys */
    }
    (void)jbx_get_int(&h, "id", &id);
    c->last_rx = jbx_now();
    c->host_alive = 1;
    if (c->lost) {
        c->lost = 0;
        if (cb && cb->host) cb->host(cb->ctx, 1, c->endpoint);
    }

    int is_job = c->job_id >= 0 && id == c->job_id;
    if (is_job) {
        c->job_news = c->last_rx;
        c->job_missing = 0;
    }
    if (strcmp(type, JBX_TYPE_PONG) == 0) {
        if (id == c->ping_id && id >= 0) {
            double t = 0.0;
            (void)jbx_get_double(&h, "time", &t);
            c->ping_id = -1;
            if (cb && cb->pong) cb->pong(cb->ctx, t);
        }
    } else if (strcmp(type, JBX_TYPE_STATUS) == 0) {
        if (id == c->watch_id && id >= 0) {
            c->watch_id = -1;
            job_watch_answer(c, &h, cb);
        } else if (id == c->status_id && id >= 0) {
            c->status_id = -1;
            handle_status(&h, cb);
        }
    } else if (strcmp(type, JBX_TYPE_QUEUED) == 0) {
        if (is_job) jbx_emit_state(cb, "queued");
    } else if (strcmp(type, JBX_TYPE_PROGRESS) == 0) {
        if (is_job) {
            double frac = 0.0;
            long long level = 0;
            char stage[32] = "";
            (void)jbx_get_double(&h, "fraction", &frac);
            (void)jbx_get_int(&h, "level", &level);
            (void)jbx_get_str(&h, "stage", stage, sizeof stage);
            if (!c->job_started) {
                c->job_started = 1;
                jbx_emit_state(cb, "running");
            }
            if (cb && cb->progress) cb->progress(cb->ctx, frac, (int)level, stage);
        }
    } else if (strcmp(type, JBX_TYPE_RESULT) == 0 || strcmp(type, JBX_TYPE_ECHO) == 0) {
        if (is_job) handle_result(c, &h, parts, nparts, cb, strcmp(type, JBX_TYPE_ECHO) == 0, 0);
    } else if (strcmp(type, JBX_TYPE_CHUNK) == 0) {
        if (is_job) handle_result(c, &h, parts, nparts, cb, 0, 1);
    } else if (strcmp(type, JBX_TYPE_ERROR) == 0) {
        (void)jbx_get_str(&h, "code", code, sizeof code);
        (void)jbx_get_str(&h, "message", msg, sizeof msg);
        int duplicate = 0; /* a refused request that reused a held job's id: that job goes on */
        (void)jbx_get_bool(&h, "duplicate", &duplicate);
        if (duplicate) {
            jbx_emit_error(cb, code, msg);
        } else if (is_job || (id >= 0 && id == c->watch_id && c->job_id >= 0)) {
            /* the job's own error, or the host refusing the question about it (a client whose key was removed
               is refused everything): either way the job is over, and the host said why */
            c->job_id = -1;
            c->watch_id = -1;
            c->chain_left = 0; /* an error ends a chain */
            jbx_emit_state(cb, "idle");
            jbx_emit_error(cb, code, msg);
        } else if (id >= 0 && (id == c->ping_id || id == c->status_id || id == c->hello_id)) {
            if (id == c->ping_id) c->ping_id = -1;
            if (id == c->status_id) c->status_id = -1;
            jbx_emit_error(cb, code, msg);
        } /* else: about an abandoned request, nobody waits for it */
    } else if (strcmp(type, JBX_TYPE_BYE) == 0) {
        c->host_alive = 0; /* next request says hello again */
    } /* welcome, cancelled, loaded, unloaded: liveness only */
    jbx_header_destroy(&h);
}

/* Receives one multipart message into parts (at most max); extra parts are
 * drained and counted. Returns the part count, 0 when nothing waits, -1 on error. */
static int recv_parts(void *sock, zmq_msg_t *parts, int max)
{
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t tmp;
        zmq_msg_t *m = n < max ? &parts[n] : &tmp;
        if (zmq_msg_init(m) != 0) return -1;
        if (zmq_msg_recv(m, sock, ZMQ_DONTWAIT) < 0) {
            int e = zmq_errno();
            zmq_msg_close(m);
            for (int k = 0; k < n && k < max; k++) zmq_msg_close(&parts[k]);
            return (e == EAGAIN && n == 0) ? 0 : -1;
        }
        more = zmq_msg_more(m);
        if (m == &tmp) zmq_msg_close(&tmp);
        n++;
    }
    return n;
}

int jbx_client_poll(jbx_client *c, const jbx_callbacks *cb)
{
    int handled = 0;
    while (c->sock) {
        int events = 0;
        size_t len = sizeof events;
        if (zmq_getsockopt(c->sock, ZMQ_EVENTS, &events, &len) != 0) return -1;
        if (!(events & ZMQ_POLLIN)) break; /* ZMQ_FD is edge-triggered: drain fully */
        zmq_msg_t parts[JBX_MAX_RESULT_PLANES + 1];
        int n = recv_parts(c->sock, parts, JBX_MAX_RESULT_PLANES + 1);
        if (n < 0) return -1;
        if (n == 0) break;
        int kept = n < JBX_MAX_RESULT_PLANES + 1 ? n : JBX_MAX_RESULT_PLANES + 1;
        void *sock = c->sock;
        handle_message(c, parts, n, cb);
        for (int k = 0; k < kept; k++) zmq_msg_close(&parts[k]);
        handled++;
        if (c->sock != sock) break; /* a callback switched endpoints */
    }
    return handled;
}
