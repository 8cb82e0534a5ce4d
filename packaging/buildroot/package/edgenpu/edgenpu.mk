################################################################################
#
# edgenpu
#
# The source is the edgenpu tree this external lives in
# (packaging/buildroot): BR2_EXTERNAL=/path/to/edgenpu/packaging/buildroot.
#
################################################################################

EDGENPU_SITE = $(BR2_EXTERNAL_EDGENPU_PATH)/../..
EDGENPU_SITE_METHOD = local
# The one version source of module, library and packages.
EDGENPU_VERSION = $(shell cat $(EDGENPU_SITE)/VERSION)
EDGENPU_LICENSE = GPL-2.0-only (module), MIT (libedgenpu, accel-run)
EDGENPU_LICENSE_FILES = Kbuild userspace/include/edgenpu.h
EDGENPU_DEPENDENCIES = libdrm host-pkgconf
EDGENPU_INSTALL_STAGING = YES

# The module: only the production module, no -Werror (as DKMS builds it).
EDGENPU_MODULE_SUBDIRS = drivers/accel/edgenpu
EDGENPU_MODULE_MAKE_OPTS = CONFIG_DRM_ACCEL_EDGENPU=m

EDGENPU_MAKE_OPTS = BUILD=$(@D)/userspace-build PREFIX=/usr \
	INSTALL_UDEVDIR=/usr/lib/udev/rules.d

define EDGENPU_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(TARGET_CONFIGURE_OPTS) \
		$(EDGENPU_MAKE_OPTS) userspace
endef

define EDGENPU_INSTALL_STAGING_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(EDGENPU_MAKE_OPTS) \
		DESTDIR=$(STAGING_DIR) install-files
endef

define EDGENPU_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(EDGENPU_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) install-files
endef

$(eval $(kernel-module))
$(eval $(generic-package))
