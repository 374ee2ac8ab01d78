# bench/bench.mk — micro-benchmark of the filter-pattern engine.
#
#   make -f bench/bench.mk bench-filter [BENCH_RUNS=10000]     (from the repo root)
#   include bench/bench.mk                                      (from the Makefile)
#
# Builds bench/bench_filter.c with -O2 against only the engine's sources and
# prints the median time to parse + analyse coverage of a 1024-character
# pattern, in microseconds.

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

.DEFAULT_GOAL := $(BENCH_SAVED_GOAL)
