/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The veth lab: builds and tears down two namespaces joined by a veth pair
 * with `ip`, and reads interfaces back over rtnetlink from inside them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "lab.h"
#include "util.h"

#define LAB_DEFAULT_PREFIX	"xskb"
#define LAB_DEFAULT_MTU		1500
#define LAB_PLEN		"/24"
#define NL_TIMEOUT_S		2
#define NL_BUF			32768	/* one RTM_NEWLINK with stats and AF_SPEC fits */

static bool prefix_valid(const char *p)
{
	size_t n = p ? strlen(p) : 0;

	if (n < 1 || n > XT_LAB_PREFIX_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
			return false;
	return true;
}

/* Names follow from the prefix alone, so get/down need no saved state. */
static void lab_names(const char *prefix, struct xt_lab *lab)
{
	memset(lab, 0, sizeof(*lab));
	snprintf(lab->prefix, sizeof(lab->prefix), "%s", prefix);
	snprintf(lab->ns_tx, sizeof(lab->ns_tx), "%s-tx", prefix);
	snprintf(lab->ns_rx, sizeof(lab->ns_rx), "%s-rx", prefix);
	snprintf(lab->if_tx, sizeof(lab->if_tx), "%st", prefix);
	snprintf(lab->if_rx, sizeof(lab->if_rx), "%sr", prefix);
	inet_aton(XT_LAB_IP_TX, &lab->ip_tx);
	inet_aton(XT_LAB_IP_RX, &lab->ip_rx);
}

static bool netns_exists(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return access(path, F_OK) == 0;
}

struct ns_call {
	int nsfd;
	int (*fn)(void *arg);
	void *arg;
	int ret;
};

static void *ns_call_thread(void *p)
{
	struct ns_call *c = p;

	c->ret = xt_netns_set(c->nsfd);
	if (!c->ret)
		c->ret = c->fn(c->arg);
	return NULL;
}

/*
 * Run fn(arg) inside @netns on a short-lived thread: setns() moves only the
 * calling thread, so the caller's own namespace is never at risk, and a
 * socket opened there stays bound to @netns after the thread is gone.
 */
static int netns_call(const char *netns, int (*fn)(void *arg), void *arg)
{
	struct ns_call c = { .fn = fn, .arg = arg };
	pthread_t t;
	int err;

	c.nsfd = xt_netns_open(netns);
	if (c.nsfd < 0)
		return c.nsfd;
	err = pthread_create(&t, NULL, ns_call_thread, &c);
	if (!err)
		err = pthread_join(t, NULL);
	close(c.nsfd);
	return err ? -err : c.ret;
}

static int open_rtnl(void *arg)
{
	int *fd = arg;

	*fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	return *fd < 0 ? -errno : 0;
}

static int sysctl_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

/* @arg: an interface name, or NULL for the namespace's all/default. Runs
 * inside the namespace: /proc/sys/net follows the calling thread's netns. */
static int disable_ipv6(void *arg)
{
	const char *const confs[] = { "all", "default" };
	const char *ifname = arg;
	char path[96];
	int err;

	for (unsigned int i = 0; i < (ifname ? 1u : 2u); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
			 ifname ? ifname : confs[i]);
		err = sysctl_write(path, "1");
		/* No IPv6 in this kernel (ipv6.disable=1): nothing to switch off. */
		if (err && err != -ENOENT)
			return err;
	}
	return 0;
}

static void parse_link(const struct nlmsghdr *nh, struct xt_link_info *info)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = (int)IFLA_PAYLOAD(nh);

	info->ifindex = ifi->ifi_index;
	info->up = ifi->ifi_flags & IFF_UP;
	for (const struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		const void *d = RTA_DATA(rta);
		size_t dlen = RTA_PAYLOAD(rta);
		struct rtnl_link_stats64 st;

		switch (rta->rta_type) {
		case IFLA_ADDRESS:
			if (dlen == sizeof(info->mac))
				memcpy(info->mac, d, sizeof(info->mac));
			break;
		case IFLA_MTU:
			if (dlen >= 4)
				memcpy(&info->mtu, d, 4);
			break;
		case IFLA_NUM_RX_QUEUES:
			if (dlen >= 4)
				memcpy(&info->num_rx_queues, d, 4);
			break;
		case IFLA_NUM_TX_QUEUES:
			if (dlen >= 4)
				memcpy(&info->num_tx_queues, d, 4);
			break;
		case IFLA_STATS64:
			/* Older kernels send a shorter struct: take what is there. */
			memset(&st, 0, sizeof(st));
			memcpy(&st, d, dlen < sizeof(st) ? dlen : sizeof(st));
			info->rx_packets = st.rx_packets;
			info->rx_bytes = st.rx_bytes;
			info->rx_dropped = st.rx_dropped;
			info->tx_packets = st.tx_packets;
			info->tx_bytes = st.tx_bytes;
			info->tx_dropped = st.tx_dropped;
			break;
		}
	}
}

/* One RTM_GETLINK by name on @fd; the answer lands in @info. @buf holds NL_BUF. */
static int rtnl_getlink(int fd, const char *ifname, struct xt_link_info *info, char *buf)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[RTA_SPACE(IF_NAMESIZE)];
	} req = {
		.nh = {
			.nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST,
			.nlmsg_seq = 1,
		},
		.ifi = { .ifi_family = AF_UNSPEC },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	struct rtattr *rta;
	size_t nlen = strlen(ifname) + 1;
	int n;

	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(NLMSG_LENGTH(sizeof(req.ifi))));
	rta->rta_type = IFLA_IFNAME;
	rta->rta_len = (unsigned short)RTA_LENGTH(nlen);
	memcpy(RTA_DATA(rta), ifname, nlen);
	req.nh.nlmsg_len = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(req.ifi))) + RTA_ALIGN(rta->rta_len);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	/* A fresh socket has nothing else queued; bound the wait anyway. */
	for (int tries = 0; tries < 8; tries++) {
		n = (int)recv(fd, buf, NL_BUF, 0);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != req.nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				return e->error ? e->error : -EPROTO;
			}
			if (nh->nlmsg_type == RTM_NEWLINK) {
				parse_link(nh, info);
				return 0;
			}
		}
	}
	return -EPROTO;
}

int xt_link_query(const char *netns, const char *ifname, struct xt_link_info *info)
{
	char *buf;
	int fd = -1, err;

	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	buf = malloc(NL_BUF);
	if (!buf)
		return -ENOMEM;
	err = netns ? netns_call(netns, open_rtnl, &fd) : open_rtnl(&fd);
	if (!err) {
		err = rtnl_getlink(fd, ifname, info, buf);
		close(fd);
	}
	free(buf);
	return err;
}

static bool have_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const uint32_t need = 1u << CAP_NET_ADMIN | 1u << CAP_SYS_ADMIN;

	/* If the kernel will not say, let the commands themselves fail. */
	if (syscall(SYS_capget, &hdr, data))
		return true;
	return (data[0].effective & need) == need;
}

/* Run one `ip` command; its own message goes to stderr if it fails. */
static int ip_run(const char *const argv[], const char *what, const char **msg)
{
	int rc = xt_run(argv, false);

	if (rc == 0)
		return 0;
	if (rc == -ENOENT)
		*msg = "`ip` (iproute2) is not installed or not in PATH";
	else
		*msg = what;
	return rc < 0 ? rc : -EIO;
}

static int netns_del(const char *ns)
{
	const char *argv[] = { "ip", "netns", "del", ns, NULL };
	int rc = xt_run(argv, false);

	return rc == 0 ? 0 : rc < 0 ? rc : -EIO;
}

static void mac_str(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Addresses, links up, no IPv6 on the veth end: one side of the lab. */
static int side_setup(const char *ns, const char *ifname, const char *cidr, const char **msg)
{
	const char *addr[] = { "ip", "-n", ns, "addr", "add", cidr, "dev", ifname, NULL };
	const char *lo_up[] = { "ip", "-n", ns, "link", "set", "lo", "up", NULL };
	const char *if_up[] = { "ip", "-n", ns, "link", "set", ifname, "up", NULL };
	int err;

	err = netns_call(ns, disable_ipv6, (void *)ifname);
	if (err) {
		*msg = "cannot disable IPv6 on a veth end";
		return err;
	}
	err = ip_run(addr, "cannot add the IPv4 address", msg);
	if (!err)
		err = ip_run(lo_up, "cannot set loopback up", msg);
	if (!err)
		err = ip_run(if_up, "cannot set the veth end up", msg);
	return err;
}

/* Permanent entry for the peer, so no ARP ever crosses the pair. */
static int side_neigh(const char *ns, const char *ifname, const char *peer_ip,
		      const uint8_t peer_mac[6], const char **msg)
{
	char mac[18];
	const char *argv[] = { "ip", "-n", ns, "neigh", "replace", peer_ip, "lladdr", mac,
			       "dev", ifname, "nud", "permanent", NULL };

	mac_str(peer_mac, mac);
	return ip_run(argv, "cannot add the static neighbour entry", msg);
}

int xt_lab_up(const struct xt_lab_config *cfg, struct xt_lab *out, const char **msg)
{
	static const struct xt_lab_config defaults = { 0 };
	const char *dummy;
	struct xt_lab lab;
	struct xt_link_info tx, rx;
	char mtu[16], queues[16];
	int err;

	if (!msg)
		msg = &dummy;
	if (!cfg)
		cfg = &defaults;
	if (cfg->prefix && !prefix_valid(cfg->prefix)) {
		*msg = "prefix must be 1..10 characters of [a-z0-9-]";
		return -EINVAL;
	}
	if (cfg->mtu && (cfg->mtu < XT_LAB_MTU_MIN || cfg->mtu > XT_LAB_MTU_MAX)) {
		*msg = "MTU must be 68..9000";
		return -EINVAL;
	}
	if (cfg->queues > XT_LAB_QUEUES_MAX) {
		*msg = "queues must be 1..64";
		return -EINVAL;
	}
	lab_names(cfg->prefix ? cfg->prefix : LAB_DEFAULT_PREFIX, &lab);
	if (!have_caps()) {
		*msg = "creating namespaces needs CAP_SYS_ADMIN and CAP_NET_ADMIN (run as root)";
		return -EPERM;
	}
	if (netns_exists(lab.ns_tx) || netns_exists(lab.ns_rx)) {
		*msg = "a lab with this prefix exists (xskb-lab down first)";
		return -EEXIST;
	}
	snprintf(mtu, sizeof(mtu), "%u", cfg->mtu ? cfg->mtu : LAB_DEFAULT_MTU);
	snprintf(queues, sizeof(queues), "%u", cfg->queues ? cfg->queues : 1);

	const char *add_tx[] = { "ip", "netns", "add", lab.ns_tx, NULL };
	const char *add_rx[] = { "ip", "netns", "add", lab.ns_rx, NULL };
	/* Created inside ns_tx with the peer sent straight to ns_rx: at no
	 * moment does either end exist in the caller's namespace. */
	const char *veth[] = { "ip", "-n", lab.ns_tx, "link", "add", lab.if_tx, "mtu", mtu,
			       "numtxqueues", queues, "numrxqueues", queues, "type", "veth",
			       "peer", "name", lab.if_rx, "mtu", mtu, "numtxqueues", queues,
			       "numrxqueues", queues, "netns", lab.ns_rx, NULL };

	err = ip_run(add_tx, "cannot create the tx namespace", msg);
	if (err)
		return err;
	err = ip_run(add_rx, "cannot create the rx namespace", msg);
	if (err)
		goto out_tx;
	/* Before the veth exists, so it is born without IPv6 (no RS, no DAD). */
	err = netns_call(lab.ns_tx, disable_ipv6, NULL);
	if (!err)
		err = netns_call(lab.ns_rx, disable_ipv6, NULL);
	if (err) {
		*msg = "cannot disable IPv6 in the namespaces";
		goto out_rx;
	}
	err = ip_run(veth, "cannot create the veth pair", msg);
	if (err)
		goto out_rx;
	err = side_setup(lab.ns_tx, lab.if_tx, XT_LAB_IP_TX LAB_PLEN, msg);
	if (!err)
		err = side_setup(lab.ns_rx, lab.if_rx, XT_LAB_IP_RX LAB_PLEN, msg);
	if (err)
		goto out_rx;
	err = xt_link_query(lab.ns_tx, lab.if_tx, &tx);
	if (!err)
		err = xt_link_query(lab.ns_rx, lab.if_rx, &rx);
	if (err) {
		*msg = "cannot read the veth ends back";
		goto out_rx;
	}
	err = side_neigh(lab.ns_tx, lab.if_tx, XT_LAB_IP_RX, rx.mac, msg);
	if (!err)
		err = side_neigh(lab.ns_rx, lab.if_rx, XT_LAB_IP_TX, tx.mac, msg);
	if (err)
		goto out_rx;
	if (out) {
		err = xt_lab_get(lab.prefix, out);
		if (err) {
			*msg = "cannot read the lab back";
			goto out_rx;
		}
	}
	return 0;

out_rx:
	netns_del(lab.ns_rx);
out_tx:
	netns_del(lab.ns_tx);
	return err;
}

int xt_lab_get(const char *prefix, struct xt_lab *lab)
{
	struct xt_link_info tx, rx;
	int err;

	if (!prefix)
		prefix = LAB_DEFAULT_PREFIX;
	if (!prefix_valid(prefix) || !lab)
		return -EINVAL;
	lab_names(prefix, lab);
	if (!netns_exists(lab->ns_tx) || !netns_exists(lab->ns_rx))
		return -ENOENT;
	err = xt_link_query(lab->ns_tx, lab->if_tx, &tx);
	if (!err)
		err = xt_link_query(lab->ns_rx, lab->if_rx, &rx);
	if (err)
		return err;
	lab->ifindex_tx = tx.ifindex;
	lab->ifindex_rx = rx.ifindex;
	memcpy(lab->mac_tx, tx.mac, sizeof(lab->mac_tx));
	memcpy(lab->mac_rx, rx.mac, sizeof(lab->mac_rx));
	lab->mtu = tx.mtu;
	lab->queues = tx.num_rx_queues;
	return 0;
}

int xt_lab_down(const char *prefix)
{
	struct xt_lab lab;
	int err = 0, e;

	if (!prefix)
		prefix = LAB_DEFAULT_PREFIX;
	if (!prefix_valid(prefix))
		return -EINVAL;
	lab_names(prefix, &lab);
	/* Both, even if the first fails: half a lab is still in the way. */
	if (netns_exists(lab.ns_rx) && (e = netns_del(lab.ns_rx)))
		err = e;
	if (netns_exists(lab.ns_tx) && (e = netns_del(lab.ns_tx)) && !err)
		err = e;
	return err;
}

bool xt_lab_exists(const char *prefix)
{
	struct xt_lab lab;

	if (!prefix)
		prefix = LAB_DEFAULT_PREFIX;
	if (!prefix_valid(prefix))
		return false;
	lab_names(prefix, &lab);
	return netns_exists(lab.ns_tx) || netns_exists(lab.ns_rx);
}
