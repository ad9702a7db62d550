/* notify_rules.h — the notifications' pure part: what a webhook URL, an
 * email address and an event pattern may be, the retry back-off, the
 * webhook signature and the text of a notification mail. No I/O. */
#ifndef FC_NOTIFY_RULES_H
#define FC_NOTIFY_RULES_H

#include <stddef.h>

#define NOTIFY_URL_MAX 2000
#define NOTIFY_EMAIL_MAX 254
#define NOTIFY_PATTERNS_MAX 32
#define NOTIFY_MAX_ATTEMPTS 54          /* 30 s doubling to 30 min: about 24 h in all */
#define NOTIFY_SIGNATURE_SIZE 72        /* "sha256=" + 64 hex + NUL */
#define NOTIFY_SECRET_BYTES 32          /* a webhook secret: "whsec_" + 64 hex */
#define NOTIFY_SECRET_SIZE (6 + 2 * NOTIFY_SECRET_BYTES + 1)

/* Pure. 1 when the address family / address (struct in_addr or
 * in6_addr) is loopback, link-local or unspecified (0.0.0.0/8, ::,
 * ::ffff: forms of those): what a webhook may reach only with
 * FACECLOCK_NOTIFY_ALLOW_PRIVATE=1. */
int notify_addr_private(int family, const void *addr);

/* Pure. Check a webhook URL: http or https, no user name or password, a
 * host (a name of [A-Za-z0-9.-_], a dotted IPv4 address or a bracketed
 * IPv6 one; a numeric host in any other form is refused), a port 1-65535,
 * no spaces or control characters, at most NOTIFY_URL_MAX bytes. Unless
 * allow_private, a loopback/link-local address, "localhost" or a name
 * under .localhost, and an address own() says is the server's (own may be
 * NULL) are refused. 0, or -1 with *why (static text ending the sentence
 * "url ..."). */
int notify_url_check(const char *url, int allow_private, int (*own)(int family, const void *addr),
                     const char **why);

/* Pure. 1 when s is an email address we send to: local@domain, at most
 * NOTIFY_EMAIL_MAX bytes, local part 1-64 of the usual atom characters
 * and dots (no leading, trailing or double dot), a domain of at least two
 * labels of [A-Za-z0-9-]. Nothing else, so no header can be injected. */
int notify_email_valid(const char *s);

/* Pure. 1 when p is an event pattern: a type of the catalogue
 * (docs/api.md "Live events", plus notification.test), a family of it
 * ("clock.*") or "*". */
int notify_pattern_valid(const char *p);

/* Pure. Milliseconds to wait after the attempts-th failed attempt (1, 2,
 * ...): 30 s doubling, at most 30 min, scaled by scale_pct percent (1-100),
 * at least 1 ms. */
long long notify_backoff_ms(int attempts, int scale_pct);

/* Pure. 1 when a delivery that has failed attempts times is given up. */
int notify_is_dead(int attempts);

/* "sha256=<hex HMAC-SHA-256 of "<timestamp>.<body>" keyed with secret>"
 * into out (NOTIFY_SIGNATURE_SIZE). 0, or -1 (libgcrypt). */
int notify_signature(const char *secret, long long timestamp, const char *body, char *out);

/* The mail of an event (RFC 5322, CRLF lines, plain text in UTF-8) from
 * from to to: Subject "[faceclock <hotel>] <type>", Date (date_rfc5322,
 * the caller's), Message-ID from the event id and the domain of from,
 * then the event's type, hotel, id, time and its data (JSON, one line).
 * from and to must be notify_email_valid, hotel a slug and type an event
 * type (no CR or LF reaches a header). A new string (malloc) or NULL. */
char *notify_mail_text(const char *from, const char *to, const char *hotel, const char *type,
                       long long event_id, const char *created_at, const char *data_json,
                       const char *date_rfc5322);

#endif
