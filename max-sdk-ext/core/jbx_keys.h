/* CURVE keys from ZeroMQ certificate files (ZPL text, as written by
 * `jukebox-host keygen` / pyzmq's zmq.auth.create_certificates):
 *     curve
 *         public-key = "<40 Z85 characters>"
 *         secret-key = "<40 Z85 characters>"      (NAME.key_secret only)
 * No Max or Pd headers here. */
#ifndef JBX_KEYS_H
#define JBX_KEYS_H

#include <stddef.h>

#define JBX_KEY_BYTES 32 /* a CURVE key, binary */
#define JBX_KEY_Z85 40   /* the same in Z85 text */

/* Finds `name = "value"` (name "public-key" or "secret-key"; the value may be
 * double-quoted, single-quoted or bare) in ZPL text and decodes it into key.
 * Comment lines (#) are skipped; the first match counts.
 * Returns 1 when found and valid, 0 when there is no such line, -1 when the
 * value is not 40 valid Z85 characters. */
int jbx_keys_parse(const char *text, const char *name, unsigned char key[JBX_KEY_BYTES]);

/* Reads a certificate file. public_key (may be NULL) gets its public-key;
 * with secret_key non-NULL the file must also hold a secret-key (a
 * .key_secret file), and a missing public-key is derived from it. A file with
 * both keys must hold a matching pair. 0, or -1 with a message in err that
 * names the file. Temporary copies of the text are wiped. */
int jbx_keys_load(const char *path, unsigned char public_key[JBX_KEY_BYTES],
                  unsigned char secret_key[JBX_KEY_BYTES], char *err, size_t errlen);

/* Overwrites n bytes with zeros in a way the compiler does not drop. */
void jbx_keys_wipe(void *p, size_t n);

#endif
