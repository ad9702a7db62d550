# faceclock — build, run, test, bench.
#   make run     install missing packages, build, start the stack with the demo hotel
#   make test    same bootstrap, then unit tests (Check), a short fuzz pass and
#                end-to-end tests, short fault and soak runs (SUITES picks: unit fuzz e2e
#                browser faults soak)
#   make fuzz    build the libFuzzer targets (tests/fuzz/) and run each for
#                FUZZ_RUNS executions (scripts/fuzz.sh: a table; a crash fails)
#   make bench   wrk against the running stack, beside its ceilings
#   make faults  the fault suite (scripts/faults.sh): a stack of its own under
#                load, one fault at a time, the ledger against the database
#   make coverage gcov build (build/cov/): unit, e2e and fuzz corpora, gcovr
#                report of fcgi/ and handlers/ into var/coverage/
#   make soak    DURATION=10m (default 5m; 30s, 1h): mixed traffic on a stack
#                of its own (scripts/soak.sh); fails when worker RSS, open fds,
#                transient tables or latency grow past their bounds
#   make         build build/release/faceclock only

CC      ?= gcc
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
INC      = -Ifcgi -Ihandlers -I/usr/include/postgresql
DEFS     = -D_GNU_SOURCE -DFC_SQL_DIR='"$(CURDIR)/sql"' -DFC_TEMPLATE_DIR='"$(CURDIR)/templates"' -DFC_REPO_DIR='"$(CURDIR)"'
LIBS     = -lfcgi -lpq -lcurl -lmosquitto -ljson-c -lb64 -lgcrypt -lgnutls -lturbojpeg -lm
# release hardening: fortified libc calls, stack canaries, a position-
# independent executable, and full RELRO (GOT read-only after start-up)
HARDEN   = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARDEN = -pie -Wl,-z,relro,-z,now
CFLAGS_R = -std=c11 -O2 -g $(WARN) $(INC) $(DEFS) $(HARDEN)
# the test build adds the test-only routes (GET /api/test/crash: handlers/app/crash.c)
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CFLAGS_T = -std=c11 -O1 -g $(WARN) $(INC) $(DEFS) $(SAN) -DFC_TEST_ROUTES
# coverage build: gcov counters, no optimisation, no sanitizers
CFLAGS_C = -std=c11 -O0 -g $(WARN) $(INC) $(DEFS) --coverage

SRC      = $(sort $(wildcard fcgi/*.c handlers/*/*.c))
HDR      = $(wildcard fcgi/*.h handlers/*/*.h)
LIB_SRC  = $(filter-out fcgi/main.c,$(SRC))
UNIT_SRC = $(sort $(wildcard tests/unit/*.c tests/unit/*/*.c))
# libFuzzer harnesses (tests/fuzz/<target>.c, one target each) are built with
# clang: the whole library again under ASan+UBSan with coverage hooks
FUZZ_CC  = clang
# (replay_main.c is the coverage build's driver, not a target)
FUZZ_SRC = $(filter-out tests/fuzz/replay_main.c,$(sort $(wildcard tests/fuzz/*.c)))
CFLAGS_F = -std=c11 -O1 -g $(WARN) $(INC) $(DEFS) -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all build deps run test unit e2e bench faults soak fuzz fuzz-build coverage cov-build cluster cluster-down cluster-test cluster-bench clean

all: build/release/faceclock

build: build/release/faceclock build/test/faceclock build/test/unit_tests

R_OBJ    = $(SRC:%.c=build/release/%.o)
T_OBJ    = $(SRC:%.c=build/test/%.o)
U_OBJ    = $(UNIT_SRC:%.c=build/test/%.o) $(filter-out build/test/fcgi/main.o,$(T_OBJ))

build/release/%.o: %.c $(HDR)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_R) -c -o $@ $<

build/test/%.o: %.c $(HDR) $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	@echo "  CC+SAN  $<"
	@$(CC) $(CFLAGS_T) -Itests/unit -c -o $@ $<

build/release/faceclock: $(R_OBJ)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS_R) $(LDHARDEN) -o $@ $(R_OBJ) $(LIBS)

build/test/faceclock: $(T_OBJ)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS_T) -o $@ $(T_OBJ) $(LIBS)

F_OBJ    = $(LIB_SRC:%.c=build/fuzz/%.o)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

build/fuzz/%.o: %.c $(HDR) $(wildcard tests/fuzz/*.h)
	@mkdir -p $(@D)
	@echo "  CC+FUZZ $<"
	@$(FUZZ_CC) $(CFLAGS_F) -Itests/fuzz -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(F_OBJ) $(wildcard tests/fuzz/*.h)
	@echo "  LD+FUZZ $@"
	@$(FUZZ_CC) $(CFLAGS_F) -Itests/fuzz -fsanitize=fuzzer -o $@ $< $(F_OBJ) $(LIBS)

# the objects are kept between builds (not intermediate files to delete)
.SECONDARY: $(F_OBJ)

fuzz-build: $(FUZZ_BIN)

build/test/unit_tests: $(U_OBJ)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS_T) -o $@ $(U_OBJ) $(LIBS) -lcheck -lsubunit -lrt -lpthread

# The coverage build: the same sources as build/test/, gcc --coverage -O0;
# the fuzz targets are linked with tests/fuzz/replay_main.c (one run per
# corpus file) instead of libFuzzer.
C_OBJ    = $(SRC:%.c=build/cov/%.o)
C_LIB    = $(filter-out build/cov/fcgi/main.o,$(C_OBJ))
CU_OBJ   = $(UNIT_SRC:%.c=build/cov/%.o) $(C_LIB)
COV_FUZZ = $(FUZZ_SRC:tests/fuzz/%.c=build/cov/fuzz/%)

build/cov/%.o: %.c $(HDR) $(wildcard tests/unit/*.h)
	@mkdir -p $(@D)
	@echo "  CC+COV  $<"
	@$(CC) $(CFLAGS_C) -Itests/unit -Itests/fuzz -c -o $@ $<

build/cov/faceclock: $(C_OBJ)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS_C) -o $@ $(C_OBJ) $(LIBS)

build/cov/unit_tests: $(CU_OBJ)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS_C) -o $@ $(CU_OBJ) $(LIBS) -lcheck -lsubunit -lrt -lpthread

build/cov/fuzz/%: build/cov/tests/fuzz/%.o build/cov/tests/fuzz/replay_main.o $(C_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS_C) -o $@ $^ $(LIBS)

.SECONDARY: $(C_OBJ) $(FUZZ_SRC:%.c=build/cov/%.o) build/cov/tests/fuzz/replay_main.o

cov-build: build/cov/faceclock build/cov/unit_tests $(COV_FUZZ)

# not part of `make test`: a slower build and a full e2e run of its own
coverage: deps
	@$(MAKE) --no-print-directory cov-build build/release/faceclock
	@scripts/coverage.sh

deps:
	@scripts/deps.sh

unit: build/test/unit_tests
	ASAN_OPTIONS=detect_leaks=1 CK_FORK=no build/test/unit_tests

run: deps
	@$(MAKE) --no-print-directory build/release/faceclock
	@scripts/run.sh

test: deps
	@$(MAKE) --no-print-directory build
	@scripts/test.sh

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@scripts/fuzz.sh

bench: deps
	@$(MAKE) --no-print-directory build/release/faceclock
	@scripts/bench.sh

faults: deps
	@$(MAKE) --no-print-directory build/release/faceclock
	@scripts/faults.sh full

soak: deps
	@$(MAKE) --no-print-directory build/release/faceclock
	@scripts/soak.sh $(or $(DURATION),5m)

# the cluster on one machine (root; scripts/cluster.sh, docs/operations.md
# "Cluster"): its own Debian packages (patroni, etcd) by `cluster.sh deps`,
# not scripts/deps.sh, so plain `make test` does not need them
cluster: deps
	@$(MAKE) --no-print-directory build/release/faceclock
	@scripts/cluster.sh deps
	@scripts/cluster.sh up

cluster-down:
	@scripts/cluster.sh down

cluster-test: deps
	@$(MAKE) --no-print-directory build/release/faceclock
	@scripts/cluster.sh test

cluster-bench: deps
	@$(MAKE) --no-print-directory build/release/faceclock
	@scripts/cluster.sh bench

clean:
	rm -rf build
