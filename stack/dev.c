/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct xskb_dev: an interface, its properties (MTU, MAC, queues, NUMA
 * node) and xskb's XDP program, loaded and attached through libxdp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "dev_internal.h"
#include "rx.h"

/* The program, compiled by clang at build time and embedded (xdp/CMakeLists.txt). */
extern const unsigned char xskb_redirect_bpf_o[];
extern const size_t xskb_redirect_bpf_o_len;

/*
 * libbpf and libxdp print to stderr by default, including chatter such as
 * "skipping unrecognized data section" and "No bpffs found". While xskb
 * drives them, their warnings go through xskb's printer and their info
 * lines become xskb debug messages; the previous printers come back after.
 */
/*
 * While libxdp attaches, its warnings (and libbpf's) are held back: when it
 * tries its dispatcher on a kernel that refuses it, it logs load failures and
 * then falls back and succeeds. They are shown as warnings only if the attach
 * fails, else as debug lines. Control path only: xskb_dev__open/close are not
 * meant to race each other (libbpf's printer is process-wide anyway).
 */
static struct {
	bool on;
	size_t len;
	char text[4096];
} held;

static int fwd_print(enum xskb_print_level lvl, const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (held.on && lvl == XSKB_LOG_WARN) {
		int n = snprintf(held.text + held.len, sizeof(held.text) - held.len, "%s", buf);

		if (n > 0)
			held.len = held.len + (size_t)n < sizeof(held.text) ? held.len + (size_t)n
									: sizeof(held.text) - 1;
		lvl = XSKB_LOG_DEBUG;
	}
	xskb_log(lvl, "%s", buf);
	return 0;
}

static void hold_warnings(void)
{
	held.on = true;
	held.len = 0;
	held.text[0] = '\0';
}

/* Stop holding; show what was held as warnings if @failed. */
static void release_warnings(bool failed)
{
	held.on = false;
	if (failed && held.len)
		xskb_log(XSKB_LOG_WARN, "%s", held.text);
}

static int bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return fwd_print(level == LIBBPF_WARN ? XSKB_LOG_WARN : XSKB_LOG_DEBUG, fmt, ap);
}

/*
 * libxdp warns, on every attach, that it found no bpffs and cannot use its
 * dispatcher. That is a normal setup, not a fault (xskb_dev__multiprog()
 * tells which mode is in effect), so those lines are debug output here.
 */
static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	bool routine = strstr(fmt, "bpffs") || strstr(fmt, "without dispatcher") ||
		       strstr(fmt, "dispatcher without");

	return fwd_print(level == LIBXDP_WARN && !routine ? XSKB_LOG_WARN : XSKB_LOG_DEBUG, fmt,
			 ap);
}

struct saved_print {
	libbpf_print_fn_t bpf;
	libxdp_print_fn_t xdp;
};

static struct saved_print quiet_libs(void)
{
	struct saved_print s = { libbpf_set_print(bpf_print), libxdp_set_print(xdp_print) };

	return s;
}

static void restore_libs(struct saved_print s)
{
	libbpf_set_print(s.bpf);
	libxdp_set_print(s.xdp);
}

/* MTU, MAC and RX queue count, asked of the kernel in this thread's netns. */
static int query_netdev(struct xskb_dev *d)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, d->netdev.name, sizeof(ifr.ifr_name));
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0) {
		err = -errno;
		goto out;
	}
	d->netdev.mtu = (unsigned int)ifr.ifr_mtu;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(d->netdev.dev_addr, ifr.ifr_hwaddr.sa_data, 6);
	/* Not every driver reports channels; 0 leaves the check to bind(). */
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		d->netdev.real_num_rx_queues = ch.combined_count + ch.rx_count;
out:
	close(fd);
	return err;
}

static int node_of(const char *ifname)
{
	char path[128], buf[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device/numa_node", ifname);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? atoi(buf) : -1;
}

static int open_program(struct xskb_dev *d, const char *path, struct bpf_object **objp)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "xskb_redirect");
	DECLARE_LIBXDP_OPTS(xdp_program_opts, po, .prog_name = "xskb_redirect");
	struct bpf_object *obj;
	int err;

	if (path)
		obj = bpf_object__open_file(path, NULL);
	else
		obj = bpf_object__open_mem(xskb_redirect_bpf_o, xskb_redirect_bpf_o_len, &oo);
	err = (int)libbpf_get_error(obj);
	if (err) {
		pr_warn("cannot open the XDP program%s%s: %s\n", path ? " " : "", path ? path : "",
			strerror(-err));
		return err;
	}
	po.obj = obj;
	d->prog = xdp_program__create(&po);
	err = (int)libxdp_get_error(d->prog);
	if (err) {
		d->prog = NULL;
		bpf_object__close(obj);
		pr_warn("libxdp rejected the XDP program: %s\n", strerror(-err));
		return err;
	}
	*objp = obj;
	return 0;
}

/* ---- capabilities ------------------------------------------------------------ */

/* The calling thread's effective capabilities (CapEff in /proc/self/status,
 * so no libcap); all bits set when unreadable, so nothing is blamed. */
static __u64 cap_effective(void)
{
	unsigned long long eff = ~0ull;
	char line[128];
	FILE *f = fopen("/proc/thread-self/status", "re");

	if (!f)
		f = fopen("/proc/self/status", "re");
	if (!f)
		return eff;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff;
}

#define CAPBIT(c) (1ull << (c))
#define CAP_NET_ADMIN_BIT	12
#define CAP_SYS_ADMIN_BIT	21
#define CAP_PERFMON_BIT		38
#define CAP_BPF_BIT		39

/* "CAP_X and CAP_Y": the capabilities of @need the calling thread lacks, or "". */
static const char *caps_missing(__u64 need, char *buf, size_t len)
{
	static const struct { int bit; const char *name; } names[] = {
		{ CAP_NET_ADMIN_BIT, "CAP_NET_ADMIN" }, { CAP_BPF_BIT, "CAP_BPF" },
		{ CAP_PERFMON_BIT, "CAP_PERFMON" }, { CAP_SYS_ADMIN_BIT, "CAP_SYS_ADMIN" },
	};
	__u64 lack = need & ~cap_effective();
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(lack & CAPBIT(names[i].bit)))
			continue;
		lack &= ~CAPBIT(names[i].bit);
		n += (size_t)snprintf(buf + n, len > n ? len - n : 0, "%s%s", n ? (lack ? ", " : " and ") : "",
				      names[i].name);
	}
	return buf;
}

/* ---- who owns an attached program ----------------------------------------- */

/*
 * A program records the process that attached it (struct xskb_xdp_cfg):
 * pid, start time and pid namespace. The start time tells a reused pid from
 * the owner; a pid namespace other than ours means the pid cannot be judged
 * from here, and the owner counts as unknown. A zombie has released its
 * sockets already, so it counts as gone. Checking for AF_XDP sockets in the
 * XSKMAP instead would not work: the kernel does not let user space read an
 * XSKMAP, and a live owner has none between xskb_dev__open() and its first
 * queue.
 */
enum owner_state { OWNER_UNKNOWN, OWNER_ALIVE, OWNER_GONE };

/* Start time of @pid (clock ticks after boot) and whether it is a zombie;
 * 0 if there is no such process. */
static __u64 proc_start(pid_t pid, bool *zombie)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	*zombie = false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces and ')': skip past the last. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	p += 2;
	*zombie = *p == 'Z' || *p == 'X';
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &start) != 1)
		return 0;
	return start;
}

static __u64 pidns_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) ? 0 : (__u64)st.st_ino;
}

static void set_owner(struct xskb_xdp_cfg *c)
{
	bool zombie;

	c->owner_pid = (__u32)getpid();
	c->owner_start = proc_start(getpid(), &zombie);
	c->owner_pidns = pidns_ino();
}

static enum owner_state owner_of(const struct xskb_xdp_cfg *c)
{
	bool zombie;
	__u64 start;

	if (!c->owner_pid || !c->owner_start || c->owner_pidns != pidns_ino())
		return OWNER_UNKNOWN;
	start = proc_start((pid_t)c->owner_pid, &zombie);
	return start == c->owner_start && !zombie ? OWNER_ALIVE : OWNER_GONE;
}

/* Read the xskb_cfg map of the program behind @prog_fd (needs CAP_SYS_ADMIN
 * for the map id lookup). -ENOENT: no such map of the expected size (an
 * older xskb, or not xskb's program). */
static int prog_cfg(int prog_fd, struct xskb_xdp_cfg *cfg)
{
	struct bpf_prog_info info;
	__u32 ids[16], len = sizeof(info), key = 0;
	int err = -ENOENT;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	for (__u32 i = 0; i < info.nr_map_ids && i < 16; i++) {
		struct bpf_map_info mi;
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0) {
			err = -errno;
			continue;
		}
		memset(&mi, 0, sizeof(mi));
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) && !strcmp(mi.name, "xskb_cfg") &&
		    mi.value_size == sizeof(*cfg))
			err = bpf_map_lookup_elem(fd, &key, cfg) ? -errno : 0;
		close(fd);
		if (!err)
			break;
	}
	return err;
}

/* What to remove: orphans only (xskb_dev__open), or also programs whose
 * owner is unknown (xskb_dev__detach), or everything of xskb's (force). */
enum sweep_policy { SWEEP_ORPHANS, SWEEP_UNOWNED, SWEEP_ALL };

struct sweep {
	int ifindex;
	const char *ifname;
	enum sweep_policy policy;
	int removed;
	int busy_pid;		/* a live owner kept its program */
	bool unknown;		/* an xskb program of unknown owner was kept */
	int err;		/* first failure (inspecting or detaching) */
};

/* Decide about one xskb program; true to remove it (then *why says why). */
static bool sweep_decide(struct sweep *s, int prog_fd, char *why, size_t len)
{
	struct xskb_xdp_cfg c;
	enum owner_state st = OWNER_UNKNOWN;

	memset(&c, 0, sizeof(c));
	if (prog_cfg(prog_fd, &c) == 0)
		st = owner_of(&c);
	if (st == OWNER_GONE || s->policy == SWEEP_ALL ||
	    (st == OWNER_UNKNOWN && s->policy == SWEEP_UNOWNED)) {
		if (st == OWNER_GONE)
			snprintf(why, len, "left by process %u, which is gone", c.owner_pid);
		else
			snprintf(why, len, "%s", st == OWNER_ALIVE ? "its process still runs"
								   : "owner unknown");
		return true;
	}
	if (st == OWNER_ALIVE)
		s->busy_pid = (int)c.owner_pid;
	else
		s->unknown = true;
	return false;
}

static void sweep_done(struct sweep *s, int err, const char *why)
{
	if (err) {
		if (!s->err)
			s->err = err;
		return;
	}
	s->removed++;
	pr_info("%s: removed xskb's XDP program (%s)\n", s->ifname, why);
}

/* xskb programs inside libxdp's dispatcher on @s->ifindex. */
static void sweep_dispatcher(struct sweep *s)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(s->ifindex);
	struct xdp_program *p;
	int err;

	err = (int)libxdp_get_error(mp);
	if (err || !mp) {
		if (err && !s->err)
			s->err = err;
		return;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp)) {
		char why[64];

		if (strcmp(xdp_program__name(p), "xskb_redirect") ||
		    !sweep_decide(s, xdp_program__fd(p), why, sizeof(why)))
			continue;
		sweep_done(s, xdp_program__detach(p, s->ifindex, xdp_multiprog__attach_mode(mp), 0),
			   why);
	}
	xdp_multiprog__close(mp);
}

/*
 * Remove xskb's programs from @s->ifindex as the policy says, attached alone
 * (native or generic) or in libxdp's dispatcher. Without CAP_SYS_ADMIN the
 * attached program cannot be looked up by id: s->err is then -EPERM and
 * nothing is removed.
 */
static void sweep(struct sweep *s)
{
	static const __u32 modes[] = { XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE };

	for (unsigned int m = 0; m < 2; m++) {
		struct bpf_prog_info info;
		__u32 id = 0, len = sizeof(info);
		char why[64];
		int fd;

		if (bpf_xdp_query_id(s->ifindex, (int)modes[m], &id) || !id)
			continue;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0) {
			if (!s->err)
				s->err = -errno;
			continue;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		if (!strcmp(info.name, "xdp_dispatcher")) {
			close(fd);
			sweep_dispatcher(s);
			continue;
		}
		if (!strcmp(info.name, "xskb_redirect") && sweep_decide(s, fd, why, sizeof(why))) {
			LIBBPF_OPTS(bpf_xdp_attach_opts, ao, .old_prog_fd = fd);

			/* REPLACE: only if it is still that program. */
			sweep_done(s, bpf_xdp_detach(s->ifindex, modes[m] | XDP_FLAGS_REPLACE, &ao),
				   why);
		}
		close(fd);
	}
}

/* Name of the XDP program attached to @ifindex, or "" if none/unknown. */
static void attached_name(int ifindex, char *name, size_t len)
{
	struct bpf_prog_info info;
	__u32 id = 0, ilen = sizeof(info);
	int fd;

	name[0] = '\0';
	if (bpf_xdp_query_id(ifindex, 0, &id) || !id)
		return;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(name, len, "%s", info.name);
	close(fd);
}

static int attach_error(struct xskb_dev *d, int err, const struct sweep *s)
{
	const char *name = d->netdev.name;
	char prog[BPF_OBJ_NAME_LEN];

	switch (err) {
	case -EEXIST:
	case -EBUSY:
		attached_name(d->netdev.ifindex, prog, sizeof(prog));
		if (s->busy_pid)
			pr_warn("%s already runs xskb's XDP program for process %d, which is alive: "
				"stop that one first\n", name, s->busy_pid);
		else if (!strcmp(prog, "xskb_redirect") || s->unknown || s->err == -EPERM)
			pr_warn("%s already runs an XDP program%s%s%s: another xskb process%s. If no "
				"xskb process uses %s any more, remove it: xskb-rx --detach %s (or ip "
				"link set dev %s xdp off)\n", name, prog[0] ? " (" : "", prog,
				prog[0] ? ")" : "",
				s->err == -EPERM ? ", or one left by a process that died (telling "
						   "which needs CAP_SYS_ADMIN)"
						 : " of unknown owner, or an older xskb's",
				name, name, name);
		else
			pr_warn("%s already has an XDP program%s%s%s that libxdp cannot share; remove "
				"it (ip link set dev %s xdp off) or load both through libxdp with bpffs "
				"mounted\n", name, prog[0] ? " (" : "", prog, prog[0] ? ")" : "", name);
		return -EBUSY;
	case -EPERM:
	case -EACCES: {
		char lack[96];

		/* Loading needs CAP_BPF (maps, program), attaching CAP_NET_ADMIN. */
		caps_missing(CAPBIT(CAP_NET_ADMIN_BIT) | CAPBIT(CAP_BPF_BIT), lack, sizeof(lack));
		if (lack[0])
			pr_warn("loading and attaching XDP to %s needs CAP_NET_ADMIN and CAP_BPF; this "
				"process lacks %s\n", name, lack);
		else
			pr_warn("the kernel refused xskb's XDP program on %s (%s) although CAP_NET_ADMIN "
				"and CAP_BPF are present: see the verifier or libbpf message above (a "
				"security module, or kernel.unprivileged_bpf_disabled in a user "
				"namespace?)\n", name, strerror(-err));
		return -EPERM;
	}
	case -EOPNOTSUPP:
		pr_warn("%s does not support %s XDP; try the skb (generic) attach mode\n", name,
			d->attach == XSKB_ATTACH_DRV ? "native" : "generic");
		return -EOPNOTSUPP;
	default:
		pr_warn("cannot attach the XDP program to %s: %s\n", name, strerror(-err));
		return err;
	}
}

static __u32 mode_flag(const struct xskb_dev *d)
{
	return d->attach == XSKB_ATTACH_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

/*
 * Detach our program. Alone on the interface it goes through rtnetlink with
 * XDP_FLAGS_REPLACE, which needs CAP_NET_ADMIN only and removes the program
 * only if it is still ours; libxdp's detach looks the attached program up by
 * id, which needs CAP_SYS_ADMIN, so it is used for the dispatcher only.
 */
static int detach(struct xskb_dev *d)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao, .old_prog_fd = xdp_program__fd(d->prog));

	if (d->multiprog)
		return xdp_program__detach(d->prog, d->netdev.ifindex,
					   d->attach == XSKB_ATTACH_SKB ? XDP_MODE_SKB
									: XDP_MODE_NATIVE, 0);
	return bpf_xdp_detach(d->netdev.ifindex, mode_flag(d) | XDP_FLAGS_REPLACE, &ao);
}

static int write_cfg(struct xskb_dev *d, const struct xskb_xdp_cfg *c)
{
	__u32 key = 0;

	if (bpf_map_update_elem(d->cfg_fd, &key, c, BPF_ANY))
		return -errno;
	d->cfg = *c;
	return 0;
}

/*
 * Wait until no XDP program still runs with what it read before now: an
 * update of a map-in-map returns only after an RCU grace period (the kernel's
 * maybe_wait_bpf_programs()), and XDP programs run inside RCU read-side
 * sections. The maps live only for the call.
 */
static int wait_for_programs(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo);
	int inner, outer, err = 0;
	__u32 key = 0;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xskb_rcu_in", 4, 4, 1, NULL);
	if (inner < 0)
		return -errno;
	mo.inner_map_fd = inner;
	outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "xskb_rcu", 4, 4, 1, &mo);
	if (outer < 0)
		err = -errno;
	else if (bpf_map_update_elem(outer, &key, &inner, BPF_ANY))
		err = -errno;
	if (outer >= 0)
		close(outer);
	close(inner);
	return err;
}

/* The rule set in effect. */
static int read_ruleset(struct xskb_dev *d, struct xskb_xdp_ruleset *rs)
{
	__u32 gen = d->cfg.active;

	return bpf_map_lookup_elem(d->rules_fd, &gen, rs) ? -errno : 0;
}

/*
 * Make @rs the rule set in effect, atomically for the program: write it into
 * the generation not in use, then switch xskb_cfg.active with one map update.
 * The generation written was in use until the previous switch; wait first
 * until no program can still be reading it. On failure nothing changed.
 */
static int publish(struct xskb_dev *d, const struct xskb_xdp_ruleset *rs)
{
	struct xskb_xdp_cfg c = d->cfg;
	__u32 next = c.active ^ 1;
	int err;

	if (c.switches && (err = wait_for_programs())) {
		char lack[96] = "";

		if (err == -EPERM)
			caps_missing(CAPBIT(CAP_BPF_BIT), lack, sizeof(lack));
		pr_warn("%s: cannot wait for running XDP programs before changing the rules: %s%s%s\n",
			d->netdev.name, strerror(-err), lack[0] ? "; this process lacks " : "", lack);
		return err;
	}
	if (bpf_map_update_elem(d->rules_fd, &next, rs, BPF_ANY)) {
		err = -errno;
		pr_warn("%s: cannot write the claim rules: %s\n", d->netdev.name, strerror(-err));
		return err;
	}
	c.active = next;
	c.switches++;
	err = write_cfg(d, &c);
	if (err)
		pr_warn("%s: cannot switch to the new claim rules: %s\n", d->netdev.name,
			strerror(-err));
	return err;
}

static int dev_open(struct xskb_dev **out, const char *ifname, const struct xskb_dev_opts *opts)
{
	struct sweep sw = { .policy = SWEEP_ORPHANS };
	struct bpf_object *obj = NULL;
	struct xskb_dev *d;
	__u32 id = 0;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	err = XSKB_OPTS_CHECK(opts, "xskb_dev_opts");
	if (err)
		return err;
	if (!ifname || !*ifname || strlen(ifname) >= XSKB_IFNAMSIZ) {
		pr_warn("interface name '%s' is empty or too long\n", ifname ? ifname : "(null)");
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->xsks_map_fd = d->rules_fd = d->cfg_fd = -1;
	d->refs = 1;
	/* Its ifindex means something in this namespace only: close and
	 * check go back here if called from another. */
	d->netns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(d->netdev.name, sizeof(d->netdev.name), "%s", ifname);
	d->netdev.ifindex = (int)if_nametoindex(ifname);
	if (!d->netdev.ifindex) {
		pr_warn("no interface named %s in this network namespace\n", ifname);
		err = -ENOENT;
		goto out_free;
	}
	err = query_netdev(d);
	if (err) {
		pr_warn("cannot query %s: %s\n", ifname, strerror(-err));
		goto out_free;
	}
	d->netdev.numa_node = node_of(ifname);
	d->netdev.hard_header_len = 14;
	d->netdev.ml_priv = d;
	d->attach = XSKB_OPT(opts, attach, XSKB_ATTACH_DRV);
	d->metadata = XSKB_OPT(opts, metadata, false);
	if (d->attach != XSKB_ATTACH_DRV && d->attach != XSKB_ATTACH_SKB) {
		pr_warn("unknown attach mode %d\n", d->attach);
		err = -EINVAL;
		goto out_free;
	}

	err = open_program(d, XSKB_OPT(opts, bpf_obj_path, (const char *)NULL), &obj);
	if (err)
		goto out_free;
	/* A program left by a process that died (kill -9) would block the attach. */
	sw.ifindex = d->netdev.ifindex;
	sw.ifname = ifname;
	sweep(&sw);
	hold_warnings();
	err = xdp_program__attach(d->prog, d->netdev.ifindex,
				  d->attach == XSKB_ATTACH_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE, 0);
	release_warnings(err != 0);
	if (err) {
		err = attach_error(d, err, &sw);
		goto out_prog;
	}
	/* Alone, the interface runs our program itself; else libxdp's dispatcher.
	 * (Asking libxdp would need CAP_SYS_ADMIN to look the program up by id.) */
	d->multiprog = !bpf_xdp_query_id(d->netdev.ifindex, (int)mode_flag(d), &id) &&
		       id != xdp_program__id(d->prog);
	d->xsks_map_fd = bpf_object__find_map_fd_by_name(obj, "xsks_map");
	d->rules_fd = bpf_object__find_map_fd_by_name(obj, "xskb_rules");
	d->cfg_fd = bpf_object__find_map_fd_by_name(obj, "xskb_cfg");
	if (d->xsks_map_fd < 0 || d->rules_fd < 0 || d->cfg_fd < 0) {
		pr_warn("the XDP program lacks its maps (xsks_map, xskb_rules, xskb_cfg)\n");
		err = -ENOENT;
		goto out_detach;
	}
	{
		struct xskb_xdp_ruleset rs = { .flags = XSKB_XDP_F_CLAIM_ALL |
							(d->metadata ? XSKB_XDP_F_META : 0) };
		struct xskb_xdp_cfg c = { 0 };
		__u32 key = 0;

		/* Generation 0, still unused: the program reads it once cfg is written. */
		set_owner(&c);
		err = bpf_map_update_elem(d->rules_fd, &key, &rs, BPF_ANY) ? -errno : 0;
		if (!err)
			err = write_cfg(d, &c);
	}
	if (err) {
		pr_warn("cannot configure the XDP program: %s\n", strerror(-err));
		goto out_detach;
	}
	pr_debug("%s: XDP program attached (%s, %s)\n", ifname,
		 d->attach == XSKB_ATTACH_SKB ? "skb" : "native",
		 d->multiprog ? "libxdp dispatcher" : "legacy, no dispatcher");
	*out = d;
	return 0;

out_detach:
	detach(d);
out_prog:
	xdp_program__close(d->prog);
	bpf_object__close(obj);
out_free:
	if (d->netns_fd >= 0)
		close(d->netns_fd);
	free(d);
	return err;
}

int xskb_dev__open(struct xskb_dev **out, const char *ifname, const struct xskb_dev_opts *opts)
{
	struct saved_print saved = quiet_libs();
	int err = dev_open(out, ifname, opts);

	restore_libs(saved);
	return err;
}

static bool ifindex_exists(int ifindex)
{
	char name[IF_NAMESIZE];

	return if_indextoname((unsigned int)ifindex, name) != NULL;
}

/*
 * Run in the device's network namespace: 0 with *back the namespace to go
 * back to (dev_ns_leave()), or -1 when the thread is already there; -errno
 * when it cannot enter it (setns() needs CAP_SYS_ADMIN).
 */
static int dev_ns_enter(const struct xskb_dev *d, int *back)
{
	struct stat here, there;
	int err;

	*back = -1;
	if (d->netns_fd < 0 || stat("/proc/thread-self/ns/net", &here) ||
	    fstat(d->netns_fd, &there) || (here.st_ino == there.st_ino &&
					   here.st_dev == there.st_dev))
		return 0;
	*back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*back < 0)
		return -errno;
	if (!setns(d->netns_fd, CLONE_NEWNET))
		return 0;
	err = -errno;
	close(*back);
	*back = -1;
	return err;
}

static void dev_ns_leave(int back)
{
	if (back < 0)
		return;
	if (setns(back, CLONE_NEWNET))
		pr_warn("cannot return to the caller's network namespace: %s\n", strerror(errno));
	close(back);
}

int xskb_dev__close(struct xskb_dev *d)
{
	struct saved_print saved;
	struct bpf_object *obj;
	__u32 id = 0;
	int err, ns, nserr;

	if (!d)
		return 0;
	if (d->nr_queues) {
		pr_warn("%s: %u queue(s) still bound; destroy them first\n", d->netdev.name,
			d->nr_queues);
		return -EBUSY;
	}
	saved = quiet_libs();
	obj = xdp_program__bpf_obj(d->prog);
	nserr = dev_ns_enter(d, &ns);
	err = nserr ? nserr : detach(d);
	if (nserr) {
		pr_warn("%s: closed from another network namespace than the one it was opened in, "
			"and entering that one failed: %s (setns needs CAP_SYS_ADMIN); the program "
			"stays attached: close it from its namespace, or ip link set dev %s xdp off "
			"there\n", d->netdev.name, strerror(-err), d->netdev.name);
	} else if (err && !ifindex_exists(d->netdev.ifindex)) {
		pr_debug("%s: the interface is gone, and its XDP program with it\n", d->netdev.name);
		err = 0;
	} else if (err == -EEXIST && !d->multiprog &&
		   !bpf_xdp_query_id(d->netdev.ifindex, (int)mode_flag(d), &id) &&
		   id != xdp_program__id(d->prog)) {
		/* Someone removed or replaced it (ip link set ... xdp off): not ours to undo. */
		pr_debug("%s: xskb's XDP program was already removed\n", d->netdev.name);
		err = 0;
	} else if (err) {
		char lack[96] = "";

		if (err == -EPERM || err == -EACCES)
			caps_missing(CAPBIT(CAP_NET_ADMIN_BIT) |
					     (d->multiprog ? CAPBIT(CAP_SYS_ADMIN_BIT) : 0),
				     lack, sizeof(lack));
		pr_warn("%s: detaching the XDP program failed: %s%s%s%s; it stays attached: remove "
			"it with xskb-rx --detach %s (or ip link set dev %s xdp off)\n",
			d->netdev.name, strerror(-err), lack[0] ? " (this process lacks " : "", lack,
			lack[0] ? ")" : "", d->netdev.name, d->netdev.name);
	}
	dev_ns_leave(ns);
	xdp_program__close(d->prog);
	bpf_object__close(obj);
	restore_libs(saved);
	if (d->netns_fd >= 0)
		close(d->netns_fd);
	d->netns_fd = -1;
	/* Skbs on frames of a UMEM its queues used may still name it. */
	xskb_dev_put(d);
	return err;
}

int xskb_dev__detach(const char *ifname, unsigned int flags)
{
	struct sweep sw = { .ifname = ifname, .policy = SWEEP_UNOWNED };
	struct saved_print saved;

	if (!ifname || !*ifname || strlen(ifname) >= XSKB_IFNAMSIZ || (flags & ~XSKB_DETACH_FORCE)) {
		pr_warn("xskb_dev__detach: bad interface name or flags\n");
		return -EINVAL;
	}
	sw.ifindex = (int)if_nametoindex(ifname);
	if (!sw.ifindex) {
		pr_warn("no interface named %s in this network namespace\n", ifname);
		return -ENOENT;
	}
	if (flags & XSKB_DETACH_FORCE)
		sw.policy = SWEEP_ALL;
	saved = quiet_libs();
	sweep(&sw);
	restore_libs(saved);
	if (sw.err == -EPERM || sw.err == -EACCES) {
		char lack[96];

		caps_missing(CAPBIT(CAP_SYS_ADMIN_BIT) | CAPBIT(CAP_NET_ADMIN_BIT), lack,
			     sizeof(lack));
		pr_warn("%s: looking up the attached XDP program needs CAP_SYS_ADMIN, detaching it "
			"CAP_NET_ADMIN; this process lacks %s. Or remove whatever is attached: ip "
			"link set dev %s xdp off\n", ifname, lack[0] ? lack : "neither (refused anyway)",
			ifname);
		return -EPERM;
	}
	if (sw.err) {
		pr_warn("%s: cannot remove xskb's XDP program: %s\n", ifname, strerror(-sw.err));
		return sw.err;
	}
	if (sw.busy_pid && !sw.removed) {
		pr_warn("%s: xskb's XDP program belongs to process %d, which is alive: stop it, or "
			"force (xskb-rx --detach %s --force)\n", ifname, sw.busy_pid, ifname);
		return -EBUSY;
	}
	return sw.removed;
}

static int dev_check(struct xskb_dev *d)
{
	__u32 id = 0;
	int err;

	if (!ifindex_exists(d->netdev.ifindex)) {
		err = errno == ENXIO || errno == ENODEV ? -ENODEV : -errno;
		if (err == -ENODEV)
			pr_warn("interface %s is gone (deleted, or moved to another network "
				"namespace)\n", d->netdev.name);
		return err;
	}
	if (d->multiprog)
		return 0;
	err = bpf_xdp_query_id(d->netdev.ifindex, (int)mode_flag(d), &id);
	if (err)
		return err;
	if (id != xdp_program__id(d->prog)) {
		pr_warn("%s: xskb's XDP program is no longer attached (removed or replaced by "
			"someone else); packets go to the kernel\n", d->netdev.name);
		return -ENOENT;
	}
	return 0;
}

int xskb_dev__check(struct xskb_dev *d)
{
	int err, ns;

	if (!d)
		return -EINVAL;
	err = dev_ns_enter(d, &ns);
	if (err)
		return err;
	err = dev_check(d);
	dev_ns_leave(ns);
	return err;
}

/* Check @r and write it in the program's form. */
static int to_xdp_rule(const struct xskb_rule *r, struct xskb_xdp_rule *br)
{
	if (!r->flags || (r->flags & ~(XSKB_RULE_ETHERTYPE | XSKB_RULE_PROTO | XSKB_RULE_DPORT))) {
		pr_warn("a rule needs at least one of ethertype, protocol or port range\n");
		return -EINVAL;
	}
	if ((r->flags & XSKB_RULE_DPORT) && r->dport_lo > r->dport_hi) {
		pr_warn("rule port range %u-%u is empty\n", r->dport_lo, r->dport_hi);
		return -EINVAL;
	}
	memset(br, 0, sizeof(*br));
	br->flags = (__u8)r->flags;
	br->ethertype = r->ethertype;
	br->ip_proto = r->ip_proto;
	br->dport_lo = r->dport_lo;
	br->dport_hi = r->dport_hi;
	br->mark = r->mark;
	return 0;
}

int xskb_dev__set_rules(struct xskb_dev *d, const struct xskb_rule *rules, unsigned int n)
{
	struct xskb_xdp_ruleset rs;
	int err;

	if (!d || (n && !rules))
		return -EINVAL;
	if (n > XSKB_MAX_RULES) {
		pr_warn("%s: at most %d rules\n", d->netdev.name, XSKB_MAX_RULES);
		return -ENOSPC;
	}
	memset(&rs, 0, sizeof(rs));
	for (unsigned int i = 0; i < n; i++) {
		err = to_xdp_rule(&rules[i], &rs.rule[i]);
		if (err)
			return err;
	}
	rs.nr_rules = n;
	rs.flags = (n ? 0 : XSKB_XDP_F_CLAIM_ALL) | (d->metadata ? XSKB_XDP_F_META : 0);
	return publish(d, &rs);
}

int xskb_dev__add_rule(struct xskb_dev *d, const struct xskb_rule *r)
{
	struct xskb_xdp_ruleset rs;
	__u32 idx;
	int err;

	if (!d || !r)
		return -EINVAL;
	err = read_ruleset(d, &rs);
	if (err)
		return err;
	idx = rs.nr_rules;
	if (idx >= XSKB_MAX_RULES) {
		pr_warn("%s: at most %d rules\n", d->netdev.name, XSKB_MAX_RULES);
		return -ENOSPC;
	}
	err = to_xdp_rule(r, &rs.rule[idx]);
	if (err)
		return err;
	rs.nr_rules = idx + 1;
	rs.flags &= ~XSKB_XDP_F_CLAIM_ALL;
	err = publish(d, &rs);
	return err ? err : (int)idx;
}

int xskb_dev__clear_rules(struct xskb_dev *d)
{
	return xskb_dev__set_rules(d, NULL, 0);
}

struct net_device *xskb_dev__netdev(struct xskb_dev *d)
{
	return &d->netdev;
}

enum xskb_attach_mode xskb_dev__attach_mode(const struct xskb_dev *d)
{
	return d->attach;
}

bool xskb_dev__multiprog(const struct xskb_dev *d)
{
	return d->multiprog;
}
