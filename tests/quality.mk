# tests/quality.mk — the same tests, instrumented (STYLE.md §12).
#
#   include tests/quality.mk    (from the Makefile, after the native rules)
#
#   make asan        unit tests and integration tests (against an ASan+UBSan
#                    native bootstrap) built in $(ASAN_BUILD)
#   make ubsan       the same with UBSan alone (plus float-cast-overflow), in
#                    $(UBSAN_BUILD)
#   make valgrind    every unit test binary under valgrind memcheck
#   make warm-loop   tests/it_warm_loop.py in full: 1,000 invocations of
#                    build/native/bootstrap under valgrind (0 errors, nothing
#                    definitely or indirectly lost) and the RSS checks on the
#                    native and the static bootstrap
#   make coverage    unit + integration tests against a --coverage native
#                    build in $(COV_BUILD); prints line and branch coverage of
#                    src/ (gcovr) and writes $(COV_BUILD)/index.html
#
# Every sanitizer build uses -fno-sanitize-recover=all, so the first report
# aborts the test that hit it. Each build has its own directory, so they never
# mix objects with the plain build/native. The nested makes pass BUILD,
# EXTRA_CFLAGS and EXTRA_LDFLAGS to the Makefile's own native rules.
# In the integration runs TW_WARM_LOOP_RSS=0: ASan's quarantine and gcov's
# counters grow on purpose, so the warm loop still runs (1,000 invocations
# under the sanitizer) but its RSS comparison is only made on plain builds.

ASAN_BUILD    ?= $(BUILD)/asan
UBSAN_BUILD   ?= $(BUILD)/ubsan
COV_BUILD     ?= $(BUILD)/coverage
QUALITY_PY    := /usr/bin/python3

# -O1 and no _FORTIFY_SOURCE (the Makefile's HARDEN sets -O2 and =2; later
# flags win): fortified wrappers hide overflows from ASan's interceptors.
SAN_COMMON    := -g -O1 -U_FORTIFY_SOURCE -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_SAN      := -fsanitize=address,undefined
UBSAN_SAN     := -fsanitize=undefined,float-cast-overflow
# halt_on_error is ASan's default; detect_leaks makes a leak fail the test
# binary at exit (LeakSanitizer). Integration tests start the bootstrap with
# their own environment: there the defaults apply (the same ones).
SAN_ENV       := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

VALGRIND      := valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \
                 --error-exitcode=99 --quiet

.PHONY: asan ubsan valgrind warm-loop coverage

# One recipe for both: the build directory and the sanitizers differ.
asan: SAN_BUILD := $(ASAN_BUILD)
asan: SAN_FLAGS := $(ASAN_SAN)
ubsan: SAN_BUILD := $(UBSAN_BUILD)
ubsan: SAN_FLAGS := $(UBSAN_SAN)
asan ubsan: packages
	@echo "== $@: unit tests ($(SAN_BUILD))"
	$(Q)$(SAN_ENV) $(MAKE) --no-print-directory BUILD=$(SAN_BUILD) \
	    EXTRA_CFLAGS='$(SAN_FLAGS) $(SAN_COMMON)' EXTRA_LDFLAGS='$(SAN_FLAGS)' unit native
	@echo "== $@: integration tests against $(SAN_BUILD)/native/bootstrap"
	$(Q)$(SAN_ENV) TW_BOOTSTRAP=$(SAN_BUILD)/native/bootstrap TW_WARM_LOOP_RSS=0 \
	    scripts/run-integration.sh

# The plain native unit tests, each under memcheck, from the repo root
# (fixtures are found by relative path).
valgrind: packages $(UNIT_BIN)
	@fail=; for t in $(UNIT_BIN); do \
	    echo "  VALGRIND $$t"; \
	    $(VALGRIND) $$t >$$t.valgrind.log 2>&1 \
	        || { tail -60 $$t.valgrind.log; fail="$$fail $$(basename $$t)"; }; \
	done; \
	if [ -n "$$fail" ]; then echo "valgrind: FAILED:$$fail"; exit 1; fi; \
	echo "valgrind: $(words $(UNIT_BIN)) unit test binaries clean"

warm-loop: packages bootstrap $(NATIVE)/bootstrap
	$(Q)TW_WARM_LOOP_VALGRIND=1 TW_WARM_LOOP_NATIVE=1 $(QUALITY_PY) -m unittest -v tests.it_warm_loop

# gcovr comes from Debian; installed here if missing (idempotent).
coverage: packages
	@command -v gcovr >/dev/null 2>&1 || { \
	    echo "coverage: installing gcovr"; \
	    env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	    env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gcovr >/dev/null; }
	@mkdir -p $(COV_BUILD)
	@find $(COV_BUILD) -name '*.gcda' -delete
	@echo "== coverage: unit tests ($(COV_BUILD))"
	$(Q)$(MAKE) --no-print-directory BUILD=$(COV_BUILD) \
	    EXTRA_CFLAGS='--coverage -O0 -U_FORTIFY_SOURCE' EXTRA_LDFLAGS='--coverage' unit native
	@echo "== coverage: integration tests against $(COV_BUILD)/native/bootstrap"
	$(Q)TW_BOOTSTRAP=$(COV_BUILD)/native/bootstrap TW_WARM_LOOP_RSS=0 scripts/run-integration.sh
	@echo "== coverage of src/ (unit + integration)"
	$(Q)gcovr --root . --filter 'src/' --object-directory $(COV_BUILD)/native/obj \
	    --html-details $(COV_BUILD)/index.html --print-summary $(COV_BUILD)/native \
	    | tee $(COV_BUILD)/summary.txt
