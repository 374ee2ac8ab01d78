# tests/fuzz/fuzz.mk — libFuzzer targets for every parser of outside input.
#
#   make -f tests/fuzz/fuzz.mk fuzz-all [FUZZ_SECONDS=60]   (from the repo root)
#   include tests/fuzz/fuzz.mk                               (from the Makefile)
#
#   fuzz-all             every target below, FUZZ_SECONDS each, one after the other
#   fuzz-<name>          one target: filter event params arn profile json query http1
#   fuzz-build           build every target, run nothing
#   fuzz-regressions     replay tests/fuzz/regressions/<name>/* and every seed
#                        corpus through the binaries (no fuzzing; seconds)
#
#   target   what it parses                                    seeds
#   filter   CloudWatch Logs filter patterns (filter.h)        corpus/filter
#   event    the invocation payload (event.h) and the rule     corpus/event
#            parameters it carries (params.h)
#   params   rule parameters as JSON (params.h via cJSON)      corpus/params
#   arn      ARNs (arn.h) and the assumed-role ARN (creds.h)   corpus/arn
#   profile  shared credentials/config files (creds.h)         corpus/profile
#   json     JSON 1.1 replies, JSON error bodies, awsjson.h    corpus/json
#   query    Query XML replies, Query error bodies, awsxml.h   corpus/query
#   http1    Runtime API answers: the HTTP/1.1 response        corpus/http1
#            parser (http1.h), fed whole and in pieces
#
# Each builds with clang, libFuzzer, ASan and UBSan (any finding aborts), then
# runs for FUZZ_SECONDS on a scratch corpus seeded from tests/fuzz/corpus/<name>/.
# New inputs go to $(FUZZ_BUILD)/corpus/<name>, never into the tree; crash
# reproducers land in $(FUZZ_BUILD)/<name>-crash-*. Reproduce one with
#   $(FUZZ_BUILD)/fuzz_<name> <file>
# and keep it as a regression test: copy it to tests/fuzz/regressions/<name>/.
# FUZZ_JOBS=N runs N fuzzing processes per target (libFuzzer -fork); the CI
# machine has two cores. Only the sources a target needs are compiled: the
# rest of src/ may be mid-edit and a fuzzer must not depend on it.
# (-Wno-format-nonliteral: clang flags buf.c's va_list printf wrappers, which
# gcc accepts.)

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_ARGS     ?=
FUZZ_JOBS     ?= 1
# 1: also fail when an error message carries a control character (tw.h: "one
# line"). Off until src/ stops quoting outside input verbatim (README.md).
FUZZ_STRICT_MSG ?= 1
FUZZ_ENV       = $(if $(filter 1,$(FUZZ_STRICT_MSG)),TW_FUZZ_STRICT_MSG=1)
FUZZ_BUILD    ?= build/fuzz
FUZZ_WARN     := -std=c11 -Wall -Wextra -Werror -pedantic -Wstrict-prototypes -Wmissing-prototypes \
                 -Wconversion -Wformat=2 -Wcast-qual -Wshadow -Wvla -Wundef -Wpointer-arith \
                 -Wnull-dereference -Wimplicit-fallthrough -Wno-format-nonliteral
FUZZ_SAN      := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   ?= $(FUZZ_WARN) $(FUZZ_SAN) -g -O1 -D_GNU_SOURCE -Iinclude -Isrc -Itests/fuzz
FUZZ_LIBS     ?= -lcjson -lexpat -lcrypto
FUZZ_NAMES    := filter event params arn profile json query http1

# Sources per target (the target's own file comes last).
FUZZ_FILTER_SRC  := src/buf.c src/filter_parse.c src/filter_re.c src/filter_eval.c \
                    src/filter_cover.c tests/fuzz/fuzz_filter.c
FUZZ_EVENT_SRC   := src/buf.c src/timeutil.c src/event.c src/params.c tests/fuzz/fuzz_event.c
FUZZ_PARAMS_SRC  := src/buf.c src/params.c tests/fuzz/fuzz_params.c
FUZZ_ARN_SRC     := src/buf.c src/arn.c src/creds.c tests/fuzz/fuzz_arn.c
FUZZ_PROFILE_SRC := src/buf.c src/arn.c src/creds.c tests/fuzz/fuzz_profile.c
FUZZ_PROTO_SRC   := src/buf.c src/timeutil.c src/arn.c src/creds.c src/facts.c src/awsjson.c \
                    src/awsxml.c src/awsproto.c src/proto_cloudtrail.c src/proto_cloudwatch.c \
                    src/proto_config.c src/proto_logs.c src/proto_sns.c src/proto_sts.c \
                    src/report.c src/event.c
FUZZ_JSON_SRC    := $(FUZZ_PROTO_SRC) tests/fuzz/fuzz_json.c
FUZZ_HTTP1_SRC   := src/buf.c src/http1.c tests/fuzz/fuzz_http1.c
FUZZ_QUERY_SRC   := $(FUZZ_PROTO_SRC) tests/fuzz/fuzz_query.c

# Longest input per target: above the largest seed, below what slows the search.
FUZZ_FILTER_MAXLEN  := 1100
FUZZ_EVENT_MAXLEN   := 8192
FUZZ_PARAMS_MAXLEN  := 1024
FUZZ_ARN_MAXLEN     := 2200
FUZZ_PROFILE_MAXLEN := 4096
FUZZ_JSON_MAXLEN    := 8192
FUZZ_QUERY_MAXLEN   := 8192
FUZZ_HTTP1_MAXLEN   := 4096

FUZZ_HDR      := $(wildcard include/*.h src/*.h) tests/fuzz/fuzz_common.h
FUZZ_BINS     := $(foreach n,$(FUZZ_NAMES),$(FUZZ_BUILD)/fuzz_$(n))
FUZZ_UPPER     = $(shell echo $(1) | tr a-z A-Z)

.PHONY: fuzz-all fuzz-build fuzz-regressions $(addprefix fuzz-,$(FUZZ_NAMES)) \
        $(addsuffix -build,$(addprefix fuzz-,$(FUZZ_NAMES)))

fuzz-build: $(FUZZ_BINS)

# Sequential on purpose: each target gets the whole machine for its seconds.
fuzz-all: fuzz-build
	@for n in $(FUZZ_NAMES); do \
	    $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) fuzz-$$n || exit 1; \
	done

# One run: -print_final_stats=1 prints stat::number_of_executed_units, the
# figure the README quotes.
define FUZZ_TARGET
$(1)_UP := $(call FUZZ_UPPER,$(1))

fuzz-$(1)-build: $$(FUZZ_BUILD)/fuzz_$(1)

fuzz-$(1): $$(FUZZ_BUILD)/fuzz_$(1)
	@mkdir -p $$(FUZZ_BUILD)/corpus/$(1)
	@echo "  FUZZ    $(1) for $$(FUZZ_SECONDS) s"
	$$(Q)$$(FUZZ_ENV) $$(FUZZ_BUILD)/fuzz_$(1) -max_len=$$(FUZZ_$$($(1)_UP)_MAXLEN) \
	    -max_total_time=$$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    $$(if $$(filter-out 1,$$(FUZZ_JOBS)),-fork=$$(FUZZ_JOBS)) \
	    -artifact_prefix=$$(FUZZ_BUILD)/$(1)- -print_final_stats=1 $$(FUZZ_ARGS) \
	    $$(FUZZ_BUILD)/corpus/$(1) tests/fuzz/corpus/$(1)

$$(FUZZ_BUILD)/fuzz_$(1): $$(FUZZ_$$($(1)_UP)_SRC) $$(FUZZ_HDR)
	@mkdir -p $$(@D)
	@echo "  FUZZCC  $$@"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(FUZZ_$$($(1)_UP)_SRC) $$(FUZZ_LIBS) -o $$@
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call FUZZ_TARGET,$(n))))

# Replays every file of tests/fuzz/regressions/<name>/ and tests/fuzz/corpus/<name>/
# through the target (libFuzzer runs the files given and exits; any crash,
# leak, UB or failed check fails the make). Fast enough for `make test`.
fuzz-regressions: $(FUZZ_BINS)
	@failed=; for n in $(FUZZ_NAMES); do \
	    files=$$(find tests/fuzz/regressions/$$n tests/fuzz/corpus/$$n -type f \
	             ! -name '*.md' 2>/dev/null | sort); \
	    [ -n "$$files" ] || continue; \
	    if $(FUZZ_ENV) $(FUZZ_BUILD)/fuzz_$$n -runs=1 $$files >$(FUZZ_BUILD)/regressions-$$n.log 2>&1; then \
	        echo "  FUZZREG $$n: $$(echo "$$files" | wc -l) inputs ok"; \
	    else \
	        grep -a -E '^Running: |check failed|control character|ERROR: |runtime error' \
	            $(FUZZ_BUILD)/regressions-$$n.log | tail -6; \
	        echo "  FUZZREG $$n: FAILED (log: $(FUZZ_BUILD)/regressions-$$n.log)"; failed="$$failed $$n"; \
	    fi; \
	done; \
	[ -z "$$failed" ] || { echo "fuzz-regressions: failed:$$failed"; exit 1; }
