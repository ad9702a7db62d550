/* metrics.c — request counters, latency histograms per route, database
 * errors and the application's counters and score histogram in a shared
 * anonymous map (one slot per worker; the tenant names in one table of
 * the map), rendered for /metrics. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "app.h"
#include "metrics.h"
#include "response.h"

static const int status_codes[] = {200, 201, 202, 204, 302, 303, 400, 401, 403, 404, 405, 409,
                                   413, 422, 429, 500, 503, 0 /* other */};
#define NSTATUS ((int)(sizeof status_codes / sizeof status_codes[0]))
static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBUCKETS ((int)(sizeof buckets / sizeof buckets[0]))
#define ROUTE_SLOTS (METRICS_MAX_ROUTES + 1)     /* last one: unrouted */
#define TENANT_SLOTS (METRICS_MAX_TENANTS + 1)   /* last one: the other tenants */
#define MAX_SCORE_BUCKETS 24

struct slot {
    unsigned long long requests[ROUTE_SLOTS][NSTATUS];
    unsigned long long latency[ROUTE_SLOTS][NBUCKETS + 1];  /* cumulative at render time */
    double latency_sum[ROUTE_SLOTS];
    unsigned long long db_errors;
    unsigned long long counts[TENANT_SLOTS][METRICS_MAX_COUNTERS]; /* not per tenant: row 0 */
    unsigned long long score[MAX_SCORE_BUCKETS + 1];
    double score_sum;
};

/* A named tenant: id claimed by compare-and-swap, then its slug, then
 * ready (release), so a reader that sees ready sees the slug. */
struct tenant_name {
    long long id;
    int ready;
    char slug[64];
};

struct shared {
    int workers_alive;
    struct tenant_name tenants[METRICS_MAX_TENANTS];
    struct slot slots[METRICS_MAX_WORKERS + 1];  /* last one: the master / CLI */
};

static struct shared *shm;
static struct slot *mine;
static unsigned long long pending[METRICS_MAX_COUNTERS]; /* this process's open transaction */

int metrics_init(void)
{
    void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    shm = p;
    mine = &shm->slots[METRICS_MAX_WORKERS];
    return 0;
}

void metrics_attach_slot(int slot)
{
    if (shm != NULL && slot >= 0 && slot < METRICS_MAX_WORKERS)
        mine = &shm->slots[slot];
}

int metrics_slot(void)
{
    return shm != NULL && mine != NULL ? (int)(mine - shm->slots) : METRICS_MAX_WORKERS;
}

void metrics_set_workers_alive(int n)
{
    if (shm != NULL)
        __atomic_store_n(&shm->workers_alive, n, __ATOMIC_RELAXED);
}

void metrics_observe(int route_index, int status, double seconds)
{
    if (mine == NULL)
        return;
    int r = (route_index < 0 || route_index >= METRICS_MAX_ROUTES) ? METRICS_MAX_ROUTES : route_index;
    int s = NSTATUS - 1;
    for (int i = 0; i < NSTATUS - 1; i++)
        if (status_codes[i] == status)
            s = i;
    mine->requests[r][s]++;
    int b = 0;
    while (b < NBUCKETS && seconds > buckets[b])
        b++;
    mine->latency[r][b]++;
    mine->latency_sum[r] += seconds;
}

/* The row of t in the counts: its named slot (claimed on first sight),
 * or the other tenants' row when there is none left. */
static int tenant_row(const struct tenant *t)
{
    static int last = -1;          /* this worker's last tenant: scans come in runs */
    if (t == NULL || t->id == 0)
        return METRICS_MAX_TENANTS;
    if (last >= 0 && __atomic_load_n(&shm->tenants[last].id, __ATOMIC_RELAXED) == t->id)
        return last;
    for (int i = 0; i < METRICS_MAX_TENANTS; i++) {
        struct tenant_name *e = &shm->tenants[i];
        long long id = __atomic_load_n(&e->id, __ATOMIC_ACQUIRE);
        if (id == 0) {
            long long zero = 0;
            if (__atomic_compare_exchange_n(&e->id, &zero, t->id, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
                snprintf(e->slug, sizeof e->slug, "%s", t->slug);
                __atomic_store_n(&e->ready, 1, __ATOMIC_RELEASE);
                return last = i;
            }
            id = zero;             /* another worker claimed it: for whom? */
        }
        if (id == t->id)
            return last = i;
    }
    return METRICS_MAX_TENANTS;
}

void metrics_count(int counter, const struct tenant *t, unsigned long long n)
{
    if (mine == NULL || counter < 0 || counter >= app_ncounters || counter >= METRICS_MAX_COUNTERS)
        return;
    int row = app_counters[counter].per_tenant ? tenant_row(t) : 0;
    mine->counts[row][counter] += n;
}

void metrics_pending(int counter, unsigned long long n)
{
    if (counter >= 0 && counter < METRICS_MAX_COUNTERS)
        pending[counter] += n;
}

void metrics_pending_commit(void)
{
    for (int c = 0; c < METRICS_MAX_COUNTERS; c++)
        if (pending[c] != 0) {
            metrics_count(c, NULL, pending[c]);
            pending[c] = 0;
        }
}

void metrics_pending_drop(void)
{
    memset(pending, 0, sizeof pending);
}

void metrics_score(double value)
{
    if (mine == NULL || !(value >= 0 && value <= 1))
        return;
    int n = app_score.nbounds < MAX_SCORE_BUCKETS ? app_score.nbounds : MAX_SCORE_BUCKETS, b = 0;
    while (b < n && value > app_score.bounds[b])
        b++;
    mine->score[b]++;
    mine->score_sum += value;
}

void metrics_db_error(void)
{
    if (mine != NULL)
        mine->db_errors++;
}

static void emit(struct request *req, const char *s)
{
    resp_write(req, s, strlen(s));
}

static unsigned long long row_sum(int row, int counter)
{
    unsigned long long v = 0;
    for (int w = 0; w <= METRICS_MAX_WORKERS; w++)
        v += shm->slots[w].counts[row][counter];
    return v;
}

unsigned long long metrics_counter_sum(int counter, const char *slug)
{
    if (shm == NULL || counter < 0 || counter >= app_ncounters || counter >= METRICS_MAX_COUNTERS)
        return 0;
    if (slug == NULL)
        return row_sum(0, counter);
    if (strcmp(slug, METRICS_OTHER_TENANT) == 0)
        return row_sum(METRICS_MAX_TENANTS, counter);
    for (int t = 0; t < METRICS_MAX_TENANTS; t++)
        if (__atomic_load_n(&shm->tenants[t].ready, __ATOMIC_ACQUIRE) && strcmp(shm->tenants[t].slug, slug) == 0)
            return row_sum(t, counter);
    return 0;
}

/* The application's counters: every series of a family not per tenant
 * (0 included, so a family is present before its first event), and per
 * tenant only the named tenants (and the others) with counts. */
static void write_counters(struct request *req)
{
    char line[512];
    int n = app_ncounters < METRICS_MAX_COUNTERS ? app_ncounters : METRICS_MAX_COUNTERS;
    for (int c = 0; c < n; c++) {
        const struct app_counter *k = &app_counters[c];
        if (c == 0 || strcmp(k->family, app_counters[c - 1].family) != 0) {
            snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s counter\n", k->family, k->help, k->family);
            emit(req, line);
        }
        const char *sep = k->labels[0] != '\0' ? "," : "";
        if (!k->per_tenant) {
            unsigned long long v = row_sum(0, c);
            snprintf(line, sizeof line, "%s{%s} %llu\n", k->family, k->labels, v);
            emit(req, line);
            continue;
        }
        for (int t = 0; t < TENANT_SLOTS; t++) {
            const char *slug = METRICS_OTHER_TENANT;
            if (t < METRICS_MAX_TENANTS) {
                if (!__atomic_load_n(&shm->tenants[t].ready, __ATOMIC_ACQUIRE))
                    continue;
                slug = shm->tenants[t].slug;
            }
            unsigned long long v = row_sum(t, c);
            if (v == 0)
                continue;
            snprintf(line, sizeof line, "%s{%s%s%s=\"%s\"} %llu\n", k->family, k->labels, sep,
                     app_tenant_label, slug, v);
            emit(req, line);
        }
    }
}

static void write_score(struct request *req)
{
    char line[512];
    const char *f = app_score.family;
    int n = app_score.nbounds < MAX_SCORE_BUCKETS ? app_score.nbounds : MAX_SCORE_BUCKETS;
    unsigned long long cum = 0;
    double sum = 0;

    snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s histogram\n", f, app_score.help, f);
    emit(req, line);
    for (int b = 0; b <= n; b++) {
        for (int w = 0; w <= METRICS_MAX_WORKERS; w++)
            cum += shm->slots[w].score[b];
        if (b < n)
            snprintf(line, sizeof line, "%s_bucket{le=\"%g\"} %llu\n", f, app_score.bounds[b], cum);
        else
            snprintf(line, sizeof line, "%s_bucket{le=\"+Inf\"} %llu\n", f, cum);
        emit(req, line);
    }
    for (int w = 0; w <= METRICS_MAX_WORKERS; w++)
        sum += shm->slots[w].score_sum;
    snprintf(line, sizeof line, "%s_sum %.6f\n%s_count %llu\n", f, sum, f, cum);
    emit(req, line);
}

void metrics_write(struct request *req)
{
    char line[512];
    resp_stream_begin(req, 200, "text/plain; version=0.0.4");
    if (shm == NULL)
        return;

    emit(req, "# HELP faceclock_requests_total Requests answered, by route and status.\n"
              "# TYPE faceclock_requests_total counter\n");
    for (int r = 0; r < ROUTE_SLOTS; r++) {
        const char *name = r < app_nroutes && r < METRICS_MAX_ROUTES ? app_routes[r].name : "unrouted";
        if (r >= app_nroutes && r < METRICS_MAX_ROUTES)
            continue;
        for (int s = 0; s < NSTATUS; s++) {
            unsigned long long n = 0;
            for (int w = 0; w <= METRICS_MAX_WORKERS; w++)
                n += shm->slots[w].requests[r][s];
            if (n == 0)
                continue;
            char st[16];
            if (status_codes[s] == 0)
                snprintf(st, sizeof st, "other");
            else
                snprintf(st, sizeof st, "%d", status_codes[s]);
            snprintf(line, sizeof line, "faceclock_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
                     name, st, n);
            emit(req, line);
        }
    }

    emit(req, "# HELP faceclock_request_duration_seconds Time from accept to answer, by route.\n"
              "# TYPE faceclock_request_duration_seconds histogram\n");
    for (int r = 0; r < ROUTE_SLOTS; r++) {
        if (r >= app_nroutes && r < METRICS_MAX_ROUTES)
            continue;
        const char *name = r < METRICS_MAX_ROUTES ? app_routes[r].name : "unrouted";
        unsigned long long cum = 0;
        double sum = 0;
        for (int w = 0; w <= METRICS_MAX_WORKERS; w++)
            sum += shm->slots[w].latency_sum[r];
        for (int b = 0; b <= NBUCKETS; b++) {
            for (int w = 0; w <= METRICS_MAX_WORKERS; w++)
                cum += shm->slots[w].latency[r][b];
            if (cum == 0 && b < NBUCKETS)
                continue;              /* a route never called: no series */
            if (b < NBUCKETS)
                snprintf(line, sizeof line,
                         "faceclock_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                         name, buckets[b], cum);
            else if (cum != 0)
                snprintf(line, sizeof line,
                         "faceclock_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                         "faceclock_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                         "faceclock_request_duration_seconds_count{route=\"%s\"} %llu\n",
                         name, cum, name, sum, name, cum);
            else
                break;
            emit(req, line);
        }
    }

    unsigned long long dberr = 0;
    for (int w = 0; w <= METRICS_MAX_WORKERS; w++)
        dberr += shm->slots[w].db_errors;
    snprintf(line, sizeof line,
             "# HELP faceclock_db_errors_total Database failures (unavailable or failed statements).\n"
             "# TYPE faceclock_db_errors_total counter\nfaceclock_db_errors_total %llu\n"
             "# HELP faceclock_workers_alive Worker processes currently running.\n"
             "# TYPE faceclock_workers_alive gauge\nfaceclock_workers_alive %d\n",
             dberr, __atomic_load_n(&shm->workers_alive, __ATOMIC_RELAXED));
    emit(req, line);
    write_counters(req);
    write_score(req);
}
