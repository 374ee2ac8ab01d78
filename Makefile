# trailwatch — build, test and package.
#
#   make            the static ./bootstrap (x86_64; ARCH=arm64 for aarch64)
#   make test       every unit and integration test (installs what it needs)
#   make demo       run the audit locally against the bundled fake AWS
#
# Unit tests and tools build natively against Debian's shared libraries;
# only the shipped bootstrap is static (musl + libraries built by
# scripts/deps.sh and cached outside the tree).

ARCH      ?= x86_64
VERSION   := 0.1.0
BUILD     := build
NATIVE    := $(BUILD)/native
STATIC    := $(BUILD)/static-$(ARCH)

SRC       := $(sort $(wildcard src/*.c))
LIB_SRC   := $(filter-out src/main.c,$(SRC))
HDR       := $(wildcard include/*.h src/*.h)
UNIT_SRC  := $(sort $(wildcard tests/test_*.c))
UNIT_BIN  := $(patsubst tests/%.c,$(NATIVE)/%,$(UNIT_SRC))
TESTLIB_SRC := $(sort $(wildcard tests/support/*.c))

WARN      := -std=c11 -Wall -Wextra -Werror -pedantic -Wstrict-prototypes \
             -Wmissing-prototypes -Wconversion -Wformat=2 -Wcast-qual -Wshadow \
             -Wvla -Wundef -Wpointer-arith -Wnull-dereference -Wimplicit-fallthrough
HARDEN    := -O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fno-plt
DEFS      := -D_GNU_SOURCE -DTW_VERSION='"$(VERSION)"' -Iinclude -Isrc \
             -DTW_HAVE_AMAZON_ROOTS -I$(BUILD)/gen
EXTRA_CFLAGS ?=
EXTRA_LDFLAGS ?=

# --- native build (tests, tools, fuzzers) ------------------------------------
NATIVE_CFLAGS  := $(WARN) $(HARDEN) -g -fPIE $(DEFS) $(EXTRA_CFLAGS)
NATIVE_LIBS    := -lcurl -lcjson -lexpat -lssl -lcrypto -lpthread
NATIVE_OBJ     := $(patsubst src/%.c,$(NATIVE)/obj/%.o,$(LIB_SRC))
TESTLIB_OBJ    := $(patsubst tests/support/%.c,$(NATIVE)/support/%.o,$(TESTLIB_SRC))

# --- static build (the shipped bootstrap) ------------------------------------
# ARCH=x86_64: ./bootstrap; ARCH=arm64: ./bootstrap-arm64 (cross-built, see
# scripts/deps.sh). Both are stripped; $(STATIC)/bootstrap keeps the symbols
# and -g for debugging. Either can be made from either ARCH setting.
DEPS_PREFIX = $(shell scripts/deps.sh --prefix $(ARCH))
STATIC_CC   = $(shell scripts/deps.sh --cc $(ARCH))
STATIC_STRIP = $(shell scripts/deps.sh --strip $(ARCH))
STATIC_CFLAGS = $(WARN) $(HARDEN) -g -fPIE -ffunction-sections -fdata-sections \
                -fno-asynchronous-unwind-tables -fno-unwind-tables $(DEFS) \
                -I$(DEPS_PREFIX)/include
# The entry point is src/start.c's tw_start: it maps the pages the start-up
# relocations touch in one system call each and applies the packed (DT_RELR)
# relocations, which Debian 12's musl does not know, before musl's _start
# (include/start.h says why). The two go together: without tw_start nothing
# would apply DT_RELR. aarch64 keeps RELA: Debian 12's aarch64 ld (binutils
# 2.40) ignores -z pack-relative-relocs.
STATIC_RELR_x86_64 := -Wl,-z,pack-relative-relocs
STATIC_START   = -Wl,-e,tw_start $(STATIC_RELR_$(ARCH))
STATIC_LDFLAGS = -static-pie -Wl,--gc-sections -Wl,-z,relro,-z,now -Wl,-z,noexecstack \
                 $(STATIC_START) -L$(DEPS_PREFIX)/lib
STATIC_LIBS = -lcurl -lssl -lcrypto -lcjson -lexpat -lpthread
STATIC_OBJ  := $(patsubst src/%.c,$(STATIC)/obj/%.o,$(SRC))
BOOTSTRAP   := $(if $(filter x86_64,$(ARCH)),bootstrap,bootstrap-$(ARCH))
# make package: the Lambda zip (bootstrap at its root) for ARCH.
PACKAGE     := $(if $(filter x86_64,$(ARCH)),trailwatch.zip,trailwatch-$(ARCH).zip)
# make test also cross-builds bootstrap-arm64 and runs it under qemu
# (tests/it_arm64.py); TEST_ARM64=0 leaves it out. The cross toolchain and
# qemu are installed only for that or for ARCH=arm64.
TEST_ARM64  ?= 1
NEED_ARM64  := $(or $(filter arm64,$(ARCH)),$(and $(filter 1,$(TEST_ARM64)),$(filter test integration,$(MAKECMDGOALS))))

.PHONY: all deps packages static-deps test unit integration clean distclean demo package \
        fuzz bench native

# V=1 shows every command.
Q := $(if $(V),,@)

all: $(BOOTSTRAP)

packages:
	@scripts/install-packages.sh $(if $(NEED_ARM64),--arm64)

static-deps: packages
	@scripts/deps.sh --build $(ARCH)

deps: static-deps

# The shipped file: stripped, checked, then renamed into place (atomic: tests
# may be running the old one).
$(BOOTSTRAP): $(STATIC)/bootstrap
	@echo "  STRIP   $@"
	$(Q)$(STATIC_STRIP) --strip-all -o $<.stripped $<
	@scripts/check-static.sh --stripped $<.stripped $(ARCH)
	$(Q)mv -f $<.stripped $@

# The other architecture's bootstrap, from a sub-make (which decides whether
# it is up to date).
ifneq ($(ARCH),x86_64)
.PHONY: bootstrap
bootstrap:
	@$(MAKE) --no-print-directory ARCH=x86_64 bootstrap
endif
ifneq ($(ARCH),arm64)
.PHONY: bootstrap-arm64
bootstrap-arm64:
	@$(MAKE) --no-print-directory ARCH=arm64 bootstrap-arm64
endif
ifeq ($(TEST_ARM64),1)
integration: bootstrap-arm64
endif

$(STATIC)/bootstrap: static-deps $(STATIC_OBJ)
	@echo "  LINK    $@ (static)"
	$(Q)$(STATIC_CC) $(STATIC_OBJ) $(STATIC_LDFLAGS) $(STATIC_LIBS) -o $@
	@scripts/check-static.sh $@ $(ARCH)

# Reproducible: fixed mtime (SOURCE_DATE_EPOCH or 2000-01-01), no extra
# attributes, UTC. Checked: exactly one entry, "bootstrap", regular, 0755.
package: $(PACKAGE)

$(PACKAGE): $(BOOTSTRAP)
	@echo "  ZIP     $@ ($(ARCH))"
	$(Q)rm -rf $(STATIC)/package $(STATIC)/package.zip && mkdir -p $(STATIC)/package
	$(Q)cp $< $(STATIC)/package/bootstrap && chmod 755 $(STATIC)/package/bootstrap
	$(Q)touch -d @$${SOURCE_DATE_EPOCH:-946684800} $(STATIC)/package/bootstrap
	$(Q)cd $(STATIC)/package && TZ=UTC zip -X -9 -q ../package.zip bootstrap
	$(Q)/usr/bin/python3 -c 'import sys, zipfile, stat; z = zipfile.ZipFile(sys.argv[1]); \
	    i = z.infolist(); m = i[0].external_attr >> 16 if i else 0; \
	    ok = [e.filename for e in i] == ["bootstrap"] and stat.S_ISREG(m) and stat.S_IMODE(m) == 0o755; \
	    sys.exit(0 if ok else "bad zip: %r mode %o" % ([e.filename for e in i], m))' $(STATIC)/package.zip
	$(Q)mv -f $(STATIC)/package.zip $@
	@echo "  $@: $$(stat -c %s $@) bytes; deploy: aws lambda update-function-code --function-name NAME --zip-file fileb://$@"

# sam build (template.yaml, BuildMethod: makefile) runs
#   make build-TrailwatchFunction ARTIFACTS_DIR=DIR
# in a copy of the tree. sam passes no architecture (aws/aws-sam-cli#3349),
# so this builds the template's default Architecture (arm64) unless ARCH is
# given: `ARCH=x86_64 sam build` for a stack deployed with
# Architecture=x86_64. Warns when the two differ (a deploy with the other
# value would fail: Exec format error).
TEMPLATE_ARCH := $(shell awk '/^  Architecture:/ {a = 1; next} a && /^    Default:/ {print $$2; exit} \
                   a && /^  [^ ]/ {exit}' template.yaml 2>/dev/null)
SAM_ARCH      := $(if $(filter file,$(origin ARCH)),$(or $(TEMPLATE_ARCH),$(ARCH)),$(ARCH))
SAM_BOOTSTRAP := $(if $(filter x86_64,$(SAM_ARCH)),bootstrap,bootstrap-$(SAM_ARCH))
.PHONY: build-TrailwatchFunction
build-TrailwatchFunction:
	@test -n "$(ARTIFACTS_DIR)" || { echo "$@: ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 1; }
	@$(MAKE) --no-print-directory ARCH=$(SAM_ARCH) $(SAM_BOOTSTRAP)
	mkdir -p "$(ARTIFACTS_DIR)"
	cp $(SAM_BOOTSTRAP) "$(ARTIFACTS_DIR)/bootstrap"
	chmod 755 "$(ARTIFACTS_DIR)/bootstrap"
	@if [ -n "$(TEMPLATE_ARCH)" ] && [ "$(TEMPLATE_ARCH)" != "$(SAM_ARCH)" ]; then \
	    echo "$@: WARNING: packaged the $(SAM_ARCH) bootstrap, but template.yaml's Architecture" \
	         "defaults to $(TEMPLATE_ARCH): deploy with Architecture=$(SAM_ARCH)" >&2; \
	fi

# Objects are rebuilt (and so the binary relinked) when the compiler, the
# compile or link flags or the dependency prefix (its cache key) change: the
# recipe rewrites the stamp only on a change.
STATIC_FLAGS_TEXT = $(subst ','\'',$(STATIC_CC) $(STATIC_CFLAGS) $(STATIC_LDFLAGS))
$(STATIC)/obj/.flags: static-deps
	@mkdir -p $(@D)
	@printf '%s\n' '$(STATIC_FLAGS_TEXT)' | cmp -s - $@ 2>/dev/null || printf '%s\n' '$(STATIC_FLAGS_TEXT)' >$@

$(STATIC)/obj/%.o: src/%.c $(HDR) $(STATIC)/obj/.flags | static-deps
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(STATIC_CC) $(STATIC_CFLAGS) -c $< -o $@

$(NATIVE)/obj/%.o: src/%.c $(HDR)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(NATIVE_CFLAGS) -c $< -o $@

$(NATIVE)/support/%.o: tests/support/%.c $(HDR) $(wildcard tests/support/*.h)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(NATIVE_CFLAGS) -Itests/support -Wno-missing-prototypes -c $< -o $@

# Kept between runs (make would delete them as intermediates of the rule below).
.SECONDARY: $(TESTLIB_OBJ)

$(NATIVE)/test_%: tests/test_%.c $(NATIVE_OBJ) $(TESTLIB_OBJ)
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(NATIVE_CFLAGS) -Itests/support -Wno-missing-prototypes $< $(NATIVE_OBJ) $(TESTLIB_OBJ) \
	    $(NATIVE_LIBS) -lcmocka $(EXTRA_LDFLAGS) -o $@

# A native (dynamically linked) bootstrap: same sources, for valgrind and sanitizers.
$(NATIVE)/bootstrap: $(NATIVE)/obj/main.o $(NATIVE_OBJ)
	@echo "  LINK    $@ (native)"
	$(Q)$(CC) $(NATIVE_CFLAGS) $^ $(NATIVE_LIBS) $(EXTRA_LDFLAGS) -o $@

native: $(NATIVE)/bootstrap

# The roots AWS endpoints chain to, embedded at build time from Debian's
# ca-certificates (http.c trusts only these for *.amazonaws.com in the aws
# partition unless AWS_CA_BUNDLE / SSL_CERT_FILE name a bundle).
CA_MOZILLA   ?= /usr/share/ca-certificates/mozilla
AMAZON_ROOTS := Amazon_Root_CA_1 Amazon_Root_CA_2 Amazon_Root_CA_3 Amazon_Root_CA_4 \
                Starfield_Services_Root_Certificate_Authority_-_G2
$(BUILD)/gen/amazon_roots.h: $(patsubst %,$(CA_MOZILLA)/%.crt,$(AMAZON_ROOTS))
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)set -e; { \
	  echo '/* Generated by make from $(CA_MOZILLA): do not edit. */'; \
	  echo '#define TW_AMAZON_ROOTS_COUNT $(words $^)'; \
	  echo 'static const char *const tw_amazon_roots_pem[TW_AMAZON_ROOTS_COUNT] = {'; \
	  for f in $^; do \
	    test "$$(grep -c -e '-----BEGIN CERTIFICATE-----' "$$f")" = 1 || \
	      { echo "$$f: not exactly one certificate" >&2; exit 1; }; \
	    echo "    /* $$(openssl x509 -in "$$f" -noout -subject -nameopt RFC2253) */"; \
	    sed -n -e 's/\r$$//' -e '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/s/.*/    "&\\n"/p' "$$f"; \
	    echo '    ,'; \
	  done; \
	  echo '};'; } >$@.tmp
	$(Q)mv $@.tmp $@
$(STATIC)/obj/http.o $(NATIVE)/obj/http.o: $(BUILD)/gen/amazon_roots.h

unit: packages $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN)

integration: packages bootstrap $(NATIVE)/bootstrap
	@scripts/run-integration.sh

test: packages
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-regressions
	@$(MAKE) --no-print-directory integration

# The README's first command: the real bootstrap on a sample event against
# the bundled fake AWS, once per sample account.
demo: packages bootstrap
	@scripts/demo.sh

fuzz: fuzz-all

bench: bench-all

clean:
	rm -rf $(BUILD) bootstrap bootstrap-* trailwatch*.zip

include tests/fuzz/fuzz.mk
include tests/quality.mk
include bench/bench.mk

distclean: clean
	scripts/deps.sh --clean
