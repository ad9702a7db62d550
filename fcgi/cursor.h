/* cursor.h — a list's keyset cursor (docs/api.md, "Lists"): the position
 * of one row in a list ordered by (a timestamp, an id) descending, and
 * which way to read from it, as an opaque, integrity-protected token a
 * client hands back in ?cursor=. The token is lowercase hex of
 *   direction (1 byte: 'n' older rows, 'p' newer rows)
 *   the row's timestamp, microseconds since 1970 (8 bytes, big-endian)
 *   the row's id (8 bytes, big-endian)
 *   the first 16 bytes of HMAC-SHA-256(key, scope NUL the 17 bytes above)
 * where scope names the list and the tenant it was made for, so a token
 * is good for that list of that tenant only: garbled, forged or carried
 * to another list it is refused, and it can never widen what the route's
 * own tenant check allows. Pure: the key is the caller's. */
#ifndef FC_CURSOR_H
#define FC_CURSOR_H

#include <stddef.h>

#define CURSOR_BYTES 33
#define CURSOR_TEXT (2 * CURSOR_BYTES + 1)     /* hex and the NUL */

enum cursor_dir { CURSOR_NEXT = 'n', CURSOR_PREV = 'p' };

struct cursor {
    enum cursor_dir dir;
    long long ts_us;            /* the boundary row's timestamp */
    long long id;               /* the boundary row's id */
};

/* The cursor's token into out (CURSOR_TEXT bytes). 0, or -1 (libgcrypt). */
int cursor_encode(const unsigned char key[32], const char *scope, const struct cursor *c, char *out);

/* Parse a token made by cursor_encode with the same key and scope into
 * *c. 0, or -1 for anything else (wrong length or characters, unknown
 * direction, a tag that does not match, compared in constant time). */
int cursor_decode(const unsigned char key[32], const char *scope, const char *text, struct cursor *c);

/* The key cursors are signed with, derived from a 32-byte base key. 0 or -1. */
int cursor_derive_key(const unsigned char base_key[32], unsigned char key[32]);

#endif
