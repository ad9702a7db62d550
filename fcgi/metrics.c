/* metrics.c — request counters, latency histogram and database errors in
 * a shared anonymous map (one slot per worker), rendered for /metrics. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "app.h"
#include "metrics.h"
#include "response.h"

static const int status_codes[] = {200, 201, 204, 302, 303, 400, 401, 403, 404, 405, 409,
                                   413, 422, 429, 500, 503, 0 /* other */};
#define NSTATUS ((int)(sizeof status_codes / sizeof status_codes[0]))
static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBUCKETS ((int)(sizeof buckets / sizeof buckets[0]))
#define ROUTE_SLOTS (METRICS_MAX_ROUTES + 1)     /* last one: unrouted */

struct slot {
    unsigned long long requests[ROUTE_SLOTS][NSTATUS];
    unsigned long long latency[NBUCKETS + 1];    /* cumulative at render time */
    double latency_sum;
    unsigned long long latency_count;
    unsigned long long db_errors;
};

struct shared {
    int workers_alive;
    struct slot slots[METRICS_MAX_WORKERS + 1];  /* last one: the master / CLI */
};

static struct shared *shm;
static struct slot *mine;

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
    mine->latency[b]++;
    mine->latency_sum += seconds;
    mine->latency_count++;
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

    emit(req, "# HELP faceclock_request_duration_seconds Time from accept to answer.\n"
              "# TYPE faceclock_request_duration_seconds histogram\n");
    unsigned long long cum = 0, count = 0;
    double sum = 0;
    for (int w = 0; w <= METRICS_MAX_WORKERS; w++) {
        count += shm->slots[w].latency_count;
        sum += shm->slots[w].latency_sum;
    }
    for (int b = 0; b <= NBUCKETS; b++) {
        for (int w = 0; w <= METRICS_MAX_WORKERS; w++)
            cum += shm->slots[w].latency[b];
        if (b < NBUCKETS)
            snprintf(line, sizeof line, "faceclock_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                     buckets[b], cum);
        else
            snprintf(line, sizeof line, "faceclock_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
        emit(req, line);
    }
    snprintf(line, sizeof line, "faceclock_request_duration_seconds_sum %.6f\n"
             "faceclock_request_duration_seconds_count %llu\n", sum, count);
    emit(req, line);

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
}
