# ses-mailfrom-milter: plain GNU Makefile.
# SPDX-License-Identifier: BSD-2-Clause
#
# Sources are found by name so that adding a module never means editing
# this file:
#   ses/*.c                 -> $(B)/libses.a      (the SES client library)
#   tool/awscli/*.c         -> $(B)/libawscli.a   (the AWS CLI's front end)
#   milter/{,dns/,sync/}*.c -> $(B)/libmilterd.a  (the daemon's modules)
#   milter/main.c           -> $(B)/ses-mailfrom-milter
#   tool/*.c                -> $(B)/ses-mailfrom
#   tests/unit/test_*.c     -> $(B)/tests/unit/test_*  (cmocka, one each)
#   tests/tools/*.c         -> $(B)/tests/*       (helpers the test suites drive)
#   tests/bench/*.c         -> $(B)/tests/bench/* (`make bench`'s drivers)
#   tests/fuzz/fuzz_*.c     -> build/fuzz/fuzz_*  (libFuzzer, clang; `make fuzz`)
# Which folder may include which is README's "Layout"; tests/check-layout
# enforces it.
# A variant build goes to another $(B): `make check` builds build/asan with
# AddressSanitizer and UndefinedBehaviorSanitizer through this same file.

VERSION   = 0.1.0
B        ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
SANFLAGS ?=
PREFIX   ?= /usr/local
DESTDIR  ?=
PYTHON   ?= /usr/bin/python3

PKGS      = libcurl libcares inih jansson yaml-0.1 expat openssl libidn2
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ALL_CFLAGS  = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -I. \
              -DVERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS)
ALL_LDFLAGS = -pthread $(LDFLAGS) $(SANFLAGS)
LIBS_ALL    = -lmilter $(PKG_LIBS) -lresolv

SES_SRC    := $(wildcard ses/*.c)
AWSCLI_SRC := $(wildcard tool/awscli/*.c)
MILTER_SRC := $(filter-out milter/main.c,$(wildcard milter/*.c milter/dns/*.c milter/sync/*.c))
TOOL_SRC   := $(wildcard tool/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
TTOOL_SRC  := $(wildcard tests/tools/*.c)
BENCH_SRC  := $(wildcard tests/bench/*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

LIBSES    = $(B)/libses.a
LIBAWSCLI = $(B)/libawscli.a
LIBMILTER = $(B)/libmilterd.a
DAEMON    = $(B)/ses-mailfrom-milter
TOOL      = $(B)/ses-mailfrom
UNITS     = $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))
TTOOLS    = $(patsubst tests/tools/%.c,$(B)/tests/%,$(TTOOL_SRC))
BENCHES   = $(patsubst tests/bench/%.c,$(B)/tests/bench/%,$(BENCH_SRC))
# Everything a test program may link, in link order.
TEST_LIBS = $(LIBAWSCLI) $(LIBMILTER) $(LIBSES)

.PHONY: all deps check check-tree check-unit check-asan check-integration \
        check-fuzz tests run install clean fuzz fuzz-long bench format deb
.DELETE_ON_ERROR:
.SECONDARY:

all: $(DAEMON) $(TOOL)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBSES): $(call obj,$(SES_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBAWSCLI): $(call obj,$(AWSCLI_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBMILTER): $(call obj,$(MILTER_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(DAEMON): $(call obj,milter/main.c) $(LIBMILTER) $(LIBSES)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

$(TOOL): $(call obj,$(TOOL_SRC)) $(LIBAWSCLI) $(LIBMILTER) $(LIBSES)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL) -lcmocka

$(B)/tests/bench/%: $(B)/obj/tests/bench/%.o $(TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

$(B)/tests/%: $(B)/obj/tests/tools/%.o $(TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ALL)

tests: all $(UNITS) $(TTOOLS) $(BENCHES)

deps:
	@contrib/install-deps check

# `make check` is the whole test suite: unit tests, the same under ASan and
# UBSan, short fuzz runs of every parser of outside input, the Debian
# package (built here, installed and purged by its integration test), then
# the integration tests against real Postfix, knot, moto, a fake SES and
# the AWS CLI. Any failure makes it exit non-zero.
check: deps
	$(MAKE) check-tree
	$(MAKE) check-unit
	$(MAKE) check-asan
	$(MAKE) check-fuzz
	$(MAKE) deb
	$(MAKE) check-integration

check-unit: tests
	tests/run-unit $(B)/tests/unit

# The tree's own rules: the include rules of README's "Layout", an SPDX line
# on every source file, and the C formatted as .clang-format says.
C_FILES   = $(shell find ses tool milter tests -name '*.[ch]' | sort)
SRC_FILES = $(C_FILES) $(shell find tests tool contrib .ci -type f \
              \( -name '*.py' -o -perm -u+x \) ! -path '*/corpus/*' | sort)
check-tree:
	tests/check-layout
	@missing=$$(grep -L 'SPDX-License-Identifier: BSD-2-Clause' $(SRC_FILES)); \
	if [ -n "$$missing" ]; then echo "no SPDX line:" $$missing; exit 1; fi; \
	echo "spdx: $(words $(SRC_FILES)) files, each with its licence line"
	@clang-format --dry-run --Werror $(C_FILES)
	@echo "format: $(words $(C_FILES)) C files as .clang-format says"

format:
	clang-format -i $(C_FILES)

ASAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
check-asan:
	$(MAKE) B=build/asan CFLAGS="-O1 -g" SANFLAGS="$(ASAN)" tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    tests/run-unit build/asan/tests/unit

# The resolver's concurrency tests also run against a ThreadSanitizer build.
check-integration: tests
	$(MAKE) B=build/tsan CFLAGS="-O1 -g" SANFLAGS="-fsanitize=thread" build/tsan/tests/mxprobe
	SMF_BUILD=$(abspath $(B)) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

# libFuzzer needs clang; the library sources are compiled again with it.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread -I. -DVERSION='"$(VERSION)"' \
              $(PKG_CFLAGS) -g -O1 -fsanitize=address,undefined \
              -fno-sanitize-recover=all
FUZZ_BINS = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
# The libraries are compiled once with coverage instrumentation
# (fuzzer-no-link) and each target links them with libFuzzer's main.
FUZZ_OBJS = $(patsubst %.c,build/fuzz/obj/%.o,$(SES_SRC) $(AWSCLI_SRC) $(MILTER_SRC))
build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LIBS_ALL)

fuzz: deps
	$(MAKE) $(FUZZ_BINS)

FUZZ_SECONDS ?= 10
check-fuzz: fuzz
	tests/run-fuzz $(FUZZ_SECONDS) $(FUZZ_BINS)

# Longer fuzzing on demand (not part of make check): each target for
# FUZZ_LONG_SECONDS on a corpus kept in build/fuzz/corpus/ between runs;
# FUZZ_LONG_RUNS=N also ends each target after N executions.
FUZZ_LONG_SECONDS ?= 600
fuzz-long: fuzz
	RUNS=$(FUZZ_LONG_RUNS) tests/run-fuzz-long $(FUZZ_LONG_SECONDS) $(FUZZ_BINS)

# Figures, not pass/fail: the milter's cost per message against a no-op
# libmilter filter, and ses-mailfrom against /usr/bin/aws. See
# tests/bench/README.md.
bench: deps all $(BENCHES)
	PYTHONPATH=tests/integration tests/bench/run $(abspath $(B))
	PYTHONPATH=tests/integration tests/bench/tool-vs-aws $(abspath $(B))
	$(B)/tests/bench/bench_jmespath 100

# The milter in the foreground on the example configuration.
run: all
	@contrib/install-deps run
	@contrib/add-user
	$(DAEMON) -f -c conf/ses-mailfrom-milter.conf

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)/etc
	install -m 755 $(DAEMON) $(DESTDIR)$(PREFIX)/sbin/
	install -m 755 $(TOOL) $(DESTDIR)$(PREFIX)/bin/
	$(foreach m,$(wildcard man/*.8),install -m 644 $(m) $(DESTDIR)$(PREFIX)/share/man/man8/;)
	$(foreach m,$(wildcard man/*.1),install -m 644 $(m) $(DESTDIR)$(PREFIX)/share/man/man1/;)
	test -e $(DESTDIR)/etc/ses-mailfrom-milter.conf || \
	    install -m 644 conf/ses-mailfrom-milter.conf $(DESTDIR)/etc/

# The Debian package, built with debhelper from a copy of the tree in which
# contrib/debian/ becomes debian/ (the top level keeps the project's
# layout): build/deb/ses-mailfrom-milter_$(VERSION)_amd64.deb.
DEB_SRC = build/deb/ses-mailfrom-milter-$(VERSION)
deb:
	@contrib/install-deps deb
	@head -1 contrib/debian/changelog | grep -q "($(VERSION))" || \
	    { echo "contrib/debian/changelog is not at version $(VERSION)"; exit 1; }
	rm -rf build/deb
	mkdir -p $(DEB_SRC)
	tar -cf - --exclude=./build --exclude=./.git --exclude=__pycache__ . | tar -xf - -C $(DEB_SRC)
	mv $(DEB_SRC)/contrib/debian $(DEB_SRC)/debian
	cp contrib/ses-mailfrom-milter.service contrib/ses-mailfrom-milter.tmpfiles \
	    contrib/ses-mailfrom-milter.sysusers $(DEB_SRC)/debian/
	cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc
	lintian --fail-on error build/deb/ses-mailfrom-milter_$(VERSION)_*.changes

clean:
	rm -rf build

# Dependency files of the compiler only (not the .deb's tmpfiles.d, nor
# the directories of the tests' unpacked Debian packages).
-include $(shell find build -path build/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
