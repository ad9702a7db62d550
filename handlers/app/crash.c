/* crash.c — GET /api/test/crash, in the test build only (-DFC_TEST_ROUTES,
 * Makefile CFLAGS_T): the system administrator makes the worker on the
 * request die of a real SIGSEGV, so the crash path is exercised end to end
 * (nginx answers 502, the master logs the death with its signal and route
 * and replaces the worker; tests/e2e/fcgi/test_crash.py). The marker line
 * logged first, and the route's name in the master's death line, are what
 * scripts/scan_log.py accepts as an expected death; any other fails
 * `make test`. The release build compiles this file to nothing. */
#ifdef FC_TEST_ROUTES
#include <sys/mman.h>
#include <unistd.h>
#include "handlers.h"
#include "log.h"

void h_test_crash(struct request *req)
{
    (void)req;
    /* a page nobody may touch: the store below faults in the hardware, not
     * in a sanitizer's null-pointer check */
    long size = sysconf(_SC_PAGESIZE);
    volatile char *page = mmap(NULL, (size_t)(size > 0 ? size : 4096), PROT_NONE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    log_warn("test crash: worker %d faults on purpose (expected death)", (int)getpid());
    *page = 1;
}
#else
typedef int crash_c_is_test_build_only;
#endif
