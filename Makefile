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
DEFS      := -D_GNU_SOURCE -DTW_VERSION='"$(VERSION)"' -Iinclude -Isrc
EXTRA_CFLAGS ?=
EXTRA_LDFLAGS ?=

# --- native build (tests, tools, fuzzers) ------------------------------------
NATIVE_CFLAGS  := $(WARN) $(HARDEN) -g -fPIE $(DEFS) $(EXTRA_CFLAGS)
NATIVE_LIBS    := -lcurl -lcjson -lexpat -lssl -lcrypto -lpthread
NATIVE_OBJ     := $(patsubst src/%.c,$(NATIVE)/obj/%.o,$(LIB_SRC))
TESTLIB_OBJ    := $(patsubst tests/support/%.c,$(NATIVE)/support/%.o,$(TESTLIB_SRC))

# --- static build (the shipped bootstrap) ------------------------------------
DEPS_PREFIX = $(shell scripts/deps.sh --prefix $(ARCH))
STATIC_CC   = $(shell scripts/deps.sh --cc $(ARCH))
STATIC_CFLAGS = $(WARN) $(HARDEN) -fPIE -ffunction-sections -fdata-sections $(DEFS) \
                -I$(DEPS_PREFIX)/include
STATIC_LDFLAGS = -static-pie -Wl,--gc-sections -Wl,-z,relro,-z,now -Wl,-z,noexecstack \
                 -L$(DEPS_PREFIX)/lib
STATIC_LIBS = -lcurl -lssl -lcrypto -lcjson -lexpat -lpthread
STATIC_OBJ  := $(patsubst src/%.c,$(STATIC)/obj/%.o,$(SRC))

.PHONY: all deps packages static-deps test unit integration clean distclean demo package \
        fuzz bench native

# V=1 shows every command.
Q := $(if $(V),,@)

all: bootstrap

packages:
	@scripts/install-packages.sh

static-deps: packages
	@scripts/deps.sh --build $(ARCH)

deps: static-deps

ifeq ($(ARCH),x86_64)
bootstrap: $(STATIC)/bootstrap
	cp $< $@
else
bootstrap-$(ARCH): $(STATIC)/bootstrap
	cp $< $@
endif

$(STATIC)/bootstrap: static-deps $(STATIC_OBJ)
	@echo "  LINK    $@ (static)"
	$(Q)$(STATIC_CC) $(STATIC_OBJ) $(STATIC_LDFLAGS) $(STATIC_LIBS) -o $@
	@scripts/check-static.sh $@

$(STATIC)/obj/%.o: src/%.c $(HDR) | static-deps
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

unit: packages $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN)

integration: packages bootstrap $(NATIVE)/bootstrap
	@scripts/run-integration.sh

test: packages
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration

# The README's first command: the real bootstrap on a sample event against
# the bundled fake AWS, once per sample account.
demo: packages bootstrap
	@scripts/demo.sh

fuzz: fuzz-filter

bench: bench-filter

clean:
	rm -rf $(BUILD) bootstrap bootstrap-* trailwatch.zip

include tests/fuzz/fuzz.mk
include bench/bench.mk

distclean: clean
	scripts/deps.sh --clean
