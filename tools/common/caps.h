/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capabilities for the tools: which of the ones an operation needs the
 * process lacks, and dropping to an unprivileged user after set-up while
 * keeping a chosen few (capget/capset directly: no libcap).
 */
#ifndef XSKB_TOOLS_CAPS_H
#define XSKB_TOOLS_CAPS_H

#include <stddef.h>
#include <stdint.h>

/* Capability numbers (linux/capability.h; CAP_PERFMON and CAP_BPF are newer
 * than some headers). */
#define XT_CAP_SETGID		6
#define XT_CAP_SETUID		7
#define XT_CAP_SETPCAP		8
#define XT_CAP_NET_ADMIN	12
#define XT_CAP_NET_RAW		13
#define XT_CAP_IPC_LOCK		14
#define XT_CAP_SYS_ADMIN	21
#define XT_CAP_PERFMON		38
#define XT_CAP_BPF		39
#define XT_CAPBIT(c)		(1ull << (c))

/* The calling thread's effective set; all ones if it cannot be read. */
uint64_t xt_caps_effective(void);
/* Names of the capabilities in @need the calling thread lacks, as
 * "CAP_A, CAP_B and CAP_C" in @buf (empty when none is missing). Returns @buf. */
const char *xt_caps_missing(uint64_t need, char *buf, size_t len);

/*
 * Become user @name: supplementary groups reduced to its primary group,
 * then gid and uid, for every thread (so call it before starting threads
 * that should be unprivileged too). The capabilities in @keep stay in the
 * permitted set (not effective: xt_caps_raise() brings them back); all
 * others leave the bounding set, and no_new_privs is set. File descriptors
 * (sockets, the UMEM mapping) stay. Returns 0, or a negative errno with *msg
 * set to a sentence: -ENOENT (no such user), -EPERM (not privileged enough to
 * switch: needs CAP_SETUID, CAP_SETGID and CAP_SETPCAP).
 */
int xt_drop_to_user(const char *name, uint64_t keep, const char **msg);

/* Make the permitted capabilities in @caps effective. 0 or -errno. */
int xt_caps_raise(uint64_t caps);

/* What the datapath tools need: XDP (load, attach), AF_XDP sockets, the
 * UMEM's locked memory. */
#define XT_XDP_CAPS (XT_CAPBIT(XT_CAP_NET_ADMIN) | XT_CAPBIT(XT_CAP_BPF) | \
		     XT_CAPBIT(XT_CAP_NET_RAW) | XT_CAPBIT(XT_CAP_IPC_LOCK))

/*
 * After a set-up step (UMEM, socket) failed with @err: if a missing
 * capability explains it, say which on stderr as "PROG: ...". -ENOBUFS is the
 * UMEM's @umem_bytes of locked memory (CAP_IPC_LOCK); -EPERM/-EACCES print
 * "@needs; this process lacks CAP_...", @needs naming what the operation
 * requires ("receiving needs CAP_NET_ADMIN, ..."). Prints nothing otherwise:
 * the library has said why.
 */
void xt_explain_setup_error(const char *prog, const char *needs, int err, uint64_t umem_bytes);

/* Enter network namespace @name (xt_netns_enter()); on failure print why on
 * stderr, naming CAP_SYS_ADMIN when that is what is missing. 0 or -errno. */
int xt_netns_enter_explained(const char *prog, const char *name);

#endif
