/* tests/bench/hello.c — the transport ceiling for scripts/bench.sh: a
 * FastCGI responder that does nothing but answer {"status":"ok"}, with the
 * same shape as `faceclock serve` (one listening socket, N prefork workers
 * each looping on FCGX_Accept_r), so nginx → FastCGI → nginx is all that is
 * measured.
 *
 *   hello SOCKET [WORKERS]     SOCKET: /abs/path.sock or host:port
 *
 * SIGTERM/SIGINT: the master stops its workers, removes a unix socket and
 * exits. Built by scripts/bench.sh: cc -O2 -o build/bench/hello hello.c -lfcgi
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int worker(int fd)
{
    static const char reply[] =
        "Status: 200 OK\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 16\r\n"
        "\r\n"
        "{\"status\":\"ok\"}\n";
    FCGX_Request req;

    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    if (FCGX_InitRequest(&req, fd, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&req) >= 0) {
        FCGX_PutStr(reply, (int)sizeof reply - 1, req.out);
        FCGX_Finish_r(&req);
    }
    return 0;
}

int main(int argc, char **argv)
{
    pid_t pids[MAX_WORKERS];
    struct sigaction sa;
    int fd, n = 1, i;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s SOCKET [WORKERS]\n", argv[0]);
        return 2;
    }
    if (argc == 3)
        n = atoi(argv[2]);
    if (n < 1 || n > MAX_WORKERS) {
        fprintf(stderr, "hello: WORKERS must be 1..%d\n", MAX_WORKERS);
        return 2;
    }
    if (FCGX_Init() != 0) {
        fprintf(stderr, "hello: FCGX_Init failed\n");
        return 1;
    }
    if (argv[1][0] == '/')
        unlink(argv[1]);
    fd = FCGX_OpenSocket(argv[1], 128);
    if (fd < 0) {
        fprintf(stderr, "hello: cannot listen on %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    if (argv[1][0] == '/')
        chmod(argv[1], 0666);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    for (i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] < 0) {
            perror("hello: fork");
            n = i;
            stop = 1;
            break;
        }
        if (pids[i] == 0)
            _exit(worker(fd));
    }
    while (!stop)
        pause();
    for (i = 0; i < n; i++)
        kill(pids[i], SIGTERM);
    for (i = 0; i < n; i++)
        waitpid(pids[i], NULL, 0);
    if (argv[1][0] == '/')
        unlink(argv[1]);
    return 0;
}
