# SPDX-License-Identifier: GPL-2.0-only
#
# Installation and packaging of edgenpu, included by the top-level Makefile
# (after it sets VERSION and BUILD). Every variable here starts with
# INSTALL_ or PKG_ (PREFIX and DESTDIR are the usual shared names).
#
#   make install / uninstall   libedgenpu (.so, .a), edgenpu.h + the uapi
#                              headers, edgenpu.pc, accel-run + man page,
#                              the udev rule, the modprobe.d example, and
#                              the TFLite delegate libedgenpu-tflite.so
#                              (TFLITE_DELEGATE, mk/tflite-delegate.mk).
#                              PREFIX (default /usr/local), DESTDIR.
#   make dkms-tree             $(BUILD)/dkms/edgenpu-VERSION: what goes
#                              into /usr/src/edgenpu-VERSION
#   make dkms-install          copy it to /usr/src and `dkms install` it
#   make dkms-uninstall        `dkms remove --all` and remove the copy
#   make deb                   edgenpu-dkms, libedgenpu1, libedgenpu-dev,
#                              accel-run .debs in $(BUILD)/deb
#   make intree-build          drivers/accel/edgenpu built inside a copy
#                              of the 6.12 kernel source
#   make musl                  static libedgenpu.a + accel-run with musl
#
# Tests, each printing TAP:
#   pkg-install-test  pkg-dkms-test  pkg-deb-test  pkg-intree-test
#   pkg-musl-test  pkg-recipes-test; pkg-test runs them all.

PREFIX ?= /usr/local
DESTDIR ?=
INSTALL ?= install

INSTALL_BINDIR ?= $(PREFIX)/bin
INSTALL_LIBDIR ?= $(PREFIX)/lib
INSTALL_INCDIR ?= $(PREFIX)/include
INSTALL_PCDIR ?= $(INSTALL_LIBDIR)/pkgconfig
INSTALL_MANDIR ?= $(PREFIX)/share/man
# udev and modprobe read only their system directories: a /usr install
# puts the rule where packages put theirs, any other PREFIX into /etc
# (where udev reads it too). Override with INSTALL_UDEVDIR.
INSTALL_SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
INSTALL_UDEVDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)
INSTALL_MODPROBEDIR ?= $(INSTALL_SYSCONFDIR)/modprobe.d
INSTALL_DKMS_SRCDIR ?= /usr/src/edgenpu-$(VERSION)

INSTALL_SOVER := 1
INSTALL_US := $(BUILD)/userspace
INSTALL_PKGDIR := $(CURDIR)/packaging
INSTALL_UAPI_HDRS := $(wildcard include/uapi/drm/edgenpu_*.h)

# Everything `make install` puts down, relative to DESTDIR: uninstall and
# the tests read this list (make -s install-manifest).
INSTALL_FILES = \
	$(INSTALL_LIBDIR)/libedgenpu.so.$(VERSION) \
	$(INSTALL_LIBDIR)/libedgenpu.so.$(INSTALL_SOVER) \
	$(INSTALL_LIBDIR)/libedgenpu.so \
	$(INSTALL_LIBDIR)/libedgenpu.a \
	$(INSTALL_PCDIR)/edgenpu.pc \
	$(INSTALL_INCDIR)/edgenpu.h \
	$(addprefix $(INSTALL_INCDIR)/edgenpu/drm/,$(notdir $(INSTALL_UAPI_HDRS))) \
	$(INSTALL_BINDIR)/accel-run \
	$(INSTALL_MANDIR)/man1/accel-run.1 \
	$(INSTALL_MANDIR)/man3/edgenpu.3 \
	$(INSTALL_UDEVDIR)/70-edgenpu.rules \
	$(INSTALL_MODPROBEDIR)/edgenpu.conf.example \
	$(if $(TFD_INSTALL),$(INSTALL_LIBDIR)/libedgenpu-tflite.so)
# edgenpu.pc names directories below PREFIX as ${prefix}/...: relocatable
# (pkg-config --define-variable=prefix=...).
INSTALL_PCREL = $(if $(filter $(PREFIX)/%,$(1)),$${prefix}/$(patsubst $(PREFIX)/%,%,$(1)),$(1))
# Directories that are ours alone: uninstall removes them.
INSTALL_OWN_DIRS = $(INSTALL_INCDIR)/edgenpu/drm $(INSTALL_INCDIR)/edgenpu

.PHONY: install uninstall install-manifest install-files dkms-tree \
	dkms-install dkms-uninstall deb intree-build musl \
	pkg-test pkg-install-test pkg-dkms-test pkg-deb-test pkg-intree-test \
	pkg-musl-test pkg-recipes-test

install: userspace
	@$(MAKE) -s --no-print-directory install-files

# Separate from `install` so that a root `make install` after a user's
# `make` does not rebuild anything.
install-files:
	$(INSTALL) -d $(DESTDIR)$(INSTALL_BINDIR) $(DESTDIR)$(INSTALL_LIBDIR) \
		$(DESTDIR)$(INSTALL_PCDIR) $(DESTDIR)$(INSTALL_INCDIR)/edgenpu/drm \
		$(DESTDIR)$(INSTALL_MANDIR)/man1 $(DESTDIR)$(INSTALL_MANDIR)/man3 \
		$(DESTDIR)$(INSTALL_UDEVDIR) \
		$(DESTDIR)$(INSTALL_MODPROBEDIR)
	$(INSTALL) -m 0755 $(INSTALL_US)/libedgenpu.so.$(VERSION) $(DESTDIR)$(INSTALL_LIBDIR)/
	ln -sf libedgenpu.so.$(VERSION) $(DESTDIR)$(INSTALL_LIBDIR)/libedgenpu.so.$(INSTALL_SOVER)
	ln -sf libedgenpu.so.$(INSTALL_SOVER) $(DESTDIR)$(INSTALL_LIBDIR)/libedgenpu.so
	$(INSTALL) -m 0644 $(INSTALL_US)/libedgenpu.a $(DESTDIR)$(INSTALL_LIBDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call INSTALL_PCREL,$(INSTALL_LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(call INSTALL_PCREL,$(INSTALL_INCDIR))|' -e 's|@VERSION@|$(VERSION)|' \
		$(INSTALL_PKGDIR)/pkgconfig/edgenpu.pc.in > $(DESTDIR)$(INSTALL_PCDIR)/edgenpu.pc
	chmod 0644 $(DESTDIR)$(INSTALL_PCDIR)/edgenpu.pc
	$(INSTALL) -m 0644 userspace/include/edgenpu.h $(DESTDIR)$(INSTALL_INCDIR)/
	$(INSTALL) -m 0644 $(INSTALL_UAPI_HDRS) $(DESTDIR)$(INSTALL_INCDIR)/edgenpu/drm/
	$(INSTALL) -m 0755 $(INSTALL_US)/accel-run $(DESTDIR)$(INSTALL_BINDIR)/
	$(INSTALL) -m 0644 userspace/accel-run/accel-run.1 $(DESTDIR)$(INSTALL_MANDIR)/man1/
	$(INSTALL) -m 0644 userspace/include/edgenpu.3 $(DESTDIR)$(INSTALL_MANDIR)/man3/
	$(INSTALL) -m 0644 $(INSTALL_PKGDIR)/udev/70-edgenpu.rules $(DESTDIR)$(INSTALL_UDEVDIR)/
	$(INSTALL) -m 0644 $(INSTALL_PKGDIR)/modprobe.d/edgenpu.conf.example \
		$(DESTDIR)$(INSTALL_MODPROBEDIR)/
	$(if $(TFD_INSTALL),$(INSTALL) -m 0644 $(BUILD)/tflite-delegate/libedgenpu-tflite.so \
		$(DESTDIR)$(INSTALL_LIBDIR)/,@echo "(no TFLite delegate: TFLITE_DELEGATE=$(TFLITE_DELEGATE)$(if $(filter auto,$(TFLITE_DELEGATE)), and no TensorFlow Lite headers in $(or $(TFLITE_INCDIR),/usr/include)))")
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	-rmdir $(addprefix $(DESTDIR),$(INSTALL_OWN_DIRS)) 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

install-manifest:
	@printf '%s\n' $(INSTALL_FILES)

# The DKMS source tree: what /usr/src/edgenpu-VERSION holds.
PKG_DKMS_TREE := $(BUILD)/dkms/edgenpu-$(VERSION)
PKG_BUILD_EXCLUDES := --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='*.a' --exclude='.*.d' \
	--exclude=modules.order --exclude=Module.symvers --exclude='.tmp*' \
	--exclude=edgenpu_version.mk

dkms-tree:
	@rm -rf $(PKG_DKMS_TREE)
	@mkdir -p $(PKG_DKMS_TREE)/drivers/accel $(PKG_DKMS_TREE)/include/uapi
	@cp Kbuild VERSION $(PKG_DKMS_TREE)/
	@rsync -a $(PKG_BUILD_EXCLUDES) drivers/accel/edgenpu $(PKG_DKMS_TREE)/drivers/accel/
	@rsync -a include/uapi/drm $(PKG_DKMS_TREE)/include/uapi/
	@sed 's|@VERSION@|$(VERSION)|g' $(INSTALL_PKGDIR)/dkms/dkms.conf.in > $(PKG_DKMS_TREE)/dkms.conf
	@echo "$(PKG_DKMS_TREE)"

dkms-install: dkms-tree
	rm -rf $(DESTDIR)$(INSTALL_DKMS_SRCDIR)
	$(INSTALL) -d $(DESTDIR)$(INSTALL_DKMS_SRCDIR)
	cp -a $(PKG_DKMS_TREE)/. $(DESTDIR)$(INSTALL_DKMS_SRCDIR)/
	@if [ -z "$(DESTDIR)" ]; then \
		echo dkms install -m edgenpu -v $(VERSION); \
		dkms install -m edgenpu -v $(VERSION); \
	fi

dkms-uninstall:
	-dkms remove -m edgenpu -v $(VERSION) --all
	rm -rf $(DESTDIR)$(INSTALL_DKMS_SRCDIR)

# Debian packages: a copy of the sources with packaging/debian as debian/
# and a changelog whose version is VERSION's.
PKG_DEB_OUT := $(BUILD)/deb

deb:
	@scripts/build-debs $(PKG_DEB_OUT)

intree-build:
	@scripts/intree-build

musl:
	@scripts/build-musl $(BUILD)/musl

pkg-install-test:
	@tests/packaging/install-test

pkg-dkms-test:
	@tests/packaging/dkms-test

pkg-deb-test:
	@tests/packaging/deb-test

pkg-intree-test:
	@tests/packaging/intree-test

pkg-musl-test:
	@tests/packaging/musl-test

pkg-recipes-test:
	@tests/packaging/recipes-test

# All of them, in an order that shares work: dkms-test's boot also runs
# the static musl accel-run that musl-test built.
pkg-test:
	@fail=0; for t in install recipes musl dkms deb intree; do \
		echo "# pkg-$$t-test"; \
		EDGENPU_MUSL_NO_VM=1 tests/packaging/$$t-test || fail=1; \
	done; exit $$fail

# The checkout's own dkms.conf, for `dkms add .`.
.PHONY: dkms.conf
dkms.conf: packaging/dkms/dkms.conf.in VERSION
	sed 's|@VERSION@|$(VERSION)|g' $< > $@
