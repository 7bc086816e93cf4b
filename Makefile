# stockcast: stock forecasting as small Unix filters in C.
# `make help` lists the targets.

PREFIX	?= /usr/local
BUILD	?= build
CC	?= cc
OPT	?= -O2
SAN	?=
PKGS	 = libcurl jansson libcrypto expat

# Lazy (=) so pkg-config runs after `make deps` has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) check 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

SC_CFLAGS = -std=c11 -Wall -Wextra -Werror $(OPT) $(SAN) -pthread \
	-D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Ilib -Icmd $(PKG_CFLAGS) \
	$(CFLAGS)
SC_LDLIBS = $(PKG_LIBS) -lcsv -lpthread -lm $(LDLIBS)

LIB_SRC   := $(sort $(wildcard lib/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(BUILD)/cmd/sc_cli.o
PROG_SRC  := $(sort $(wildcard cmd/sc-*.c))
PROGS     := $(PROG_SRC:cmd/%.c=$(BUILD)/bin/%)
TEST_SRC  := $(sort $(wildcard tests/check_sc_*.c))
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/check_main.o
HEADERS   := $(wildcard lib/*.h cmd/*.h tests/*.h)
MANPAGES  := $(wildcard docs/*.1)

.PHONY: all deps deps-bench test check integration asan valgrind lint \
	format install uninstall clean help demo bench bench-tune fuzz \
	fuzz-build prepare train register inference evaluate plot backtest drift report

all: $(PROGS) $(BUILD)/tests/check_sc ## build every program and the unit tests

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(SC_CFLAGS) -c -o $@ $<

$(BUILD)/libsc.a: $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	@$(AR) rcs $@ $(LIB_OBJ)

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(CLI_OBJ) $(BUILD)/libsc.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(SC_CFLAGS) -o $@ $< $(CLI_OBJ) $(BUILD)/libsc.a $(SC_LDLIBS)

# The suite list is made from the file names: tests/check_sc_NAME.c
# defines sc_NAME_suite(), so adding a suite touches no shared file.
$(BUILD)/tests/suites.h: $(TEST_SRC)
	@mkdir -p $(@D)
	@for f in $(TEST_SRC); do n=$${f#tests/check_sc_}; \
		echo "SUITE($${n%.c})"; done > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/check_main.o: tests/check_main.c $(BUILD)/tests/suites.h $(HEADERS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(SC_CFLAGS) -I$(BUILD)/tests -c -o $@ $<

$(BUILD)/tests/check_sc: $(TEST_OBJ) $(BUILD)/libsc.a
	@echo "  LD      $@"
	@$(CC) $(SC_CFLAGS) -o $@ $(TEST_OBJ) $(BUILD)/libsc.a \
		$(CHECK_LIBS) $(SC_LDLIBS)

deps: ## install the Debian and npm packages the build and tests need
	@sh scripts/deps.sh

deps-bench: ## install the peers `make bench` compares against
	@sh scripts/deps.sh bench

test: deps ## build and run every test; ends with "N passed, N failed"
	@$(MAKE) --no-print-directory all
	@sh tests/run.sh $(BUILD)

check: all ## run the Check unit suites only (CK_RUN_SUITE=csv for one)
	$(BUILD)/tests/check_sc

integration: all ## run the integration scripts only
	@sh tests/run.sh $(BUILD) integration

asan: deps ## every test under AddressSanitizer and UBSan
	@$(MAKE) --no-print-directory all BUILD=build-asan OPT="-O1 -g" \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		SC_SANITIZED=1 sh tests/run.sh build-asan

valgrind: all ## the unit suites under valgrind, leaks are errors
	CK_FORK=no valgrind --error-exitcode=1 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect $(BUILD)/tests/check_sc

lint: $(BUILD)/libsc.a ## cppcheck, clang-format check, shellcheck, man page lint, include layers, exported names
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr --std=c11 -Ilib -Icmd lib cmd
	clang-format --dry-run -Werror lib/*.[ch] cmd/*.[ch] tests/*.[ch]
	shellcheck -x -e SC1091 scripts/*.sh tests/*.sh tests/integration/*.sh
	sh tests/layers.sh
	sh tests/symbols.sh $(BUILD)/libsc.a
	@for m in $(MANPAGES); do groff -mdoc -ww -z $$m || exit 1; done

format: ## rewrite the C sources in the house style
	clang-format -i lib/*.[ch] cmd/*.[ch] tests/*.[ch]

install: all ## install programs and man pages under PREFIX
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin
	@for m in $(MANPAGES); do \
		install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man1 || exit 1; done

uninstall: ## remove what install put there
	rm -f $(PROGS:$(BUILD)/bin/%=$(DESTDIR)$(PREFIX)/bin/%)
	rm -f $(MANPAGES:docs/%=$(DESTDIR)$(PREFIX)/share/man/man1/%)

# systemd (docs/scheduling.md): the units of docs/examples/ with SC_HOME
# (the checkout they run) for /opt/stockcast, the stockcast user as a
# sysusers.d entry, and /etc/stockcast/env from env.example (mode 600; an
# existing one is kept), all under DESTDIR.  Without DESTDIR it also
# creates the user and reloads systemd; enabling the timers is left to you.
SC_HOME         ?= /opt/stockcast
SYSTEMD_UNITDIR ?= /etc/systemd/system
SYSUSERS_DIR    ?= /usr/lib/sysusers.d
.PHONY: install-systemd
install-systemd: ## systemd units, the stockcast user, /etc/stockcast/env (DESTDIR, SC_HOME)
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR) $(DESTDIR)$(SYSUSERS_DIR) \
		$(DESTDIR)/etc/stockcast
	@for f in docs/examples/*.service docs/examples/*.timer; do \
		u=$(DESTDIR)$(SYSTEMD_UNITDIR)/$${f##*/}; \
		sed 's#/opt/stockcast#$(SC_HOME)#g' $$f > $$u.tmp && \
		chmod 644 $$u.tmp && mv $$u.tmp $$u && echo "  UNIT    $$u" || exit 1; done
	install -m 644 docs/examples/stockcast.sysusers \
		$(DESTDIR)$(SYSUSERS_DIR)/stockcast.conf
	@[ -e $(DESTDIR)/etc/stockcast/env ] || { \
		install -m 600 docs/examples/env.example $(DESTDIR)/etc/stockcast/env && \
		echo "  ENV     $(DESTDIR)/etc/stockcast/env: edit it (store, secrets)"; }
	@if [ -z "$(DESTDIR)" ]; then \
		systemd-sysusers $(SYSUSERS_DIR)/stockcast.conf || exit 1; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload || exit 1; fi; \
		echo "then: systemctl enable --now $(notdir $(wildcard docs/examples/*.timer))"; fi

# Fuzzing: libFuzzer harnesses tests/fuzz/fuzz_NAME.c, linked with libsc
# built by clang with the same sanitizers into build-fuzz/.  Each runs for
# FUZZ_SECONDS from the seeds in tests/fuzz/corpus/NAME/; what it learns
# goes to build-fuzz/corpus/NAME/, crashes to build-fuzz/crashes/.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES   := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ         ?= $(FUZZ_NAMES)

fuzz: ## build the fuzz harnesses and run each for FUZZ_SECONDS (FUZZ=csv for one)
	@$(MAKE) --no-print-directory fuzz-build
	@mkdir -p build-fuzz/crashes
	@for n in $(FUZZ); do \
		echo "== fuzz_$$n for $(FUZZ_SECONDS) s"; \
		mkdir -p build-fuzz/corpus/$$n; \
		ASAN_OPTIONS=detect_leaks=1 \
		build-fuzz/bin/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=build-fuzz/crashes/$$n- \
			build-fuzz/corpus/$$n tests/fuzz/corpus/$$n \
			> build-fuzz/fuzz_$$n.log 2>&1 || \
			{ tail -n 40 build-fuzz/fuzz_$$n.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units|stat::peak_rss' \
			build-fuzz/fuzz_$$n.log; \
	done

fuzz-build: ## build the fuzz harnesses only, into build-fuzz/bin
	@$(MAKE) -s --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) \
		OPT="-O1 -g" SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		$(FUZZ_NAMES:%=build-fuzz/bin/fuzz_%)

build-fuzz/bin/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h build-fuzz/libsc.a
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(patsubst -fsanitize=fuzzer-no-link,-fsanitize=fuzzer,$(SC_CFLAGS)) \
		-o $@ $< build-fuzz/libsc.a $(SC_LDLIBS)

demo: deps ## the whole pipeline offline on synthetic data, on ./store
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh $(BUILD)/bin

# The pipeline's steps on SC_STORE (default ./store), configured by the
# SC_* environment (README.md, docs/operations.md).
prepare: all ## fetch prices incrementally into the store, split train/test
	@SC_BIN=$(abspath $(BUILD))/bin sh scripts/prepare.sh

train: all ## fit (SC_TRIALS>0: search with sc-tune) and store runs/RUN_ID/
	@SC_BIN=$(abspath $(BUILD))/bin sh scripts/train.sh

register: all ## register the best run; champion only if it beats the current one
	@SC_BIN=$(abspath $(BUILD))/bin sh scripts/register.sh

inference: all ## forecast the next trading day with the champion, push it
	@SC_BIN=$(abspath $(BUILD))/bin sh scripts/inference.sh

evaluate: all ## score the champion on the test window, store and push metrics
	@SC_BIN=$(abspath $(BUILD))/bin sh scripts/evaluate.sh

plot: all ## forecast against actual close as PNG and SVG (gnuplot)
	@SC_BIN=$(abspath $(BUILD))/bin sh scripts/plot.sh

# Backtest: forecasts over SC_BACKTEST_DAYS past days, refit as they go.
backtest: all ## backtest the pipeline's model, store backtests/DATE.csv and .json
	@SC_BIN=$(abspath $(BUILD))/bin sh scripts/backtest.sh

drift: all ## features of the last days against the champion's training rows; drift/DATE.json, pushed
	@SC_BIN=$(abspath $(BUILD))/bin sh scripts/drift.sh

report: all ## the day's HTML page from the store: reports/DATE.html (sc-report)
	@SC_BIN=$(abspath $(BUILD))/bin sh scripts/report.sh

clean: ## remove build output
	rm -rf build build-asan build-fuzz

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		sed 's/:.*## /\t/' | awk -F'\t' '{ printf "  %-12s %s\n", $$1, $$2 }'

bench: all ## sc-forest next to scikit-learn and ranger; bench/out/forest.csv
	sh scripts/deps.sh bench
	sh bench/run.sh $(BUILD)
	sh bench/backtest.sh $(BUILD)

bench-tune: all ## sc-tune next to Optuna and scikit-learn; bench/out/tune.csv
	sh scripts/deps.sh bench
	sh bench/tune.sh $(BUILD)

.PHONY: bench-num bench-scale
bench-num: all ## number parsing and printing next to strtod and snprintf; bench/out/num.csv
	sh bench/num.sh $(BUILD)

bench-scale: all ## the pipeline on 50, 500 and 5,000 synthetic tickers x 20 years; bench/out/scale.csv
	sh bench/scale.sh $(BUILD) $(SCALE_TICKERS)
