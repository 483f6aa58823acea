/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The veth lab: builds and tears down two namespaces joined by a veth pair
 * with `ip`, and reads interfaces back over rtnetlink from inside them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/sockios.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
	info->link_netnsid = -1;
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
		case IFLA_IFNAME:
			snprintf(info->ifname, sizeof(info->ifname), "%.*s", (int)dlen,
				 (const char *)d);
			break;
		case IFLA_LINK:
			if (dlen >= 4)
				memcpy(&info->link_ifindex, d, 4);
			break;
		case IFLA_LINK_NETNSID:
			if (dlen >= 4)
				memcpy(&info->link_netnsid, d, 4);
			break;
		case IFLA_LINKINFO: {
			int ilen = (int)dlen;

			for (const struct rtattr *in = d; RTA_OK(in, ilen); in = RTA_NEXT(in, ilen))
				if (in->rta_type == IFLA_INFO_KIND)
					snprintf(info->kind, sizeof(info->kind), "%.*s",
						 (int)RTA_PAYLOAD(in), (const char *)RTA_DATA(in));
			break;
		}
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

/*
 * Send @req on @fd and hand the answer with the same sequence number to
 * @cb, which returns 1 when done, 0 to read on, or a negative errno. An
 * NLMSG_ERROR ends it with its error (0: -EPROTO, an ack nobody asked for).
 * @buf holds NL_BUF.
 */
static int rtnl_talk(int fd, struct nlmsghdr *req, char *buf,
		     int (*cb)(const struct nlmsghdr *nh, void *arg), void *arg)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	int n, ret;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	/* A fresh socket has nothing else queued; bound the wait anyway. */
	for (int tries = 0; tries < 8; tries++) {
		n = (int)recv(fd, buf, NL_BUF, 0);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				return e->error ? e->error : -EPROTO;
			}
			ret = cb(nh, arg);
			if (ret)
				return ret < 0 ? ret : 0;
		}
	}
	return -EPROTO;
}

/* Append attribute @type with @len bytes of @data to @nh (room is the caller's). */
static void nl_put(struct nlmsghdr *nh, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int getlink_cb(const struct nlmsghdr *nh, void *arg)
{
	if (nh->nlmsg_type != RTM_NEWLINK)
		return 0;
	parse_link(nh, arg);
	return 1;
}

/* One RTM_GETLINK by name (or, with a NULL name, by @ifindex) on @fd; the
 * answer lands in @info. @buf holds NL_BUF. */
static int rtnl_getlink(int fd, const char *ifname, int ifindex, struct xt_link_info *info,
			char *buf)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[RTA_SPACE(IF_NAMESIZE) + RTA_SPACE(4)];
	} req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
			.nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST,
			.nlmsg_seq = 1,
		},
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifname ? 0 : ifindex },
	};

	memset(info, 0, sizeof(*info));
	if (ifname)
		nl_put(&req.nh, IFLA_IFNAME, ifname, strlen(ifname) + 1);
	return rtnl_talk(fd, &req.nh, buf, getlink_cb, info);
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
		err = rtnl_getlink(fd, ifname, 0, info, buf);
		close(fd);
	}
	free(buf);
	return err;
}

/* ---- ethtool ---------------------------------------------------------------- */

struct ethtool_req {
	const char *ifname;
	struct ethtool_value val;
};

/* SIOCETHTOOL on a socket of the current thread's namespace (netns_call). */
static int ethtool_value_ioctl(void *arg)
{
	struct ethtool_req *r = arg;
	struct ifreq ifr;
	int fd, err = 0;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", r->ifname);
	ifr.ifr_data = (void *)&r->val;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

static int ethtool_value(const char *netns, const char *ifname, __u32 cmd, __u32 *data)
{
	struct ethtool_req r = { .ifname = ifname, .val = { .cmd = cmd, .data = *data } };
	int err;

	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return -EINVAL;
	err = netns ? netns_call(netns, ethtool_value_ioctl, &r) : ethtool_value_ioctl(&r);
	if (!err)
		*data = r.val.data;
	return err;
}

int xt_tx_csum_offload_get(const char *netns, const char *ifname)
{
	__u32 on = 0;
	int err = ethtool_value(netns, ifname, ETHTOOL_GTXCSUM, &on);

	return err ? err : on != 0;
}

int xt_tx_csum_offload_set(const char *netns, const char *ifname, bool on)
{
	__u32 v = on;

	return ethtool_value(netns, ifname, ETHTOOL_STXCSUM, &v);
}

static int gro_set(const char *netns, const char *ifname, bool on)
{
	__u32 v = on;

	return ethtool_value(netns, ifname, ETHTOOL_SGRO, &v);
}

/* ---- a veth's peer ------------------------------------------------------------ */

struct nsid_req {
	int fd;			/* rtnl socket in the interface's namespace */
	char *buf;
	int want;		/* the peer's IFLA_LINK_NETNSID */
	char *found;		/* [32]: the /run/netns name that has it */
};

static int nsid_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct rtgenmsg *g = NLMSG_DATA(nh);
	int len = (int)(nh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*g))));
	int *id = arg;

	if (nh->nlmsg_type != RTM_NEWNSID)
		return 0;
	for (const struct rtattr *rta = (const void *)((const char *)g + NLMSG_ALIGN(sizeof(*g)));
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == NETNSA_NSID && RTA_PAYLOAD(rta) >= 4)
			memcpy(id, RTA_DATA(rta), 4);
	return 1;
}

/* The id that the namespace of @r->fd gives namespace @nsfd (-1: none). */
static int nsid_of(struct nsid_req *r, int nsfd, int *id)
{
	struct {
		struct nlmsghdr nh;
		struct rtgenmsg g;
		char pad[3];
		char attrs[RTA_SPACE(4)];
	} req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg))),
			.nlmsg_type = RTM_GETNSID,
			.nlmsg_flags = NLM_F_REQUEST,
			.nlmsg_seq = 2,
		},
		.g = { .rtgen_family = AF_UNSPEC },
	};
	__u32 fd = (__u32)nsfd;

	*id = -1;
	nl_put(&req.nh, NETNSA_FD, &fd, sizeof(fd));
	return rtnl_talk(r->fd, &req.nh, r->buf, nsid_cb, id);
}

/* Which /run/netns entry has id @r->want as seen from @r->fd's namespace. */
static int nsid_lookup(struct nsid_req *r)
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;
	int err = -ESRCH;

	if (!d)
		return -ESRCH;
	while ((e = readdir(d))) {
		int nsfd, id;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= 32)
			continue;
		nsfd = xt_netns_open(e->d_name);
		if (nsfd < 0)
			continue;
		if (!nsid_of(r, nsfd, &id) && id == r->want) {
			snprintf(r->found, 32, "%.31s", e->d_name);	/* < 32: checked above */
			err = 0;
		}
		close(nsfd);
		if (!err)
			break;
	}
	closedir(d);
	if (err) {
		/* The caller's own namespace need not have a name (the host's). */
		int nsfd = xt_netns_open(NULL), id;

		if (nsfd >= 0 && !nsid_of(r, nsfd, &id) && id == r->want) {
			r->found[0] = '\0';
			err = 0;
		}
		if (nsfd >= 0)
			close(nsfd);
	}
	return err;
}

int xt_link_peer(const char *netns, const char *ifname, char peer_ns[32],
		 char peer_if[IF_NAMESIZE])
{
	struct xt_link_info self, peer;
	struct nsid_req r = { .fd = -1, .found = peer_ns };
	int err;

	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE || !peer_ns || !peer_if)
		return -EINVAL;
	r.buf = malloc(NL_BUF);
	if (!r.buf)
		return -ENOMEM;
	err = netns ? netns_call(netns, open_rtnl, &r.fd) : open_rtnl(&r.fd);
	if (err)
		goto out;
	err = rtnl_getlink(r.fd, ifname, 0, &self, r.buf);
	if (err)
		goto out;
	if (strcmp(self.kind, "veth") || !self.link_ifindex) {
		err = -ENOENT;
		goto out;
	}
	if (self.link_netnsid < 0) {
		/* Same namespace as @ifname. */
		snprintf(peer_ns, 32, "%s", netns ? netns : "");
	} else {
		r.want = self.link_netnsid;
		err = nsid_lookup(&r);
		if (err)
			goto out;
	}

	/* The peer's name, read in its own namespace by the ifindex we got. */
	close(r.fd);
	r.fd = -1;
	err = *peer_ns ? netns_call(peer_ns, open_rtnl, &r.fd) : open_rtnl(&r.fd);
	if (!err)
		err = rtnl_getlink(r.fd, NULL, self.link_ifindex, &peer, r.buf);
	if (!err)
		snprintf(peer_if, IF_NAMESIZE, "%s", peer.ifname);
out:
	if (r.fd >= 0)
		close(r.fd);
	free(r.buf);
	return err;
}

static void warn_one(const char *netns, const char *ifname, const char *role)
{
	bool ns = netns && *netns;

	fprintf(stderr,
		"warning: TX checksum offload is on on %s%s%s (%s): the kernel sends with\n"
		"  CHECKSUM_PARTIAL, the UDP/TCP checksum field holding only the pseudo-header\n"
		"  sum; an incremental checksum update (a proxy rewriting addresses or ports)\n"
		"  turns that into a wrong checksum and the receiver drops the packet.\n"
		"  Turn it off: %s%s%sethtool -K %s tx off\n",
		ifname, ns ? " in netns " : "", ns ? netns : "", role,
		ns ? "ip netns exec " : "", ns ? netns : "", ns ? " " : "", ifname);
}

int xt_warn_tx_csum_offload(const char *netns, const char *ifname)
{
	char peer_ns[32], peer_if[IF_NAMESIZE];
	int on, warned = 0, err;

	on = xt_tx_csum_offload_get(netns, ifname);
	if (on < 0)
		return on;
	if (on) {
		warn_one(netns, ifname, "for what the kernel sends out of it");
		warned++;
	}
	/* For a veth the offload that matters for received packets is the
	 * sender's: the peer's. */
	err = xt_link_peer(netns, ifname, peer_ns, peer_if);
	if (err == -ESRCH) {
		fprintf(stderr, "note: the veth peer of %s is in a namespace without a name: its TX "
			"checksum offload could not be checked\n", ifname);
		return warned;
	}
	if (err)
		return warned;	/* not a veth: nothing more to check */
	on = xt_tx_csum_offload_get(*peer_ns ? peer_ns : NULL, peer_if);
	if (on > 0) {
		char role[64];

		snprintf(role, sizeof(role), "the veth peer of %s: for what arrives there", ifname);
		warn_one(peer_ns, peer_if, role);
		warned++;
	}
	return warned;
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

/* Kernel-sent packets through the veth then carry full checksums (see
 * xt_warn_tx_csum_offload() in lab.h for why that matters). */
static int csum_offload_off(const char *ns, const char *ifname, const char **msg)
{
	int err = xt_tx_csum_offload_set(ns, ifname, false);

	if (!err && xt_tx_csum_offload_get(ns, ifname) != 0)
		err = -EIO;
	if (err)
		*msg = "cannot turn TX checksum offload off on a veth end";
	return err;
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
		err = csum_offload_off(ns, ifname, msg);
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

/* What both labs accept: 0 or -EINVAL with *msg set. Zero means default. */
static int config_check(const char *prefix, unsigned int mtu, unsigned int queues,
			const char **msg)
{
	if (prefix && !prefix_valid(prefix)) {
		*msg = "prefix must be 1..10 characters of [a-z0-9-]";
		return -EINVAL;
	}
	if (mtu && (mtu < XT_LAB_MTU_MIN || mtu > XT_LAB_MTU_MAX)) {
		*msg = "MTU must be 68..9000";
		return -EINVAL;
	}
	if (queues > XT_LAB_QUEUES_MAX) {
		*msg = "queues must be 1..64";
		return -EINVAL;
	}
	return 0;
}

/*
 * A veth pair created inside @ns with its peer sent straight to @peer_ns:
 * at no moment does either end exist in the caller's namespace.
 */
static int veth_add(const char *ns, const char *ifname, const char *peer_ns, const char *peer,
		    unsigned int mtu, unsigned int queues, const char *what, const char **msg)
{
	char m[16], q[16];
	const char *argv[] = { "ip", "-n", ns, "link", "add", ifname, "mtu", m, "numtxqueues", q,
			       "numrxqueues", q, "type", "veth", "peer", "name", peer, "mtu", m,
			       "numtxqueues", q, "numrxqueues", q, "netns", peer_ns, NULL };

	snprintf(m, sizeof(m), "%u", mtu ? mtu : LAB_DEFAULT_MTU);
	snprintf(q, sizeof(q), "%u", queues ? queues : 1);
	return ip_run(argv, what, msg);
}

int xt_lab_up(const struct xt_lab_config *cfg, struct xt_lab *out, const char **msg)
{
	static const struct xt_lab_config defaults = { 0 };
	const char *dummy;
	struct xt_lab lab;
	struct xt_link_info tx, rx;
	int err;

	if (!msg)
		msg = &dummy;
	if (!cfg)
		cfg = &defaults;
	err = config_check(cfg->prefix, cfg->mtu, cfg->queues, msg);
	if (err)
		return err;
	lab_names(cfg->prefix ? cfg->prefix : LAB_DEFAULT_PREFIX, &lab);
	if (!have_caps()) {
		*msg = "creating namespaces needs CAP_SYS_ADMIN and CAP_NET_ADMIN (run as root)";
		return -EPERM;
	}
	if (netns_exists(lab.ns_tx) || netns_exists(lab.ns_rx)) {
		*msg = "a lab with this prefix exists (xskb-lab down first)";
		return -EEXIST;
	}
	const char *add_tx[] = { "ip", "netns", "add", lab.ns_tx, NULL };
	const char *add_rx[] = { "ip", "netns", "add", lab.ns_rx, NULL };

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
	err = veth_add(lab.ns_tx, lab.if_tx, lab.ns_rx, lab.if_rx, cfg->mtu, cfg->queues,
		       "cannot create the veth pair", msg);
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

/* ---- the three-namespace lab ---------------------------------------------------- */

#define LAB3_PLEN6	"/64"

static void lab3_end_names(struct xt_lab3_end *e, const char *ns, const char *prefix, char c,
			   const char *ip, const char *ip6)
{
	snprintf(e->netns, sizeof(e->netns), "%s", ns);
	snprintf(e->ifname, sizeof(e->ifname), "%s%c", prefix, c);
	inet_pton(AF_INET, ip, &e->ip);
	inet_pton(AF_INET6, ip6, &e->ip6);
}

static void lab3_names(const char *prefix, struct xt_lab3 *lab)
{
	memset(lab, 0, sizeof(*lab));
	snprintf(lab->prefix, sizeof(lab->prefix), "%s", prefix);
	snprintf(lab->ns_client, sizeof(lab->ns_client), "%s-client", prefix);
	snprintf(lab->ns_proxy, sizeof(lab->ns_proxy), "%s-proxy", prefix);
	snprintf(lab->ns_backend, sizeof(lab->ns_backend), "%s-backend", prefix);
	lab3_end_names(&lab->client, lab->ns_client, prefix, 'c', XT_LAB3_IP_CLIENT,
		       XT_LAB3_IP6_CLIENT);
	lab3_end_names(&lab->proxy_a, lab->ns_proxy, prefix, 'a', XT_LAB3_IP_PROXY_A,
		       XT_LAB3_IP6_PROXY_A);
	lab3_end_names(&lab->proxy_b, lab->ns_proxy, prefix, 'b', XT_LAB3_IP_PROXY_B,
		       XT_LAB3_IP6_PROXY_B);
	lab3_end_names(&lab->backend, lab->ns_backend, prefix, 's', XT_LAB3_IP_BACKEND,
		       XT_LAB3_IP6_BACKEND);
}

/* Namespace-wide IPv6 settings, before any veth exists so that the ends
 * inherit them from "default": no RS, no RA, no DAD (addresses usable at
 * once, no DAD probes in the counters). */
static int ipv6_quiet(void *arg)
{
	static const char *const keys[][2] = {
		{ "accept_ra", "0" }, { "router_solicitations", "0" },
		{ "accept_dad", "0" }, { "dad_transmits", "0" },
	};
	const char *const confs[] = { "all", "default" };
	char path[96];
	int err;

	(void)arg;
	for (unsigned int c = 0; c < 2; c++)
		for (unsigned int k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", confs[c],
				 keys[k][0]);
			err = sysctl_write(path, keys[k][1]);
			if (err && err != -ENOENT)
				return err;
		}
	return 0;
}

static int ip_forward_on(void *arg)
{
	bool ipv6 = arg != NULL;
	int err = sysctl_write("/proc/sys/net/ipv4/ip_forward", "1");

	if (!err && ipv6)
		err = sysctl_write("/proc/sys/net/ipv6/conf/all/forwarding", "1");
	return err;
}

struct sysctl_get {
	const char *path;
	int value;
};

static int sysctl_read_int(void *arg)
{
	struct sysctl_get *g = arg;
	char buf[16] = "";
	ssize_t n;
	int fd = open(g->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	g->value = atoi(buf);
	return 0;
}

struct lab3_ctx {
	const struct xt_lab3_config *cfg;
	const char **msg;
};

/* One veth end: checksum offload off, GRO if asked, addresses, link up. */
static int lab3_end_setup(const struct xt_lab3_end *e, const struct lab3_ctx *x)
{
	char a4[INET_ADDRSTRLEN + 4], a6[INET6_ADDRSTRLEN + 4];
	const char *addr4[] = { "ip", "-n", e->netns, "addr", "add", a4, "dev", e->ifname, NULL };
	const char *addr6[] = { "ip", "-n", e->netns, "-6", "addr", "add", a6, "dev", e->ifname,
				"nodad", NULL };
	const char *if_up[] = { "ip", "-n", e->netns, "link", "set", e->ifname, "up", NULL };
	int err;

	inet_ntop(AF_INET, &e->ip, a4, INET_ADDRSTRLEN);
	strcat(a4, LAB_PLEN);
	inet_ntop(AF_INET6, &e->ip6, a6, INET6_ADDRSTRLEN);
	strcat(a6, LAB3_PLEN6);
	err = csum_offload_off(e->netns, e->ifname, x->msg);
	if (!err && x->cfg->gro && (err = gro_set(e->netns, e->ifname, true)))
		*x->msg = "cannot turn GRO on on a veth end";
	if (!err)
		err = ip_run(addr4, "cannot add an IPv4 address", x->msg);
	if (!err && !x->cfg->no_ipv6)
		err = ip_run(addr6, "cannot add an IPv6 address", x->msg);
	if (!err)
		err = ip_run(if_up, "cannot set a veth end up", x->msg);
	return err;
}

/* @from reaches @net_of's subnet through @via (the proxy's address there). */
static int lab3_route(const struct xt_lab3_end *from, const struct xt_lab3_end *net_of,
		      const struct xt_lab3_end *via, const struct lab3_ctx *x)
{
	char net4[INET_ADDRSTRLEN + 4], gw4[INET_ADDRSTRLEN];
	char net6[INET6_ADDRSTRLEN + 4], gw6[INET6_ADDRSTRLEN];
	struct in_addr n4 = { .s_addr = net_of->ip.s_addr & htonl(0xffffff00u) };
	struct in6_addr n6 = net_of->ip6;
	const char *r4[] = { "ip", "-n", from->netns, "route", "add", net4, "via", gw4, "dev",
			     from->ifname, NULL };
	const char *r6[] = { "ip", "-n", from->netns, "-6", "route", "add", net6, "via", gw6,
			     "dev", from->ifname, NULL };
	int err;

	memset(&n6.s6_addr[8], 0, 8);
	inet_ntop(AF_INET, &n4, net4, INET_ADDRSTRLEN);
	strcat(net4, LAB_PLEN);
	inet_ntop(AF_INET, &via->ip, gw4, sizeof(gw4));
	inet_ntop(AF_INET6, &n6, net6, INET6_ADDRSTRLEN);
	strcat(net6, LAB3_PLEN6);
	inet_ntop(AF_INET6, &via->ip6, gw6, sizeof(gw6));
	err = ip_run(r4, "cannot add an IPv4 route", x->msg);
	if (!err && !x->cfg->no_ipv6)
		err = ip_run(r6, "cannot add an IPv6 route", x->msg);
	return err;
}

/* Permanent ARP (and ND) entry on @e for its peer @p. */
static int lab3_neigh(const struct xt_lab3_end *e, const struct xt_lab3_end *p,
		      const struct lab3_ctx *x)
{
	char ip4[INET_ADDRSTRLEN], ip6[INET6_ADDRSTRLEN], mac[18];
	const char *n6[] = { "ip", "-n", e->netns, "-6", "neigh", "replace", ip6, "lladdr", mac,
			     "dev", e->ifname, "nud", "permanent", NULL };
	int err;

	inet_ntop(AF_INET, &p->ip, ip4, sizeof(ip4));
	err = side_neigh(e->netns, e->ifname, ip4, p->mac, x->msg);
	if (err || x->cfg->no_ipv6)
		return err;
	inet_ntop(AF_INET6, &p->ip6, ip6, sizeof(ip6));
	mac_str(p->mac, mac);
	return ip_run(n6, "cannot add the static IPv6 neighbour entry", x->msg);
}

int xt_lab3_up(const struct xt_lab3_config *cfg, struct xt_lab3 *out, const char **msg)
{
	static const struct xt_lab3_config defaults = { 0 };
	const char *dummy;
	struct xt_lab3 lab;
	struct lab3_ctx x;
	const char *nss[3];
	int err, made = 0;

	if (!msg)
		msg = &dummy;
	if (!cfg)
		cfg = &defaults;
	x.cfg = cfg;
	x.msg = msg;
	err = config_check(cfg->prefix, cfg->mtu, cfg->queues, msg);
	if (err)
		return err;
	lab3_names(cfg->prefix ? cfg->prefix : LAB_DEFAULT_PREFIX, &lab);
	nss[0] = lab.ns_client;
	nss[1] = lab.ns_proxy;
	nss[2] = lab.ns_backend;
	if (!have_caps()) {
		*msg = "creating namespaces needs CAP_SYS_ADMIN and CAP_NET_ADMIN (run as root)";
		return -EPERM;
	}
	if (xt_lab3_exists(lab.prefix)) {
		*msg = "a three-namespace lab with this prefix exists (xskb-lab down first)";
		return -EEXIST;
	}
	for (; made < 3; made++) {
		const char *add[] = { "ip", "netns", "add", nss[made], NULL };

		err = ip_run(add, "cannot create a namespace", msg);
		if (err)
			goto out;
		/* Before the veths exist, so they are born with these settings. */
		err = netns_call(nss[made], cfg->no_ipv6 ? disable_ipv6 : ipv6_quiet, NULL);
		if (err) {
			made++;
			*msg = "cannot set up IPv6 in a namespace";
			goto out;
		}
	}
	err = veth_add(lab.ns_client, lab.client.ifname, lab.ns_proxy, lab.proxy_a.ifname,
		       cfg->mtu, cfg->queues, "cannot create the client-proxy veth pair", msg);
	if (!err)
		err = veth_add(lab.ns_proxy, lab.proxy_b.ifname, lab.ns_backend, lab.backend.ifname,
			       cfg->mtu, cfg->queues, "cannot create the proxy-backend veth pair",
			       msg);
	for (int i = 0; i < 3 && !err; i++) {
		const char *lo_up[] = { "ip", "-n", nss[i], "link", "set", "lo", "up", NULL };

		err = ip_run(lo_up, "cannot set loopback up", msg);
	}
	if (!err)
		err = lab3_end_setup(&lab.client, &x);
	if (!err)
		err = lab3_end_setup(&lab.proxy_a, &x);
	if (!err)
		err = lab3_end_setup(&lab.proxy_b, &x);
	if (!err)
		err = lab3_end_setup(&lab.backend, &x);
	if (!err)
		err = lab3_route(&lab.client, &lab.backend, &lab.proxy_a, &x);
	if (!err)
		err = lab3_route(&lab.backend, &lab.client, &lab.proxy_b, &x);
	if (!err && cfg->ip_forward &&
	    (err = netns_call(lab.ns_proxy, ip_forward_on, cfg->no_ipv6 ? NULL : &lab)))
		*msg = "cannot turn IP forwarding on in the proxy namespace";
	if (err)
		goto out;
	if (cfg->static_neigh) {
		/* Read back into a copy: @lab names what the clean-up deletes. */
		struct xt_lab3 got;

		err = xt_lab3_get(lab.prefix, &got);
		if (err) {
			*msg = "cannot read the veth ends back";
			goto out;
		}
		err = lab3_neigh(&got.client, &got.proxy_a, &x);
		if (!err)
			err = lab3_neigh(&got.proxy_a, &got.client, &x);
		if (!err)
			err = lab3_neigh(&got.proxy_b, &got.backend, &x);
		if (!err)
			err = lab3_neigh(&got.backend, &got.proxy_b, &x);
		if (err)
			goto out;
	}
	if (out) {
		err = xt_lab3_get(lab.prefix, out);
		if (err) {
			*msg = "cannot read the lab back";
			goto out;
		}
	}
	return 0;

out:
	while (made-- > 0)
		netns_del(nss[made]);
	return err;
}

static int lab3_end_get(struct xt_lab3_end *e, struct xt_link_info *li)
{
	int err = xt_link_query(e->netns, e->ifname, li);

	if (err)
		return err;
	e->ifindex = li->ifindex;
	memcpy(e->mac, li->mac, sizeof(e->mac));
	return 0;
}

int xt_lab3_get(const char *prefix, struct xt_lab3 *lab)
{
	struct sysctl_get fwd = { .path = "/proc/sys/net/ipv4/ip_forward" };
	struct sysctl_get v6off = { .path = "/proc/sys/net/ipv6/conf/all/disable_ipv6", .value = 1 };
	struct xt_link_info li;
	int err;

	if (!prefix)
		prefix = LAB_DEFAULT_PREFIX;
	if (!prefix_valid(prefix) || !lab)
		return -EINVAL;
	lab3_names(prefix, lab);
	if (!netns_exists(lab->ns_client) || !netns_exists(lab->ns_proxy) ||
	    !netns_exists(lab->ns_backend))
		return -ENOENT;
	err = lab3_end_get(&lab->proxy_a, &li);
	if (!err)
		err = lab3_end_get(&lab->proxy_b, &li);
	if (!err)
		err = lab3_end_get(&lab->backend, &li);
	if (!err)
		err = lab3_end_get(&lab->client, &li);
	if (err)
		return err;
	lab->mtu = li.mtu;
	lab->queues = li.num_rx_queues;
	if (!netns_call(lab->ns_proxy, sysctl_read_int, &fwd))
		lab->ip_forward = fwd.value != 0;
	/* No IPv6 in the kernel at all reads as disabled. */
	netns_call(lab->ns_client, sysctl_read_int, &v6off);
	lab->ipv6 = v6off.value == 0;
	return 0;
}

int xt_lab3_down(const char *prefix)
{
	struct xt_lab3 lab;
	const char *nss[3];
	int err = 0, e;

	if (!prefix)
		prefix = LAB_DEFAULT_PREFIX;
	if (!prefix_valid(prefix))
		return -EINVAL;
	lab3_names(prefix, &lab);
	nss[0] = lab.ns_backend;
	nss[1] = lab.ns_proxy;
	nss[2] = lab.ns_client;
	/* All three, even if one fails: part of a lab is still in the way. */
	for (int i = 0; i < 3; i++)
		if (netns_exists(nss[i]) && (e = netns_del(nss[i])) && !err)
			err = e;
	return err;
}

bool xt_lab3_exists(const char *prefix)
{
	struct xt_lab3 lab;

	if (!prefix)
		prefix = LAB_DEFAULT_PREFIX;
	if (!prefix_valid(prefix))
		return false;
	lab3_names(prefix, &lab);
	return netns_exists(lab.ns_client) || netns_exists(lab.ns_proxy) ||
	       netns_exists(lab.ns_backend);
}
