# berth - one build for everything.  `make deps`, `make`, `make check`.
#
#   make                      build ./berth (and helper binaries)
#   make check                unit + integration (root) + fuzz smoke + format + clang build
#   make SANITIZE=address,undefined check
#   make fuzz                 longer libFuzzer runs (FUZZ_SECONDS, default 300 each)
#   make deps                 install missing Debian packages (non-interactive)

CC       ?= gcc
ifeq ($(origin CC),default)
CC       := gcc
endif
SANITIZE ?=
B        ?= build/$(if $(SANITIZE),san,$(notdir $(CC)))

# No libcap: runtime/security.c names the capabilities itself and sets them
# with capget/capset (every command loaded it, each monitor mapped it).
PKGS := yaml-0.1 jansson libnl-3.0 libnl-route-3.0 libseccomp libcurl libarchive \
        libnftables libcrypto

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Werror
# Each function and object in its own section, and the link drops what no
# program reaches (--gc-sections): berth-monitor pulls whole objects out of
# libruntime.a, and its text (the sealed copy every monitor maps) was a
# quarter code it never runs: 182 -> 134 kB, PSS of one monitor -43 kB.
CFLAGS_BASE := -std=gnu11 -O2 -g -D_GNU_SOURCE -fno-strict-aliasing -pipe $(WARN) -MMD -MP \
               -ffunction-sections -fdata-sections
ifneq ($(SANITIZE),)
CFLAGS_BASE += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -O1
LDFLAGS_SAN := -fsanitize=$(SANITIZE)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl, libnftables, libarchive and libcrypto are not linked:
# runtime/curl_lazy.c, net/nft_lazy.c, runtime/archive_lazy.c and
# base/crypto_lazy.c load them when a registry is contacted, a rule is
# changed, an archive read or written or a digest computed (they cost every
# command 5, 1, 1.5 and 0.6 ms of start-up)
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libcurl libnftables libarchive libcrypto,$(PKGS)) 2>/dev/null)
# unit tests build their archive fixtures with libarchive directly
TEST_LIBS  := $(shell pkg-config --libs libarchive 2>/dev/null)
CFLAGS  += $(CFLAGS_BASE) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS += $(LDFLAGS_SAN) -Wl,--as-needed -Wl,--gc-sections $(EXTRA_LDFLAGS)
# No unwind tables outside the sanitizer builds (whose reports unwind): this
# C never unwinds (no exceptions, backtrace() or pthread_cancel), and
# .eh_frame was half of the read-only data each monitor maps from its sealed
# copy (15 of 30 kB; monitor PSS -8 kB).  gdb and perf read .debug_frame,
# which -g emits instead.  The fuzz targets build with CFLAGS_BASE: theirs stay.
ifeq ($(SANITIZE),)
CFLAGS  += -fno-asynchronous-unwind-tables
endif
LDLIBS  += $(PKG_LIBS) -lpthread

# Include paths enforce the layering:
#   src/  ->  engine/  ->  compose/ | runtime/ | net/  ->  base/
# Modules see only base/ and themselves.  engine/ sees base/, compose/,
# runtime/ and net/ (as "compose/x.h", ... through $(B)/inc/engine, a
# directory of links to exactly those four) and nothing of src/; no module
# sees engine/, so a back-edge fails to compile.  src/ sees everything.
INC_base    := -Ibase
INC_compose := -Ibase -Icompose
INC_runtime := -Ibase -Iruntime
INC_net     := -Ibase -Inet
INC_engine  := -Ibase -Iengine -I$(B)/inc/engine
INC_src     := -Isrc -Ibase -I.

BASE_SRC    := $(wildcard base/*.c)
ENGINE_SRC  := $(wildcard engine/*.c)
COMPOSE_SRC := $(wildcard compose/*.c)
RUNTIME_SRC := $(wildcard runtime/*.c)
NET_SRC     := $(wildcard net/*.c)
MAIN_SRC    := $(wildcard src/*.c)
MONITOR_SRC := $(wildcard src/monitor/*.c)
DNS_SRC     := $(wildcard src/dns/*.c)

obj = $(patsubst %.c,$(B)/%.o,$(1))

LIB_base    := $(B)/libbase.a
LIB_compose := $(B)/libcompose.a
LIB_runtime := $(B)/libruntime.a
LIB_net     := $(B)/libnet.a
LIB_engine  := $(B)/libengine.a
ALL_LIBS    := $(LIB_engine) $(LIB_compose) $(LIB_runtime) $(LIB_net) $(LIB_base)
# What each archive links against (unit tests link <module> + these).
DEPS_base    :=
DEPS_compose := $(LIB_base)
DEPS_runtime := $(LIB_base)
DEPS_net     := $(LIB_base)
DEPS_engine  := $(LIB_compose) $(LIB_runtime) $(LIB_net) $(LIB_base)

PROGS := $(B)/berth
ifneq ($(MONITOR_SRC),)
PROGS += $(B)/berth-monitor
endif
ifneq ($(DNS_SRC),)
PROGS += $(B)/berth-dns
endif

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all install docs demo wordpress deps check unit fuzz fuzz-build format format-check clean tests layering-check
all: $(PROGS) $(UNIT_BINS)
	@for p in $(PROGS); do ln -sf $$p ./$$(basename $$p); done

# --- objects ---------------------------------------------------------------
# the objects of a module, with its include path (INC_<module>)
define module_objects
$$(B)/$(1)/%.o: $(1)/%.c
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(INC_$(1)) -c $$< -o $$@
endef
$(foreach m,base compose runtime net,$(eval $(call module_objects,$(m))))
$(B)/engine/%.o: engine/%.c | $(B)/inc/engine
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INC_engine) -c $< -o $@
$(B)/src/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INC_src) -c $< -o $@
$(B)/tests/test_engine_%.o: tests/unit/test_engine_%.c | $(B)/inc/engine
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INC_engine) -Itests/unit -c $< -o $@
$(B)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(INC_src) -Itests/unit -c $< -o $@
# engine/'s view of the tree: links to the four layers below it, nothing else.
$(B)/inc/engine:
	@mkdir -p $@.tmp && for m in base compose runtime net; do ln -sfn $(CURDIR)/$$m $@.tmp/$$m; done
	@rm -rf $@ && mv $@.tmp $@

# --- archives: each module its own, so a layering mistake fails to link ----
$(LIB_base): $(call obj,$(BASE_SRC))
$(LIB_compose): $(call obj,$(COMPOSE_SRC))
$(LIB_runtime): $(call obj,$(RUNTIME_SRC))
$(LIB_net): $(call obj,$(NET_SRC))
$(LIB_engine): $(call obj,$(ENGINE_SRC))
$(B)/lib%.a:
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# --- programs --------------------------------------------------------------
$(B)/berth: $(call obj,$(MAIN_SRC)) $(ALL_LIBS)
	$(CC) $(LDFLAGS) -o $@ $(call obj,$(MAIN_SRC)) $(ALL_LIBS) $(LDLIBS)
$(B)/berth-monitor: $(call obj,$(MONITOR_SRC)) $(LIB_runtime) $(LIB_base)
	$(CC) $(LDFLAGS) -Wl,-z,now -o $@ $(call obj,$(MONITOR_SRC)) $(LIB_runtime) $(LIB_base) $(LDLIBS)
$(B)/berth-dns: $(call obj,$(DNS_SRC)) $(LIB_net) $(LIB_base)
	$(CC) $(LDFLAGS) -o $@ $(call obj,$(DNS_SRC)) $(LIB_net) $(LIB_base) $(LDLIBS)

# Unit tests: tests/unit/test_<module>_*.c links only <module> + what it
# stands on (base; engine: compose, runtime, net, base).
define unit_rule
$(B)/tests/$(1): $(B)/tests/$(1).o $$(LIB_$(2)) $$(DEPS_$(2))
	$$(CC) $$(LDFLAGS) -o $$@ $$< $$(LIB_$(2)) $$(DEPS_$(2)) $$(LDLIBS) $$(TEST_LIBS)
endef
$(foreach t,$(basename $(notdir $(UNIT_SRC))),$(eval $(call unit_rule,$(t),$(word 2,$(subst _, ,$(t))))))

# --- tests -----------------------------------------------------------------
check: all
	@CC=$(CC) B=$(B) SANITIZE=$(SANITIZE) FUZZ_SECONDS=$(or $(FUZZ_SECONDS),3) tests/run-check.sh

unit: all
	@B=$(B) tests/run-check.sh --only unit

# Fuzz targets: clang + libFuzzer, tests/fuzz/fuzz_<module>_*.c links <module> + base.
FB := build/fuzz
fuzz-build:
	@$(MAKE) --no-print-directory B=$(FB) CC=clang EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
		$(FB)/libbase.a $(FB)/libcompose.a $(FB)/libruntime.a $(FB)/libnet.a
	@mkdir -p $(FB)/fuzz
	@set -e; for f in $(FUZZ_SRC); do n=$$(basename $$f .c); m=$$(echo $$n | cut -d_ -f2); \
		if [ ! $(FB)/fuzz/$$n -nt $$f ] || [ $(FB)/lib$$m.a -nt $(FB)/fuzz/$$n ]; then \
		echo "  FUZZ $$n"; \
		clang $(CFLAGS_BASE) $(PKG_CFLAGS) -Ibase -I$$m -fsanitize=fuzzer,address,undefined -o $(FB)/fuzz/$$n $$f \
			$(FB)/lib$$m.a $(FB)/libbase.a $(PKG_LIBS); fi; done
	@git rev-parse --short HEAD >$(FB)/fuzz/COMMIT 2>/dev/null || echo unknown >$(FB)/fuzz/COMMIT

fuzz: fuzz-build
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),300) tests/run-check.sh --only fuzz

# The layering is enforced, not just documented: a module that includes
# engine/, or engine/ that includes any src/ header, must fail to compile, no
# layer climbs out of its include paths with "../", engine/ never writes
# to stdout/stderr (its output goes back to src/ through callbacks), and no
# command file (src/cmd_*.c) is a library: another object may use only its
# cmd_*/compose_cmd_* entry points (tools/cmd-xcalls.sh, on the objects' nm).
layering-check: $(call obj,$(MAIN_SRC)) | $(B)/inc/engine
	@set -e; t=$$(mktemp -d); trap 'rm -rf $$t' EXIT; \
	printf '#include "engine/engine.h"\n' >$$t/a.c; printf '#include "engine.h"\n' >$$t/b.c; \
	$(foreach m,base compose runtime net,for p in a b; do \
		if $(CC) -fsyntax-only $(INC_$(m)) $(PKG_CFLAGS) $$t/$$p.c 2>/dev/null; then \
			echo "layering: $(m)/ can include engine/"; exit 1; fi; done; ) \
	for f in src/*.h; do for h in "\"$$(basename $$f)\"" "\"$$f\""; do \
		printf '#include %s\n' "$$h" >$$t/c.c; \
		if $(CC) -fsyntax-only $(INC_engine) $(PKG_CFLAGS) $$t/c.c 2>/dev/null; then \
			echo "layering: engine/ can include $$h"; exit 1; fi; \
	done; done; \
	for f in engine/*.c engine/*.h; do \
		if sed -e 's|/\*.*||' -e 's|^[[:space:]]*\*.*||' $$f | \
			grep -nE '\<(printf|vprintf|puts|putchar|perror)[[:space:]]*\(|\<(stdout|stderr)\>'; then \
			echo "layering: $$f writes to stdout/stderr (engine/ prints nothing)"; exit 1; fi; \
	done; \
	printf '#include "compose/model.h"\n#include "runtime/container.h"\n#include "net/ports.h"\n#include "base/err.h"\n#include "engine.h"\n' >$$t/d.c; \
	$(CC) -fsyntax-only $(INC_engine) $(PKG_CFLAGS) $$t/d.c; \
	if grep -n '^#include *"[^"]*\.\./' base/* compose/* runtime/* net/* engine/* ; then \
		echo "layering: an include climbs out with ../"; exit 1; fi; \
	mkdir -p $$t/x/src $$t/x/B/src; \
	printf 'int helper_x(void);\nint helper_x(void) { return 1; }\nint cmd_a(void);\nint cmd_a(void) { return helper_x(); }\n' >$$t/x/src/cmd_a.c; \
	printf 'int helper_x(void);\nint cmd_b(void);\nint cmd_b(void) { return helper_x(); }\n' >$$t/x/src/b.c; \
	for f in cmd_a b; do $(CC) -c $$t/x/src/$$f.c -o $$t/x/B/src/$$f.o; done; \
	if (cd $$t/x && $(CURDIR)/tools/cmd-xcalls.sh B) >/dev/null; then \
		echo "layering: tools/cmd-xcalls.sh misses a command file used as a library"; exit 1; fi; \
	tools/cmd-xcalls.sh $(B); \
	echo "layering: ok"

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

# --- the built-in example: the hello stack, left running -------------------
demo: all
	@BERTH=$(CURDIR)/berth tests/images/make-busybox.sh >/dev/null
	./berth compose -f examples/hello/compose.yaml up -d --wait
	curl -fsS http://127.0.0.1:$${HELLO_PORT:-18080}/cgi-bin/hello
	@echo "berth: the hello stack is up; stop it with: ./berth compose -f examples/hello/compose.yaml down"

# --- the awesome-compose WordPress stack, unchanged, left running ----------
# Images: stand-ins built from Debian packages (tests/images/make-wordpress-images.sh).
WORDPRESS_COMPOSE ?= ../shared/corpus/awesome-compose/wordpress-mysql/compose.yaml
wordpress: all
	@[ -f "$(WORDPRESS_COMPOSE)" ] || { echo "wordpress: $(WORDPRESS_COMPOSE) not found (set WORDPRESS_COMPOSE=FILE)" >&2; exit 1; }
	BERTH=$(CURDIR)/berth tests/images/make-wordpress-images.sh
	./berth compose -f $(WORDPRESS_COMPOSE) up -d
	@for i in $$(seq 1 120); do curl -s -o /dev/null -m 5 http://127.0.0.1:80/ && break; sleep 0.5; done
	@echo "berth: WordPress is up at http://127.0.0.1:80/"
	@echo "berth: stop it with: ./berth compose -f $(WORDPRESS_COMPOSE) down   (-v also drops its data)"

# --- set-up ----------------------------------------------------------------
DEB_PKGS := gcc make pkg-config python3 jq clang libclang-rt-14-dev clang-format git \
            libyaml-dev libjansson-dev libnl-3-dev libnl-route-3-dev libcap-dev libseccomp-dev \
            libcurl4-openssl-dev libarchive-dev libnftables-dev libssl-dev \
            busybox-static bats iproute2 nftables curl procps util-linux psmisc strace \
            docker-registry skopeo apache2-utils openssl python3-cryptography \
            mmdebstrap chromium nodejs zsh fish
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all present"; fi

# --- install: the binaries side by side (the CLI finds berth-monitor and
# berth-dns beside itself) and the boot unit ---------------------------------
# man pages and shell completions, generated from the binary's own command
# tables and --help texts (tools/gen-docs.sh), so they cannot drift from it
docs: $(B)/man/man1/berth.1
$(B)/man/man1/berth.1: $(B)/berth tools/gen-docs.sh
	tools/gen-docs.sh $(B)/berth $(B)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR ?= $(PREFIX)/share/man
install: all docs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(PROGS) $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0644 $(B)/man/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(B)/man/man5/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(B)/completion/berth.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/berth
	install -m 0644 $(B)/completion/_berth $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_berth
	install -m 0644 $(B)/completion/berth.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/berth.fish
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/systemd/berth-boot.service.in >$(DESTDIR)$(UNITDIR)/berth-boot.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/berth-boot.service
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload && systemctl enable berth-boot.service; fi

clean:
	rm -rf build berth berth-monitor berth-dns

-include $(shell find $(B) -name '*.d' 2>/dev/null)
