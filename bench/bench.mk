# bench/bench.mk — benchmarks.
#
#   make bench-all                  both below (the umbrella `make bench` runs)
#   make bench-filter [BENCH_RUNS=10000]
#       the filter-pattern engine: builds bench/bench_filter.c with -O2 against
#       only the engine's sources and prints the median time to parse + analyse
#       coverage of a 1024-character pattern, in microseconds
#   make bench-perf [BENCH_STRICT=1] [BENCH_RESULTS=bench/results.md]
#       the shipped static bootstrap end to end against the fake AWS endpoint and the
#       fake Runtime API (bench/bench_perf.py): requests, connections, depth,
#       wall time at 0 and 50 ms per request, cold start, warm invocation, peak
#       RSS, scale runs, first HTTPS request, sizes; prints a table with
#       PASS/FAIL per target and writes it to BENCH_RESULTS. Exits 0 unless
#       BENCH_STRICT=1 and a target is missed.
#
# bench-filter also works standalone (make -f bench/bench.mk bench-filter);
# bench-perf needs the Makefile's static build rules, so standalone it
# re-invokes make on the Makefile.

# Keep the including Makefile's default goal, wherever this is included.
BENCH_SAVED_GOAL := $(.DEFAULT_GOAL)

BENCH_CC      ?= cc
BENCH_RUNS    ?= 10000
BENCH_BUILD   ?= build/bench
BENCH_WARN    := -std=c11 -Wall -Wextra -Werror -pedantic -Wstrict-prototypes -Wmissing-prototypes \
                 -Wconversion -Wformat=2 -Wcast-qual -Wshadow -Wvla -Wundef -Wpointer-arith \
                 -Wnull-dereference -Wimplicit-fallthrough
BENCH_CFLAGS  ?= $(BENCH_WARN) -O2 -D_GNU_SOURCE -Iinclude -Isrc
BENCH_LIBS    ?= -lcjson -lcrypto

BENCH_FILTER_SRC := src/buf.c src/filter_parse.c src/filter_re.c src/filter_eval.c \
                    src/filter_cover.c bench/bench_filter.c
BENCH_FILTER_BIN := $(BENCH_BUILD)/bench_filter

.PHONY: bench-filter

bench-filter: $(BENCH_FILTER_BIN)
	$(BENCH_FILTER_BIN) $(BENCH_RUNS)

$(BENCH_FILTER_BIN): $(BENCH_FILTER_SRC) include/tw.h include/filter.h src/filter_int.h
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) $(BENCH_FILTER_SRC) $(BENCH_LIBS) -o $@

# --- end to end: bench-perf -------------------------------------------------
BENCH_STRICT   ?= 0
BENCH_RESULTS  ?= bench/results.md
BENCH_PYTHON   ?= /usr/bin/python3
BENCH_PERF_ARGS ?=

.PHONY: bench-all bench-perf

bench-all: bench-filter bench-perf

ifdef STATIC_OBJ
# Included from the Makefile: its static toolchain and objects are known.
BENCH_TOOLS := $(BENCH_BUILD)/coldstart $(BENCH_BUILD)/tls_first $(BENCH_BUILD)/castore \
               $(BENCH_BUILD)/floor $(BENCH_BUILD)/faultcost $(BENCH_BUILD)/bootstrap-nopie \
               $(BENCH_BUILD)/bootstrap-noprefault
# The static link without src/start.c's entry point (tw_start) and the packed
# relocations only it applies.
BENCH_PLAIN_LDFLAGS = $(filter-out $(STATIC_START),$(STATIC_LDFLAGS))

# The static bootstrap as linked (./bootstrap is a copy of it): measuring it
# there leaves ./bootstrap alone for whoever is running it meanwhile.
bench-perf: $(STATIC)/bootstrap $(BENCH_TOOLS)
	$(BENCH_PYTHON) bench/bench_perf.py --bootstrap $(STATIC)/bootstrap --tools $(BENCH_BUILD) \
	    --static-cc "$(STATIC_CC)" --out $(BENCH_RESULTS) --strict "$(BENCH_STRICT)" $(BENCH_PERF_ARGS)

# Native: it only spawns the bootstrap and reads a socket.
$(BENCH_BUILD)/coldstart: bench/coldstart.c
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_WARN) -O2 -D_GNU_SOURCE $< -o $@

# Static, like the bootstrap: the same objects, OpenSSL and libcurl.
$(BENCH_BUILD)/tls_first: bench/tls_first.c $(filter-out $(STATIC)/obj/main.o,$(STATIC_OBJ)) | static-deps
	@mkdir -p $(@D)
	$(STATIC_CC) $(STATIC_CFLAGS) $^ $(STATIC_LDFLAGS) $(STATIC_LIBS) -o $@

# The cold-start floor: a minimal static-pie program doing the same GET.
$(BENCH_BUILD)/floor: bench/floor.c | static-deps
	@mkdir -p $(@D)
	$(STATIC_CC) $(STATIC_CFLAGS) $< $(BENCH_PLAIN_LDFLAGS) -o $@

$(BENCH_BUILD)/faultcost: bench/faultcost.c
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_WARN) -O2 -D_GNU_SOURCE $< -o $@

# The shipped objects linked without PIE (nothing to relocate, so no
# tw_start either), to show what PIE costs at start-up, and linked as static-pie
# the usual way (RELA, musl's own entry point), to show what tw_start saves
# (never shipped: README, Performance).
$(BENCH_BUILD)/bootstrap-nopie: $(STATIC_OBJ) | static-deps
	@mkdir -p $(@D)
	$(STATIC_CC) $(STATIC_OBJ) $(subst -static-pie,-static -no-pie,$(BENCH_PLAIN_LDFLAGS)) $(STATIC_LIBS) -o $@

$(BENCH_BUILD)/bootstrap-noprefault: $(STATIC_OBJ) | static-deps
	@mkdir -p $(@D)
	$(STATIC_CC) $(STATIC_OBJ) $(BENCH_PLAIN_LDFLAGS) $(STATIC_LIBS) -o $@

$(BENCH_BUILD)/castore: bench/castore.c | static-deps
	@mkdir -p $(@D)
	$(STATIC_CC) $(STATIC_CFLAGS) $< $(BENCH_PLAIN_LDFLAGS) -lssl -lcrypto -lpthread -o $@
else
bench-perf:
	$(MAKE) --no-print-directory -f Makefile $@
endif

.DEFAULT_GOAL := $(BENCH_SAVED_GOAL)
