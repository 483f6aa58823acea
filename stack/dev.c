/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * struct xskb_dev: an interface, its properties (MTU, MAC, queues, NUMA
 * node) and xskb's XDP program, loaded and attached through libxdp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "xsk_internal.h"

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

static int attach_error(struct xskb_dev *d, int err)
{
	const char *name = d->netdev.name;
	char prog[BPF_OBJ_NAME_LEN];

	switch (err) {
	case -EEXIST:
	case -EBUSY:
		attached_name(d->netdev.ifindex, prog, sizeof(prog));
		if (!strcmp(prog, "xskb_redirect"))
			pr_warn("%s already runs xskb's XDP program (another xskb_dev__open(), in this "
				"or another process, without libxdp's dispatcher): close that one first\n",
				name);
		else
			pr_warn("%s already has an XDP program%s%s%s that libxdp cannot share; remove "
				"it (ip link set dev %s xdp off) or load both through libxdp with bpffs "
				"mounted\n", name, prog[0] ? " (" : "", prog, prog[0] ? ")" : "", name);
		return -EBUSY;
	case -EPERM:
	case -EACCES:
		pr_warn("attaching XDP to %s needs CAP_NET_ADMIN and CAP_BPF (run as root)\n", name);
		return -EPERM;
	case -EOPNOTSUPP:
		pr_warn("%s does not support %s XDP; try the skb (generic) attach mode\n", name,
			d->attach == XSKB_ATTACH_DRV ? "native" : "generic");
		return -EOPNOTSUPP;
	default:
		pr_warn("cannot attach the XDP program to %s: %s\n", name, strerror(-err));
		return err;
	}
}

static int write_cfg(struct xskb_dev *d)
{
	__u32 key = 0;

	if (bpf_map_update_elem(d->cfg_fd, &key, &d->cfg, BPF_ANY))
		return -errno;
	return 0;
}

static int dev_open(struct xskb_dev **out, const char *ifname, const struct xskb_dev_opts *opts)
{
	struct bpf_object *obj = NULL;
	struct xdp_multiprog *mp;
	struct xskb_dev *d;
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
	hold_warnings();
	err = xdp_program__attach(d->prog, d->netdev.ifindex,
				  d->attach == XSKB_ATTACH_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE, 0);
	release_warnings(err != 0);
	if (err) {
		err = attach_error(d, err);
		goto out_prog;
	}
	mp = xdp_multiprog__get_from_ifindex(d->netdev.ifindex);
	if (!libxdp_get_error(mp) && mp) {
		d->multiprog = !xdp_multiprog__is_legacy(mp);
		xdp_multiprog__close(mp);
	}
	d->xsks_map_fd = bpf_object__find_map_fd_by_name(obj, "xsks_map");
	d->rules_fd = bpf_object__find_map_fd_by_name(obj, "xskb_rules");
	d->cfg_fd = bpf_object__find_map_fd_by_name(obj, "xskb_cfg");
	if (d->xsks_map_fd < 0 || d->rules_fd < 0 || d->cfg_fd < 0) {
		pr_warn("the XDP program lacks its maps (xsks_map, xskb_rules, xskb_cfg)\n");
		err = -ENOENT;
		goto out_detach;
	}
	d->cfg.flags = XSKB_XDP_F_CLAIM_ALL | (d->metadata ? XSKB_XDP_F_META : 0);
	err = write_cfg(d);
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
	xdp_program__detach(d->prog, d->netdev.ifindex,
			    d->attach == XSKB_ATTACH_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE, 0);
out_prog:
	xdp_program__close(d->prog);
	bpf_object__close(obj);
out_free:
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

int xskb_dev__close(struct xskb_dev *d)
{
	struct saved_print saved;
	struct bpf_object *obj;
	int err;

	if (!d)
		return 0;
	if (d->nr_queues) {
		pr_warn("%s: %u queue(s) still bound; destroy them first\n", d->netdev.name,
			d->nr_queues);
		return -EBUSY;
	}
	saved = quiet_libs();
	obj = xdp_program__bpf_obj(d->prog);
	err = xdp_program__detach(d->prog, d->netdev.ifindex,
				  d->attach == XSKB_ATTACH_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE, 0);
	if (err)
		pr_warn("%s: detaching the XDP program failed: %s (is the interface gone?)\n",
			d->netdev.name, strerror(-err));
	xdp_program__close(d->prog);
	bpf_object__close(obj);
	restore_libs(saved);
	free(d);
	return 0;
}

int xskb_dev__add_rule(struct xskb_dev *d, const struct xskb_rule *r)
{
	struct xskb_xdp_rule br = { 0 };
	__u32 idx;
	int err;

	if (!d || !r)
		return -EINVAL;
	if (!r->flags || (r->flags & ~(XSKB_RULE_ETHERTYPE | XSKB_RULE_PROTO | XSKB_RULE_DPORT))) {
		pr_warn("a rule needs at least one of ethertype, protocol or port range\n");
		return -EINVAL;
	}
	if ((r->flags & XSKB_RULE_DPORT) && r->dport_lo > r->dport_hi) {
		pr_warn("rule port range %u-%u is empty\n", r->dport_lo, r->dport_hi);
		return -EINVAL;
	}
	idx = d->cfg.nr_rules;
	if (idx >= XSKB_MAX_RULES) {
		pr_warn("%s: at most %d rules\n", d->netdev.name, XSKB_MAX_RULES);
		return -ENOSPC;
	}
	br.flags = (__u8)r->flags;
	br.ethertype = r->ethertype;
	br.ip_proto = r->ip_proto;
	br.dport_lo = r->dport_lo;
	br.dport_hi = r->dport_hi;
	br.mark = r->mark;
	if (bpf_map_update_elem(d->rules_fd, &idx, &br, BPF_ANY))
		return -errno;
	/* Publish the rule before the count that makes the program read it. */
	d->cfg.nr_rules = idx + 1;
	d->cfg.flags &= ~XSKB_XDP_F_CLAIM_ALL;
	err = write_cfg(d);
	return err ? err : (int)idx;
}

int xskb_dev__clear_rules(struct xskb_dev *d)
{
	if (!d)
		return -EINVAL;
	d->cfg.nr_rules = 0;
	d->cfg.flags |= XSKB_XDP_F_CLAIM_ALL;
	return write_cfg(d);
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
