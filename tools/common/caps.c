/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capability checks and the privilege drop behind the tools' --user: raw
 * capget/capset (version 3: two 32-bit words per set) and prctl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "caps.h"
#include "util.h"

struct capsets {
	uint64_t eff, perm, inh;
};

static int caps_get(struct capsets *c)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d))
		return -errno;
	c->eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	c->perm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	c->inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

static int caps_set(const struct capsets *c)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)c->eff, (uint32_t)c->perm, (uint32_t)c->inh },
		{ (uint32_t)(c->eff >> 32), (uint32_t)(c->perm >> 32), (uint32_t)(c->inh >> 32) },
	};

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

uint64_t xt_caps_effective(void)
{
	struct capsets c = { 0 };

	return caps_get(&c) ? ~0ull : c.eff;
}

const char *xt_caps_missing(uint64_t need, char *buf, size_t len)
{
	static const struct { int cap; const char *name; } names[] = {
		{ XT_CAP_NET_ADMIN, "CAP_NET_ADMIN" }, { XT_CAP_BPF, "CAP_BPF" },
		{ XT_CAP_PERFMON, "CAP_PERFMON" }, { XT_CAP_NET_RAW, "CAP_NET_RAW" },
		{ XT_CAP_IPC_LOCK, "CAP_IPC_LOCK" }, { XT_CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
		{ XT_CAP_SETUID, "CAP_SETUID" }, { XT_CAP_SETGID, "CAP_SETGID" },
		{ XT_CAP_SETPCAP, "CAP_SETPCAP" },
	};
	uint64_t lack = need & ~xt_caps_effective();
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < len; i++) {
		if (!(lack & XT_CAPBIT(names[i].cap)))
			continue;
		lack &= ~XT_CAPBIT(names[i].cap);
		n += (size_t)snprintf(buf + n, len - n, "%s%s", !n ? "" : lack ? ", " : " and ",
				      names[i].name);
	}
	return buf;
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = 40;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = 40;
		fclose(f);
	}
	return last < 63 ? last : 63;
}

int xt_drop_to_user(const char *name, uint64_t keep, const char **msg)
{
	struct passwd *pw = getpwnam(name);
	struct capsets c = { 0 };
	gid_t gid;
	int err;

	if (!pw) {
		*msg = "no such user";
		return -ENOENT;
	}
	gid = pw->pw_gid;
	err = caps_get(&c);
	if (err) {
		*msg = "cannot read this process's capabilities";
		return err;
	}
	keep &= c.perm;
	/* Keep the permitted set across setuid; the bounding set goes down to
	 * @keep first, while CAP_SETPCAP is still ours. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) {
		*msg = "prctl(PR_SET_KEEPCAPS) failed";
		return -errno;
	}
	for (int cap = 0; cap <= last_cap(); cap++) {
		if (!(keep & XT_CAPBIT(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			*msg = "cannot reduce the bounding set (needs CAP_SETPCAP)";
			return -errno;
		}
	}
	/* glibc applies these to every thread of the process. */
	if (setgroups(1, &gid) || setgid(gid) || setuid(pw->pw_uid)) {
		*msg = "cannot switch groups and user (needs CAP_SETGID and CAP_SETUID)";
		return -errno;
	}
	c.perm = keep;
	c.eff = 0;
	c.inh = 0;
	err = caps_set(&c);
	if (err) {
		*msg = "cannot reduce the capability sets";
		return err;
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		*msg = "prctl after the switch failed";
		return -errno;
	}
	/* Make sure it took: root must be out of reach now. */
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		*msg = "could switch back to root after dropping";
		return -EPERM;
	}
	return 0;
}

int xt_caps_raise(uint64_t caps)
{
	struct capsets c = { 0 };
	int err = caps_get(&c);

	if (err)
		return err;
	c.eff |= caps & c.perm;
	return caps_set(&c);
}

void xt_explain_setup_error(const char *prog, const char *needs, int err, uint64_t umem_bytes)
{
	char lack[160];

	if (err == -ENOBUFS) {
		xt_caps_missing(XT_CAPBIT(XT_CAP_IPC_LOCK), lack, sizeof(lack));
		if (lack[0])
			fprintf(stderr, "%s: the UMEM's %" PRIu64 " bytes of locked memory need "
				"CAP_IPC_LOCK or an RLIMIT_MEMLOCK that large (ulimit -l); this "
				"process lacks CAP_IPC_LOCK\n", prog, umem_bytes);
	} else if (err == -EPERM || err == -EACCES) {
		xt_caps_missing(XT_XDP_CAPS, lack, sizeof(lack));
		if (lack[0])
			fprintf(stderr, "%s: %s; this process lacks %s\n", prog, needs, lack);
	}
}

int xt_netns_enter_explained(const char *prog, const char *name)
{
	int err = xt_netns_enter(name);
	char lack[64] = "";

	if (!err)
		return 0;
	if (err == -EPERM)
		xt_caps_missing(XT_CAPBIT(XT_CAP_SYS_ADMIN), lack, sizeof(lack));
	fprintf(stderr, "%s: cannot enter network namespace %s: %s%s%s\n", prog, name,
		strerror(-err), lack[0] ? " (setns needs CAP_SYS_ADMIN; this process lacks " : "",
		lack[0] ? "it)" : "");
	return err;
}
