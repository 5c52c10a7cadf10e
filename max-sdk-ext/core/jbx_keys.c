/* ZPL certificate parsing for CURVE keys; see jbx_keys.h. */
#include "jbx_keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* Certificates are a few hundred bytes; anything this big is not one. */
#define JBX_KEYS_MAX_FILE 65536

void jbx_keys_wipe(void *p, size_t n)
{
    volatile unsigned char *b = p;
    while (n--) *b++ = 0;
}

static int is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

/* Decodes value[0..len) (40 Z85 characters) into key; 1 or -1. */
static int decode(const char *value, size_t len, unsigned char key[JBX_KEY_BYTES])
{
    char z85[JBX_KEY_Z85 + 1];
    if (len != JBX_KEY_Z85) return -1;
    memcpy(z85, value, JBX_KEY_Z85);
    z85[JBX_KEY_Z85] = '\0';
    int ok = zmq_z85_decode(key, z85) != NULL;
    jbx_keys_wipe(z85, sizeof z85);
    return ok ? 1 : -1;
}

int jbx_keys_parse(const char *text, const char *name, unsigned char key[JBX_KEY_BYTES])
{
    size_t nlen = strlen(name);
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        const char *next = end ? end + 1 : NULL;
        if (!end) end = line + strlen(line);
        const char *p = line;
        while (p < end && is_blank(*p)) p++;
        if (p < end && *p != '#' && (size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 &&
            (is_blank(p[nlen]) || p[nlen] == '=')) {
            p += nlen;
            while (p < end && is_blank(*p)) p++;
            if (p < end && *p == '=') {
                p++;
                while (p < end && is_blank(*p)) p++;
                const char *v = p, *vend;
                if (p < end && (*p == '"' || *p == '\'')) {
                    char quote = *p;
                    v = p + 1;
                    vend = memchr(v, quote, (size_t)(end - v));
                    if (!vend) return -1; /* unterminated quote */
                } else {
                    vend = v;
                    /* '#' is a Z85 character: a bare value ends at a blank only */
                    while (vend < end && !is_blank(*vend)) vend++;
                }
                return decode(v, (size_t)(vend - v), key);
            }
        }
        line = next;
    }
    return 0;
}

/* Reads the whole file into a NUL-terminated malloc'd buffer (*len bytes). */
static char *read_text(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read key file '%s': %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(JBX_KEYS_MAX_FILE + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "out of memory reading '%s'", path);
        return NULL;
    }
    size_t n = fread(buf, 1, JBX_KEYS_MAX_FILE + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > JBX_KEYS_MAX_FILE) {
        jbx_keys_wipe(buf, n);
        free(buf);
        snprintf(err, errlen, bad ? "cannot read key file '%s'"
                                  : "'%s' is too large to be a key file", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int jbx_keys_load(const char *path, unsigned char public_key[JBX_KEY_BYTES],
                  unsigned char secret_key[JBX_KEY_BYTES], char *err, size_t errlen)
{
    if (!path || !*path) {
        snprintf(err, errlen, "no key file given");
        return -1;
    }
    size_t len = 0;
    char *text = read_text(path, &len, err, errlen);
    if (!text) return -1;
    unsigned char pub[JBX_KEY_BYTES], sec[JBX_KEY_BYTES];
    int rc = -1;
    int has_pub = jbx_keys_parse(text, "public-key", pub);
    int has_sec = secret_key ? jbx_keys_parse(text, "secret-key", sec) : 0;
    if (has_pub < 0) {
        snprintf(err, errlen, "'%s': public-key is not %d Z85 characters", path, JBX_KEY_Z85);
    } else if (has_sec < 0) {
        snprintf(err, errlen, "'%s': secret-key is not %d Z85 characters", path, JBX_KEY_Z85);
    } else if (secret_key && has_sec == 0) {
        snprintf(err, errlen, has_pub ? "'%s' holds no secret-key (use the .key_secret file, not the public .key)"
                                      : "'%s' holds no secret-key (not a ZeroMQ certificate?)", path);
    } else if (!secret_key && has_pub == 0) {
        snprintf(err, errlen, "'%s' holds no public-key (not a ZeroMQ certificate?)", path);
    } else if (secret_key) {
        /* the public key of the pair, derived from the secret one */
        char pz[JBX_KEY_Z85 + 1], sz[JBX_KEY_Z85 + 1];
        unsigned char derived[JBX_KEY_BYTES];
        if (!zmq_z85_encode(sz, sec, JBX_KEY_BYTES) || zmq_curve_public(pz, sz) != 0 ||
            !zmq_z85_decode(derived, pz)) {
            snprintf(err, errlen, "'%s': cannot derive the public key (%s)", path,
                     zmq_strerror(zmq_errno()));
        } else if (has_pub && memcmp(derived, pub, JBX_KEY_BYTES) != 0) {
            snprintf(err, errlen, "'%s': public-key and secret-key are not a pair", path);
        } else {
            memcpy(secret_key, sec, JBX_KEY_BYTES);
            if (public_key) memcpy(public_key, derived, JBX_KEY_BYTES);
            rc = 0;
        }
        jbx_keys_wipe(sz, sizeof sz);
    } else {
        if (public_key) memcpy(public_key, pub, JBX_KEY_BYTES);
        rc = 0;
    }
    jbx_keys_wipe(sec, sizeof sec);
    jbx_keys_wipe(text, len);
    free(text);
    return rc;
}
