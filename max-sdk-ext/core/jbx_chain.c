/* A chain: after a final result, the next link continues the piece. */
#define _POSIX_C_SOURCE 200809L
#include "jbx_client_internal.h"

#include <stdio.h>

/* After a final result: the next link of a chain continues it (mode continue, the other settings as they are
 * now). One job at a time, so a chain never floods the host; an error or a cancel ends it. */
void jbx_chain_next(jbx_client *c, const jbx_callbacks *cb, double sample_rate)
{
    if (c->chain_left <= 0 || c->job_id >= 0) return; /* off, or a callback started a job of its own */
    char err[512];
    double adds = jbx_params_number(&c->params, JBX_S_length);
    if ((double)c->piece_frames + adds * sample_rate > (double)JBX_MAX_PIECE_SECONDS * sample_rate) {
        c->chain_left = 0;
        snprintf(err, sizeof err, "chain stopped: dst would pass %d s, the most a chain appends (bang with mode "
                 "continue to go on from its end in a fresh dst)", JBX_MAX_PIECE_SECONDS);
        jbx_emit_error(cb, JBX_LOCAL_CHAIN_FULL, err);
        return;
    }
    c->chain_left--;
    long long id = jbx_job_submit(c, JBX_TYPE_GENERATE, 1, NULL, 0, 0, 0.0, err, sizeof err);
    if (id < 0) {
        c->chain_left = 0;
        jbx_emit_error(cb, JBX_LOCAL_SEND, err);
    }
}
