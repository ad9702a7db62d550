/* b64_rules.c — owns base64 for the API (b64_rules.h). libb64 encodes; its
 * output wraps every 72 characters, so it is produced in runs too short to
 * wrap. Decoding is here, over the alphabet that validates the text first:
 * libb64's decoder skips characters it does not know and touches the byte
 * after its output (it stores the next byte's first bits before it knows
 * there is one, and reads that byte back at the end), which past an
 * exact-size buffer is a heap overflow. */
#include <string.h>

#include <b64/cencode.h>

#include "b64_rules.h"

/* bytes per libb64 call: 48 in -> 64 out, under libb64's 72-char line,
 * and a whole number of 3-byte groups so no state carries over */
#define ENC_RUN 48

const char *b64_data_url(const char *url, const char *mime, size_t *len)
{
    size_t ml;

    if (url == NULL || mime == NULL || strncmp(url, "data:", 5) != 0)
        return NULL;
    ml = strlen(mime);
    if (strncmp(url + 5, mime, ml) != 0 || strncmp(url + 5 + ml, ";base64,", 8) != 0)
        return NULL;
    url += 5 + ml + 8;
    *len = strlen(url);
    return url;
}

/* 0..63 for an alphabet character, -1 otherwise */
static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int b64_decoded_size(const char *s, size_t len, size_t *n)
{
    size_t pad = 0;

    if (s == NULL || len % 4 != 0)
        return -1;
    if (len > 0 && s[len - 1] == '=')
        pad = s[len - 2] == '=' ? 2 : 1;
    for (size_t i = 0; i < len - pad; i++)
        if (sextet((unsigned char)s[i]) < 0)
            return -1;
    /* the bits after the last byte must be zero: "QQ==" is "A", "QR==" is not */
    if (pad == 2 && (sextet((unsigned char)s[len - 3]) & 0x0f) != 0)
        return -1;
    if (pad == 1 && (sextet((unsigned char)s[len - 2]) & 0x03) != 0)
        return -1;
    *n = len / 4 * 3 - pad;
    return 0;
}

enum b64_result b64_decode(const char *s, size_t len, unsigned char *out, size_t cap, size_t *n)
{
    size_t need, o = 0;

    if (b64_decoded_size(s, len, &need) < 0)
        return B64_INVALID;
    if (need > cap)
        return B64_TOO_LARGE;
    /* four sextets make three bytes; of the last group only the bytes
     * before its padding are stored, so out[need..cap) is never touched */
    for (size_t i = 0; i < len; i += 4) {
        unsigned long g = 0;
        unsigned char b[3];

        for (size_t k = 0; k < 4; k++)
            g = g << 6 | (s[i + k] == '=' ? 0u : (unsigned)sextet((unsigned char)s[i + k]));
        b[0] = (unsigned char)(g >> 16);
        b[1] = (unsigned char)(g >> 8);
        b[2] = (unsigned char)g;
        for (size_t k = 0; k < 3 && o < need; k++)
            out[o++] = b[k];
    }
    *n = o;
    return B64_OK;
}

size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t i = 0, o = 0;

    do {
        base64_encodestate st;
        char tmp[2 * ENC_RUN];
        size_t run = n - i < ENC_RUN ? n - i : ENC_RUN;
        int k;

        base64_init_encodestate(&st);
        k = base64_encode_block((const char *)in + i, (int)run, tmp, &st);
        k += base64_encode_blockend(tmp + k, &st);
        /* drop the line break libb64 ends every block with */
        for (int j = 0; j < k; j++)
            if (tmp[j] != '\n')
                out[o++] = tmp[j];
        i += run;
    } while (i < n);
    out[o] = '\0';
    return o;
}

void b64_descriptor(const float d[DESCRIPTOR_DIM], char *out)
{
    unsigned char le[DESCRIPTOR_BYTES];

    descriptor_to_le(d, le);
    b64_encode(le, sizeof le, out);
}
