/* PCM frames are little-endian float32 on the wire; convert on big-endian. */
#ifndef JBX_PCM_H
#define JBX_PCM_H

#include <stddef.h>

void jbx_pcm_to_wire(void *dst, const float *src, size_t n);
void jbx_pcm_from_wire(float *dst, const void *src, size_t n);

/* The wire bytes themselves as floats when they can be read in place (little-endian host
 * and float-aligned buffer), else NULL: the caller converts a copy with jbx_pcm_from_wire. */
const float *jbx_pcm_in_place(const void *src);

#endif
