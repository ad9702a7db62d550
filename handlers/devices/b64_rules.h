/* b64_rules.h — base64 (RFC 4648 standard alphabet, padded, unwrapped):
 * strict decoding of what clients send (data URLs) with the size
 * known before anything is written, encoding of bytes, and a descriptor
 * as base64 of little-endian float32 (the form edge devices and the
 * enrollment answer carry). Pure: no I/O, no allocation. */
#ifndef FC_B64_H
#define FC_B64_H

#include <stddef.h>

#include "attendance/descriptor_rules.h"

/* Characters of the base64 form of n bytes (padding included, no NUL). */
#define B64_ENCODED_LEN(n) ((((size_t)(n) + 2) / 3) * 4)

/* Characters of an encoded descriptor: 512 bytes -> 684. */
#define B64_DESCRIPTOR_LEN B64_ENCODED_LEN(DESCRIPTOR_DIM * 4)

enum b64_result { B64_OK = 0, B64_INVALID = -1, B64_TOO_LARGE = -2 };

/* The base64 part of a "data:<mime>;base64,<data>" URL: a pointer into url
 * (borrowed) with *len its length, or NULL when url does not begin with
 * exactly that prefix. */
const char *b64_data_url(const char *url, const char *mime, size_t *len);

/* Whether s[0..len) is strict base64: length a multiple of 4, only
 * A-Z a-z 0-9 + /, at most two '=' and only at the end, unused bits of
 * the last group zero (one spelling per byte string), no whitespace.
 * 0 with *n the decoded length, or -1. */
int b64_decoded_size(const char *s, size_t len, size_t *n);

/* Decode s[0..len) into out[0..cap). B64_OK with *n the byte count;
 * B64_INVALID when s is not strict base64 (as b64_decoded_size);
 * B64_TOO_LARGE when it is but decodes to more than cap bytes. Nothing is
 * written to out unless the result is B64_OK, and never past out[*n - 1]. */
enum b64_result b64_decode(const char *s, size_t len, unsigned char *out, size_t cap, size_t *n);

/* Encode in[0..n) into out, which holds B64_ENCODED_LEN(n) + 1 chars;
 * NUL-terminated, without line breaks. Returns the length written. */
size_t b64_encode(const unsigned char *in, size_t n, char *out);

/* d as DESCRIPTOR_DIM little-endian IEEE-754 float32 values, base64:
 * out holds B64_DESCRIPTOR_LEN + 1 chars. */
void b64_descriptor(const float d[DESCRIPTOR_DIM], char *out);

#endif
