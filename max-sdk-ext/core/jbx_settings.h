/* Every setting of jukebox~, declared once (FluCoMa's defineParameters idea, as an X-macro). From this table
 * come the core's storage, range checks and wire fields (jbx_params.c), the client-side effects (jbx_client.c),
 * the Pd methods and the Max attributes (their fronts loop over it), and the help patches', maxref's and
 * READMEs' lists (package/tools/make_patchers.py and make_maxref.py parse the rows below; keep one row a line).
 *
 * X(name, kind, where, min, max, fallback, choices, category, example, help)
 *   kind: TEXT (words; max = characters), CHOICE (one of choices), FILE (a path; the front resolves it),
 *         NUMBER (0 unsets, else in (min, max]), INT (0 unsets, else a whole number in [min, max]),
 *         SWITCH (0 or 1; unset: the fallback), SEED (a whole number in [min, max]; negative unsets)
 *   where: WIRE (sent with each job, the host's default when unset) or CLIENT (acts in the external)
 *   fallback: what an unset setting means, as text */
#ifndef JBX_SETTINGS_H
#define JBX_SETTINGS_H

#include <stddef.h>

#include "jbx_protocol.h"

#define JBX_SETTINGS(X) \
    X(model, TEXT, WIRE, 0, 1024, "", "", "Generation", "tiny", "a model the host serves (tiny: the built-in test model; empty: the host's default)") \
    X(mode, CHOICE, WIRE, 0, 0, "primed", "primed ancestral upsample continue", "Generation", "primed", "primed: continue the prompt; ancestral: no input; upsample: re-sample the lower levels; continue: extend the last result by length s from its exact codes") \
    X(length, NUMBER, WIRE, 0, JBX_MAX_OUTPUT_SECONDS, "10", "", "Generation", "10", "seconds of the result, prompt included (continue: the seconds it adds)") \
    X(song_length, NUMBER, WIRE, 0, JBX_MAX_OUTPUT_SECONDS, "240", "", "Generation", "180", "seconds of the whole song the result begins: labels it (OpenAI's total length)") \
    X(prompt, NUMBER, WIRE, 0, JBX_MAX_INPUT_SECONDS, "0", "", "Generation", "4", "seconds of the input used as prompt (0: all of it)") \
    X(levels, INT, WIRE, 1, 3, "1", "", "Generation", "3", "1: top level only, fast preview quality; 3: all levels, full quality (a preview first)") \
    X(temperature, NUMBER, WIRE, 0, 2, "0.98", "", "Generation", "0.98", "top-level sampling temperature, (0, 2]") \
    X(hop_fraction, NUMBER, WIRE, 0, 1, "0", "", "Generation", "0.5", "window hop for every level, (0, 1] (0: the model's 0.5 0.5 0.125)") \
    X(n_samples, INT, WIRE, 1, JBX_MAX_N_SAMPLES, "1", "", "Generation", "1", "variations sampled in one batch: the first in dst, the others in the buffers named by 'variations'") \
    X(seed, SEED, WIRE, 0, 4294967295.0, "-1", "", "Generation", "42", "a fixed seed (-1, or 'seed' alone in Pd: random)") \
    X(preview, SWITCH, WIRE, 0, 1, "1", "", "Generation", "1", "send a top-level preview first when levels > 1") \
    X(stream, SWITCH, WIRE, 0, 1, "0", "", "Generation", "1", "write the result into dst while it is made (info: chunk <start> <frames>, final <seconds> <rate>)") \
    X(chain, INT, CLIENT, 1, 1000, "0", "", "Generation", "3", "continue each result this many times, one job at a time, appending to dst (cancel or chain 0 stops)") \
    X(artist, TEXT, WIRE, 0, 256, "unknown", "", "Conditioning", "unknown", "an artist the model knows") \
    X(genre, TEXT, WIRE, 0, 256, "unknown", "", "Conditioning", "unknown", "a genre the model knows") \
    X(lyrics, TEXT, WIRE, 0, JBX_MAX_LYRICS_CHARS, "", "", "Conditioning", "la la la", "lyrics conditioning") \
    X(host, TEXT, CLIENT, 0, 1024, JBX_DEFAULT_ENDPOINT, "", "Host", "tcp://127.0.0.1:5557", "endpoint of jukebox-host serve") \
    X(autostart, SWITCH, CLIENT, 0, 1, "0", "", "Host", "1", "start the host (hostcmd) when it does not answer") \
    X(hostcmd, TEXT, CLIENT, 0, 1024, "jukebox-host", "", "Host", "jukebox-host", "the command autostart runs: give its full path when Max or Pd starts without your shell's PATH (e.g. /Users/me/jukebox/.venv/bin/jukebox-host)") \
    X(timeout, NUMBER, CLIENT, 0, 3600, "5", "", "Host", "5", "seconds of silence before 'host not responding'") \
    X(server_key, FILE, CLIENT, 0, 4096, "", "", "Host", "keys/server.key", "CURVE: the host's public key file (jukebox-host keygen keys server)") \
    X(client_key, FILE, CLIENT, 0, 4096, "", "", "Host", "keys/client.key_secret", "CURVE: this client's secret key file; CURVE is on while both are set")

typedef enum { JBX_TEXT, JBX_CHOICE, JBX_FILE, JBX_NUMBER, JBX_INT, JBX_SWITCH, JBX_SEED } jbx_kind;
typedef enum { JBX_WIRE, JBX_CLIENT } jbx_where;

/* JBX_S_model, JBX_S_mode, …, then JBX_N_SETTINGS. */
enum {
#define JBX_SETTING_ID(name, ...) JBX_S_##name,
    JBX_SETTINGS(JBX_SETTING_ID)
#undef JBX_SETTING_ID
    JBX_N_SETTINGS
};

typedef struct jbx_setting {
    const char *name;
    jbx_kind kind;
    jbx_where where;
    double min, max;
    const char *fallback, *choices, *category, *example, *help;
} jbx_setting;

extern const jbx_setting jbx_settings[JBX_N_SETTINGS];

/* The setting's id, or -1 when there is none of that name. */
int jbx_setting_id(const char *name);
/* 1 for kinds whose value is text (TEXT, CHOICE, FILE), 0 for numbers. */
int jbx_setting_is_text(int id);

#endif
