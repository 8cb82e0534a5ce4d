# SPDX-License-Identifier: MIT
#
# Yocto/OpenEmbedded recipe of edgenpu: the edgenpu.ko kernel module
# (packaged as kernel-module-edgenpu by the module class), libedgenpu
# (shared, static, header, pkg-config file), accel-run and the udev rule.
#
# The version in this file's name must be the project's VERSION file
# (tests/packaging/recipes-test checks it). Point EDGENPU_GIT_URI at your
# edgenpu repository in local.conf, or build from a checkout with
#   INHERIT += "externalsrc"
#   EXTERNALSRC:pn-edgenpu = "/path/to/edgenpu"
# The module needs a kernel of 6.12 or later with CONFIG_DRM_ACCEL=y and
# CONFIG_DRM_SCHED, CONFIG_DRM_GEM_SHMEM_HELPER (y or m).

SUMMARY = "edgenpu: DRM accel driver for edge-AI NPUs, libedgenpu and accel-run"
DESCRIPTION = "An out-of-tree DRM accel driver giving edge-AI NPUs one interface \
at /dev/accel/accelN (with vnpu, a virtual reference NPU), its userspace \
library libedgenpu and the accel-run command line tool."
SECTION = "kernel"
LICENSE = "GPL-2.0-only & MIT"
LIC_FILES_CHKSUM = "file://Kbuild;beginline=1;endline=1;md5=829e563511c9a1d6d41f17a7a4989d6a \
                    file://userspace/include/edgenpu.h;beginline=1;endline=1;md5=234d7d4edd08962c0144e4604050e0b6"

EDGENPU_GIT_URI ??= "git://git.example.org/edgenpu.git;protocol=https;branch=main"
SRC_URI = "${EDGENPU_GIT_URI}"
SRCREV ??= "${AUTOREV}"
S = "${WORKDIR}/git"

inherit module pkgconfig

DEPENDS += "libdrm"

EDGENPU_MAKE_USERSPACE = "BUILD=${B}/userspace-build CC='${CC}' AR='${AR}'"
EDGENPU_INSTALL_DIRS = "PREFIX=${prefix} INSTALL_BINDIR=${bindir} \
    INSTALL_LIBDIR=${libdir} INSTALL_INCDIR=${includedir} \
    INSTALL_MANDIR=${mandir} INSTALL_SYSCONFDIR=${sysconfdir} \
    INSTALL_UDEVDIR=${nonarch_base_libdir}/udev/rules.d"

# Only the production module (not the KUnit one), without -Werror,
# against the kernel being built: as DKMS does.
do_compile() {
    (
        unset CFLAGS CPPFLAGS CXXFLAGS LDFLAGS
        oe_runmake -C ${STAGING_KERNEL_DIR} O=${STAGING_KERNEL_BUILDDIR} \
            M=${S}/drivers/accel/edgenpu CONFIG_DRM_ACCEL_EDGENPU=m \
            CC="${KERNEL_CC}" LD="${KERNEL_LD}" AR="${KERNEL_AR}" \
            OBJCOPY="${KERNEL_OBJCOPY}" modules
    )
    oe_runmake -C ${S} ${EDGENPU_MAKE_USERSPACE} userspace
}

do_install() {
    install -d ${D}${nonarch_base_libdir}/modules/${KERNEL_VERSION}/updates
    install -m 0644 ${S}/drivers/accel/edgenpu/edgenpu.ko \
        ${D}${nonarch_base_libdir}/modules/${KERNEL_VERSION}/updates/
    oe_runmake -C ${S} ${EDGENPU_MAKE_USERSPACE} ${EDGENPU_INSTALL_DIRS} \
        DESTDIR=${D} install-files
}

PACKAGES =+ "accel-run libedgenpu"
FILES:accel-run = "${bindir}/accel-run"
FILES:libedgenpu = "${libdir}/libedgenpu.so.*"
FILES:${PN} += "${nonarch_base_libdir}/udev/rules.d/70-edgenpu.rules \
    ${sysconfdir}/modprobe.d/edgenpu.conf.example"
FILES:${PN}-dev += "${includedir}/edgenpu ${libdir}/pkgconfig/edgenpu.pc"
RDEPENDS:accel-run += "libdrm"
RRECOMMENDS:${PN} += "kernel-module-edgenpu"
KERNEL_MODULE_AUTOLOAD += "edgenpu"
