/* master.c — the prefork master: opens the FastCGI socket (a unix one
 * mode 0660, of FACECLOCK_SOCKET_GROUP), loads the page
 * templates, drops privileges, makes the devices' CA once (fcgi/ca.h),
 * forks the workers, respawns the dead (with
 * back-off when they die young), drains on SIGTERM/SIGINT, and on SIGHUP
 * re-reads the configuration and the templates and replaces the workers
 * one by one, each old one retired once its successor is ready. Between
 * signals it runs the watchdog (watchdog.c): a worker busy on one request
 * past the deadline is killed and replaced like any other dead worker.
 * It supervises the application's services (app.h app_services) the same
 * way: one process each, no FastCGI socket, respawned with back-off,
 * stopped on SIGTERM, stopped and started again on SIGHUP. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcgiapp.h>
#include "app.h"
#include "ca.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "page.h"
#include "server.h"
#include "watchdog.h"

struct slot {
    pid_t pid;              /* 0 = empty */
    double started;         /* monotonic */
    double respawn_at;      /* when empty: when to fork again */
    int failures;           /* consecutive early deaths */
};

static struct slot slots[METRICS_MAX_WORKERS];
static int nslots;
/* one per app_services[i]; restart: stopped by a reload, start again at once */
#define MAX_SERVICES 16
static struct slot services[MAX_SERVICES];
static int restart[MAX_SERVICES];
static int nservices;
static pid_t retiring[METRICS_MAX_WORKERS * 2];   /* old workers draining after a reload */
static int listen_fd = -1;

static int is_unix_socket(const char *s)
{
    return strchr(s, ':') == NULL;
}

/* The user to become after binding: FACECLOCK_USER when started as root
 * (and set), else NULL. Ends the start-up when that user does not exist. */
static const struct passwd *run_as(int *missing)
{
    const char *user = getenv("FACECLOCK_USER");
    *missing = 0;
    if (getuid() != 0 || user == NULL || *user == '\0')
        return NULL;
    const struct passwd *pw = getpwnam(user);
    if (pw == NULL) {
        log_error("FACECLOCK_USER %s does not exist", user);
        *missing = 1;
    }
    return pw;
}

/* The unix socket: mode 0660, owned by the user the master runs as and
 * by FACECLOCK_SOCKET_GROUP (by default that user's group): nginx
 * connects as the owner or as a member of the group, nobody else. */
static int own_socket(const char *path, const struct passwd *pw)
{
    uid_t uid = pw ? pw->pw_uid : (uid_t)-1;
    gid_t gid = pw ? pw->pw_gid : (gid_t)-1;
    const char *name = g_config.socket_group;
    if (name[0] != '\0') {
        const struct group *gr = getgrnam(name);
        char *end;
        unsigned long n = strtoul(name, &end, 10);
        if (gr != NULL)
            gid = gr->gr_gid;
        else if (*end == '\0' && end != name)
            gid = (gid_t)n;
        else {
            log_error("FACECLOCK_SOCKET_GROUP %s does not exist", name);
            return -1;
        }
    }
    if (chmod(path, 0660) < 0 ||
        ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) < 0)) {
        log_error("cannot give %s mode 0660 and its owner: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int open_socket(const struct passwd *pw)
{
    const char *path = g_config.socket;
    if (is_unix_socket(path))
        unlink(path);
    int fd = FCGX_OpenSocket(path, 1024);
    if (fd < 0) {
        log_error("cannot listen on %s: %s", path, strerror(errno));
        return -1;
    }
    if (is_unix_socket(path) && own_socket(path, pw) < 0) {
        close(fd);
        unlink(path);
        return -1;
    }
    log_info("listening on %s", path);
    return fd;
}

/* As root with FACECLOCK_USER set: become that user (after binding). */
static int drop_privileges(const struct passwd *pw)
{
    if (pw == NULL)
        return 0;
    if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
        log_error("cannot become %s: %s", pw->pw_name, strerror(errno));
        return -1;
    }
    log_info("running as %s", pw->pw_name);
    return 0;
}

static void count_alive(void)
{
    int n = 0;
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid > 0)
            n++;
    metrics_set_workers_alive(n);
}

/* Fork the worker of slot i. With ready (a pipe), the worker writes to
 * its write end once ready; the child closes the read end. */
static int spawn(int i, const int *ready)
{
    int entry = watchdog_claim();
    pid_t pid = fork();
    if (pid < 0) {
        watchdog_assign(entry, -1);
        log_error("fork: %s", strerror(errno));
        slots[i].respawn_at = now_monotonic() + 1;
        return -1;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (ready != NULL)
            close(ready[0]);
        watchdog_attach(entry);
        exit(worker_run(listen_fd, i, ready ? ready[1] : -1));
    }
    watchdog_assign(entry, pid);
    slots[i].pid = pid;
    slots[i].started = now_monotonic();
    count_alive();
    return 0;
}

static void add_retiring(pid_t pid)
{
    for (size_t i = 0; i < sizeof retiring / sizeof retiring[0]; i++)
        if (retiring[i] == 0) {
            retiring[i] = pid;
            return;
        }
    kill(pid, SIGKILL);             /* no room to track it: do not leak it */
}

static int take_retiring(pid_t pid)
{
    for (size_t i = 0; i < sizeof retiring / sizeof retiring[0]; i++)
        if (retiring[i] == pid) {
            retiring[i] = 0;
            return 1;
        }
    return 0;
}

/* A child of slot s died (not cleanly): count an early death and return
 * how long to wait before forking again. */
static double backoff(struct slot *s, double lived)
{
    if (lived < 5.0)
        s->failures++;
    else
        s->failures = 0;
    double delay = 0;
    if (s->failures > 0) {
        delay = 0.1 * (double)(1 << (s->failures < 6 ? s->failures : 6));
        if (delay > 5.0)
            delay = 5.0;
    }
    return delay;
}

static volatile sig_atomic_t service_stop;

static void on_service_term(int sig)
{
    (void)sig;
    service_stop = 1;
}

/* Fork service i: the child runs app_services[i].run until SIGTERM. */
static void spawn_service(int i)
{
    pid_t pid = fork();
    if (pid < 0) {
        log_error("fork: %s", strerror(errno));
        services[i].respawn_at = now_monotonic() + 1;
        return;
    }
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_service_term;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGINT, SIG_IGN);            /* the master decides */
        signal(SIGHUP, SIG_IGN);
        signal(SIGCHLD, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        /* its process name: "svc:<name>" (ps, /proc/<pid>/comm) tells it
         * from the workers */
        char comm[16];
        snprintf(comm, sizeof comm, "svc:%s", app_services[i].name);
        prctl(PR_SET_NAME, comm);
        if (listen_fd >= 0)
            close(listen_fd);
        log_init(app_services[i].name);
        if (getppid() == 1)
            _exit(0);                       /* the master is already gone */
        if (crypto_init() < 0) {
            log_error("libgcrypt initialisation failed");
            _exit(70);
        }
        db_init(g_config.database_url);
        log_info("service started");
        int rc = app_services[i].run(&service_stop);
        db_close();
        log_info("service stopped (status %d)", rc);
        exit(rc);
    }
    services[i].pid = pid;
    services[i].started = now_monotonic();
    restart[i] = 0;
}

/* A service that died: log it and schedule its respawn. 1 if pid was one. */
static int reap_service(pid_t pid, int status, int shutting_down)
{
    int i;
    for (i = 0; i < nservices && services[i].pid != pid; i++)
        ;
    if (i == nservices)
        return 0;
    double lived = now_monotonic() - services[i].started;
    services[i].pid = 0;
    if (shutting_down)
        return 1;
    const char *name = app_services[i].name;
    if (restart[i]) {
        log_info("service %s (%d) stopped for the reload; starting it again", name, (int)pid);
        services[i].failures = 0;
        services[i].respawn_at = 0;
        return 1;
    }
    double delay = backoff(&services[i], lived);
    if (WIFSIGNALED(status))
        log_warn("service %s (%d) killed by signal %d after %.1fs; respawn in %.1fs",
                 name, (int)pid, WTERMSIG(status), lived, delay);
    else
        log_warn("service %s (%d) exited with status %d after %.1fs; respawn in %.1fs",
                 name, (int)pid, WEXITSTATUS(status), lived, delay);
    services[i].respawn_at = now_monotonic() + delay;
    return 1;
}

static void reap(int shutting_down)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        char busy[160];
        watchdog_release(pid, busy, sizeof busy);
        if (take_retiring(pid) || reap_service(pid, status, shutting_down))
            continue;
        int i;
        for (i = 0; i < nslots && slots[i].pid != pid; i++)
            ;
        if (i == nslots)
            continue;
        double lived = now_monotonic() - slots[i].started;
        slots[i].pid = 0;
        count_alive();
        if (shutting_down)
            continue;
        int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (clean) {
            log_info("worker %d (slot %d) recycled itself after %.1fs", (int)pid, i, lived);
            slots[i].failures = 0;
            slots[i].respawn_at = 0;
        } else {
            double delay = backoff(&slots[i], lived);
            if (WIFSIGNALED(status))
                log_warn("worker %d (slot %d) killed by signal %d after %.1fs%s; respawn in %.1fs",
                         (int)pid, i, WTERMSIG(status), lived, busy, delay);
            else
                log_warn("worker %d (slot %d) exited with status %d after %.1fs%s; respawn in %.1fs",
                         (int)pid, i, WEXITSTATUS(status), lived, busy, delay);
            slots[i].respawn_at = now_monotonic() + delay;
        }
    }
}

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Spawn slot i's worker and wait until it is connected to the database
 * (it says so on a pipe), has died (the pipe closes), or 10 s pass. */
static void spawn_and_wait_ready(int i)
{
    int fds[2];
    if (pipe(fds) < 0) {
        log_warn("pipe: %s; not waiting for the new worker", strerror(errno));
        spawn(i, NULL);
        return;
    }
    double t0 = now_monotonic();
    int spawned = spawn(i, fds) == 0;
    close(fds[1]);
    if (spawned) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int n;
        while ((n = poll(&pfd, 1, 10000)) < 0 && errno == EINTR)
            ;
        if (n == 0)
            log_warn("worker %d (slot %d) not ready after 10s; retiring the old one anyway",
                     (int)slots[i].pid, i);
        else
            log_info("worker %d (slot %d) ready in %.2fs", (int)slots[i].pid, i, now_monotonic() - t0);
    }
    close(fds[0]);
}

/* SIGHUP: new configuration; replace every worker, one at a time. */
static void reload(void)
{
    struct config old = g_config;
    if (config_load() < 0) {
        log_error("configuration invalid; keeping the old one");
        g_config = old;
        return;
    }
    if (strcmp(old.socket, g_config.socket) != 0) {
        log_warn("FACECLOCK_SOCKET changed; a restart is needed to move the socket");
        memcpy(g_config.socket, old.socket, sizeof old.socket);
    }
    /* a template set that does not load keeps the old one (logged) */
    page_templates_load(g_config.templates_dir);
    int want = g_config.workers;
    log_info("reloading: replacing %d workers with %d", nslots, want);
    for (int i = 0; i < METRICS_MAX_WORKERS; i++) {
        if (i >= want && i >= nslots)
            break;
        pid_t old_pid = i < nslots ? slots[i].pid : 0;
        if (i < want) {
            slots[i].pid = 0;
            slots[i].failures = 0;
            spawn_and_wait_ready(i);
        } else {
            slots[i].pid = 0;
        }
        if (old_pid > 0) {
            add_retiring(old_pid);
            kill(old_pid, SIGTERM);
        }
    }
    nslots = want;
    count_alive();
    /* services: stop each; reap_service starts it again once it is gone */
    for (int i = 0; i < nservices; i++)
        if (services[i].pid > 0) {
            restart[i] = 1;
            kill(services[i].pid, SIGTERM);
        }
}

static void shutdown_workers(void)
{
    double deadline = now_monotonic() + 10.0;
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid > 0)
            kill(slots[i].pid, SIGTERM);
    for (size_t i = 0; i < sizeof retiring / sizeof retiring[0]; i++)
        if (retiring[i] > 0)
            kill(retiring[i], SIGTERM);
    for (int i = 0; i < nservices; i++)
        if (services[i].pid > 0)
            kill(services[i].pid, SIGTERM);
    for (;;) {
        reap(1);
        int left = 0;
        for (int i = 0; i < nslots; i++)
            left += slots[i].pid > 0;
        for (size_t i = 0; i < sizeof retiring / sizeof retiring[0]; i++)
            left += retiring[i] > 0;
        for (int i = 0; i < nservices; i++)
            left += services[i].pid > 0;
        if (left == 0)
            break;
        if (now_monotonic() > deadline) {
            log_warn("%d workers still busy after 10s; killing them", left);
            for (int i = 0; i < nslots; i++)
                if (slots[i].pid > 0)
                    kill(slots[i].pid, SIGKILL);
            for (size_t i = 0; i < sizeof retiring / sizeof retiring[0]; i++)
                if (retiring[i] > 0)
                    kill(retiring[i], SIGKILL);
            for (int i = 0; i < nservices; i++)
                if (services[i].pid > 0)
                    kill(services[i].pid, SIGKILL);
            deadline = now_monotonic() + 5.0;
        }
        sleep_seconds(0.02);
    }
}

int master_run(void)
{
    sigset_t set;
    siginfo_t info;

    log_init("master");
    if (metrics_init() < 0 || watchdog_init() < 0) {
        log_error("cannot map shared memory: %s", strerror(errno));
        return 1;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    int missing;
    const struct passwd *pw = run_as(&missing);
    if (missing || (listen_fd = open_socket(pw)) < 0)
        return 1;
    /* read while the master may still read anything; the workers inherit them */
    if (page_templates_load(g_config.templates_dir) < 0)
        return 1;
    if (drop_privileges(pw) < 0)
        return 1;
    /* the devices' CA, made once (as the user the workers run as) */
    if (ca_ensure(g_config.state_dir, "faceclock device CA") < 0)
        log_error("no CA under %s: certificates cannot be issued", g_config.state_dir);
    nslots = g_config.workers;
    for (int i = 0; i < nslots; i++)
        spawn(i, NULL);
    log_info("started %d workers", nslots);
    nservices = app_nservices < MAX_SERVICES ? app_nservices : MAX_SERVICES;
    for (int i = 0; i < nservices; i++) {
        spawn_service(i);
        log_info("started service %s (%d)", app_services[i].name, (int)services[i].pid);
    }

    for (;;) {
        /* wake for a signal, in time for the next scheduled respawn, or
         * when the watchdog's next deadline falls */
        double now = now_monotonic();
        double next = watchdog_check(now);
        if (next > 1.0)
            next = 1.0;
        for (int i = 0; i < nslots; i++)
            if (slots[i].pid == 0 && slots[i].respawn_at - now < next)
                next = slots[i].respawn_at - now;
        for (int i = 0; i < nservices; i++)
            if (services[i].pid == 0 && services[i].respawn_at - now < next)
                next = services[i].respawn_at - now;
        if (next < 0.001)
            next = 0.001;
        struct timespec ts = {(time_t)next, (long)((next - (double)(time_t)next) * 1e9)};
        int sig = sigtimedwait(&set, &info, &ts);

        if (sig == SIGTERM || sig == SIGINT) {
            log_info("signal %d: draining workers", sig);
            shutdown_workers();
            if (is_unix_socket(g_config.socket) && unlink(g_config.socket) < 0 && errno != ENOENT)
                log_warn("could not remove %s: %s", g_config.socket, strerror(errno));
            page_templates_free();
            log_info("stopped");
            return 0;
        }
        if (sig == SIGHUP)
            reload();
        reap(0);
        now = now_monotonic();
        for (int i = 0; i < nslots; i++)
            if (slots[i].pid == 0 && slots[i].respawn_at <= now)
                spawn(i, NULL);
        for (int i = 0; i < nservices; i++)
            if (services[i].pid == 0 && services[i].respawn_at <= now)
                spawn_service(i);
    }
}
