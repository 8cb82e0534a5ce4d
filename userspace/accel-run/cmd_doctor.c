// SPDX-License-Identifier: MIT
/*
 * accel-run doctor: what stands between this machine and its NPU, and
 * the fix for each problem found.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edgenpu.h"
#include "accel-run.h"

struct doctor {
	int problems;
};

static void problem(struct doctor *d, const char *what, const char *fix)
{
	d->problems++;
	printf("PROBLEM %s\n  fix: %s\n", what, fix);
}

static void good(const char *what)
{
	printf("ok      %s\n", what);
}

/* The kernel log: $EDGENPU_DOCTOR_KLOG (for tests), else syslog(2). */
static char *read_klog(void)
{
	const char *path = getenv("EDGENPU_DOCTOR_KLOG");
	char *buf;
	int n;

	if (path) {
		FILE *f = fopen(path, "r");
		size_t len;

		if (!f)
			return NULL;
		buf = calloc(1, 1 << 20);
		len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
		fclose(f);
		if (buf)
			buf[len] = 0;
		return buf;
	}
	n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (n <= 0)
		return NULL;
	buf = calloc(1, n + 1);
	if (!buf)
		return NULL;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, n);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

/*
 * What the kernel logs when it refuses a module it cannot verify: with
 * signatures enforced (module.sig_enforce=1, or set by the IMA arch
 * policy under Secure Boot, as Debian's kernels do) for an unsigned module
 * and for one signed by a key it does not trust (DKMS's key, not
 * enrolled); under lockdown alone; and what modprobe says.
 */
static const char *const sig_rejected[] = {
	"Key was rejected by service",
	"Loading of unsigned module is rejected",
	"Loading of module with unavailable key is rejected",
	"unsigned module loading is restricted",
	NULL,
};

static int shows_sig_rejected(const char *klog)
{
	const char *const *m;

	for (m = sig_rejected; klog && *m; m++)
		if (strstr(klog, *m))
			return 1;
	return 0;
}

static void check_secure_boot(struct doctor *d, const char *klog)
{
	if (shows_sig_rejected(klog)) {
		problem(d, "Secure Boot rejected the edgenpu module: it is unsigned, or signed by a key "
			"the machine has not enrolled (\"Key was rejected by service\")",
			"sign it with the DKMS key and enroll that key: sudo mokutil --import /var/lib/dkms/mok.pub; "
			"reboot and choose \"Enroll MOK\" in the blue MOK manager screen; then sudo modprobe edgenpu "
			"(see Documentation/edgenpu/install.rst)");
	}
}

static int check_module(struct doctor *d, const char *klog)
{
	struct stat st;

	if (stat("/sys/module/edgenpu", &st) == 0) {
		FILE *f = fopen("/sys/module/edgenpu/version", "r");
		char ver[64] = "?";

		if (f) {
			if (fscanf(f, "%63s", ver) != 1)
				strcpy(ver, "?");
			fclose(f);
		}
		printf("ok      the edgenpu module is loaded (version %s, library %s)\n",
		       ver, edgenpu_version());
		if (strcmp(ver, edgenpu_version()))
			printf("        note: module and library releases differ; they speak the same uapi major, so this works\n");
		return 1;
	}
	check_secure_boot(d, klog);
	problem(d, "the edgenpu module is not loaded",
		"sudo modprobe edgenpu (installed by the edgenpu-dkms package; see Documentation/edgenpu/install.rst); "
		"if modprobe says \"Key was rejected by service\", see the Secure Boot fix");
	return 0;
}

/* The node's mode and group say who may open it. */
static void not_accessible(struct doctor *d, const char *path)
{
	struct group *g = NULL;
	struct stat st;
	char msg[512];
	int ok = stat(path, &st) == 0;

	if (ok)
		g = getgrgid(st.st_gid);
	snprintf(msg, sizeof(msg), "%s is not accessible (mode %o, group %s)",
		 path, ok ? st.st_mode & 0777 : 0, g ? g->gr_name : "?");
	problem(d, msg,
		"install the udev rule (70-edgenpu.rules, in the packages and `make install`) "
		"and add yourself to its group: sudo usermod -aG render $USER, then log in again");
}

static void check_node(struct doctor *d, const char *path)
{
	struct edgenpu_device_info info;
	struct edgenpu_device *dev;
	char msg[512];
	int ret;

	ret = edgenpu_device_open(path, &dev);
	if (ret == 0) {
		edgenpu_device_get_info(dev, &info);
		snprintf(msg, sizeof(msg), "%s: %s (backend %s), uapi %u.%u (library speaks %u.x)",
			 path, info.name, info.backend, info.uapi_major,
			 info.uapi_minor, info.uapi_major);
		good(msg);
		edgenpu_device_unref(dev);
		return;
	}
	if (ret == -ENODEV)
		return;	/* another driver's accel device */
	if (ret == -EACCES || ret == -EPERM) {
		not_accessible(d, path);
		return;
	}
	if (ret == -EPROTO) {
		snprintf(msg, sizeof(msg), "%s: the module speaks another uapi major version than library %s",
			 path, edgenpu_version());
		problem(d, msg, "install matching edgenpu-dkms and libedgenpu1 packages (the same release)");
		return;
	}
	snprintf(msg, sizeof(msg), "%s: %s", path, edgenpu_strerror(ret));
	problem(d, msg, "see `dmesg | grep edgenpu`");
}

/* check_node() on each node of @dir named @prefix*; returns how many. */
static int check_dir(struct doctor *d, const char *dir, const char *prefix)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char path[300];
	int n = 0;

	while (dp && (e = readdir(dp))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		check_node(d, path);
		n++;
	}
	if (dp)
		closedir(dp);
	return n;
}

static void check_nodes(struct doctor *d)
{
	struct stat st;

	/* A kernel without DRM accel: the module made render nodes. */
	if (stat("/dev/accel", &st) && errno == ENOENT) {
		printf("ok      this kernel has no DRM accel: the NPUs are render nodes (/dev/dri/renderD*)\n");
		if (!check_dir(d, "/dev/dri", "renderD"))
			problem(d, "no /dev/dri/renderD* node",
				"the module is loaded but made no device: see `dmesg | grep edgenpu`");
		return;
	}
	if (!check_dir(d, "/dev/accel", "accel"))
		problem(d, "no /dev/accel/accel* node",
			"the module is loaded but made no device: see `dmesg | grep edgenpu`");
}

int cmd_doctor(int argc, char **argv)
{
	struct doctor d = { 0 };
	char *klog;

	if (argc > 1) {
		fprintf(stderr, "accel-run doctor: unexpected argument '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	klog = read_klog();
	if (check_module(&d, klog))
		check_nodes(&d);
	free(klog);
	if (d.problems)
		printf("%d problem(s) found\n", d.problems);
	else
		printf("no problems found\n");
	return d.problems ? EXIT_RUN_FAILED : 0;
}
