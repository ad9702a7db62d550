/* nchan_store.c — owns the reading of nchan's status page
 * (nchan_store.h): one libcurl handle per worker, a GET of
 * /nchan-status over the publisher's unix socket into a bounded buffer,
 * parsed by nchan_rules.c. */
#include <curl/curl.h>
#include <string.h>
#include "config.h"
#include "log.h"
#include "live/nchan_rules.h"
#include "live/nchan_store.h"

#define STATUS_MAX 4096          /* the status page is about 600 bytes */
#define STATUS_TIMEOUT_MS 1000L
#define WARN_EVERY 60.0

struct body {
    char text[STATUS_MAX];
    size_t len;
};

static size_t keep(char *p, size_t size, size_t n, void *ctx)
{
    struct body *b = ctx;
    size_t len = size * n;
    if (len > sizeof b->text - b->len)
        return 0;                /* too long: not the status page (curl fails the transfer) */
    memcpy(b->text + b->len, p, len);
    b->len += len;
    return len;
}

/* one warning a minute at most: a scrape every few seconds with nginx away */
static void warn(const char *why, long status)
{
    static double last;
    double now = now_monotonic();
    if (last != 0 && now - last < WARN_EVERY)
        return;
    last = now;
    log_warn("metrics: nchan status unavailable: %s (status %ld)", why, status);
}

int nchan_subscribers(long long *n)
{
    static CURL *curl;
    struct body b = {.len = 0};
    long status = 0;

    if (g_config.nchan_pub[0] == '\0')
        return -1;
    if (curl == NULL && (curl = curl_easy_init()) == NULL) {
        warn("libcurl initialisation failed", 0);
        return -1;
    }
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, g_config.nchan_pub);
    curl_easy_setopt(curl, CURLOPT_URL, "http://localhost/nchan-status");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, STATUS_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200) {
        warn(rc != CURLE_OK ? curl_easy_strerror(rc) : "refused", status);
        return -1;
    }
    if (nchan_subscribers_parse(b.text, b.len, n) < 0) {
        warn("no subscribers line", status);
        return -1;
    }
    return 0;
}
