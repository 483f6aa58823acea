/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The veth lab: two network namespaces joined by one veth pair, both ends
 * inside the namespaces (the host's interfaces are never touched).
 *
 *   namespace <prefix>-tx                namespace <prefix>-rx
 *   <prefix>t (198.18.0.1/24) <--veth--> <prefix>r (198.18.0.2/24)
 *
 * IPv6 is disabled in both namespaces, each side has a permanent neighbour
 * entry for the other, loopback is up, TX checksum offload is off on both
 * ends, MTU and queue count are configurable.
 * Used by xskb-lab, the integration tests and the benchmarks.
 *
 * Further below: the three-namespace lab (client, proxy, backend) for the
 * forwarders and proxies, and TX checksum offload queries.
 */
#ifndef XSKB_TOOLS_LAB_H
#define XSKB_TOOLS_LAB_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define XT_LAB_PREFIX_MAX 10	/* interface names are <prefix>t / <prefix>r */
#define XT_LAB_IP_TX	"198.18.0.1"
#define XT_LAB_IP_RX	"198.18.0.2"
#define XT_LAB_MTU_MIN	68
#define XT_LAB_MTU_MAX	9000
#define XT_LAB_QUEUES_MAX 64

struct xt_lab_config {
	const char *prefix;		/* default "xskb"; [a-z0-9-], 1..10 chars */
	unsigned int mtu;		/* default 1500; 68..9000 */
	unsigned int queues;		/* rx and tx queues per veth end; default 1; 1..64 */
};
/* NULL/0 fields take the defaults; a NULL config is all defaults. */

struct xt_lab {
	char prefix[XT_LAB_PREFIX_MAX + 1];
	char ns_tx[32], ns_rx[32];	/* namespace names */
	char if_tx[IF_NAMESIZE];	/* veth end in ns_tx */
	char if_rx[IF_NAMESIZE];	/* veth end in ns_rx */
	int ifindex_tx, ifindex_rx;	/* as seen inside their namespaces */
	uint8_t mac_tx[6], mac_rx[6];
	struct in_addr ip_tx, ip_rx;	/* 198.18.0.1 and 198.18.0.2 */
	unsigned int mtu, queues;
};

/*
 * Create the lab. On failure nothing is left behind and a negative errno is
 * returned: -EEXIST if namespaces with that prefix exist, -EPERM without
 * CAP_NET_ADMIN/CAP_SYS_ADMIN, -ENOENT if `ip` (iproute2) is missing,
 * -EINVAL for a bad config; *msg (if non-NULL) then points to a static
 * sentence saying what failed. -EIO if an `ip` command failed (ip prints
 * why on stderr). @lab may be NULL. Not safe against a concurrent
 * xt_lab_up/down of the same prefix.
 */
int xt_lab_up(const struct xt_lab_config *cfg, struct xt_lab *lab, const char **msg);

/* Describe an existing lab with this prefix (names, ifindexes, MACs, MTU).
 * MTU and queues are the tx end's (the lab creates both ends alike).
 * -EINVAL: bad prefix; -ENOENT: no such lab (or half of one); -ENODEV: a
 * namespace lacks its veth end. */
int xt_lab_get(const char *prefix, struct xt_lab *lab);

/* Delete both namespaces (the veth pair goes with them). Idempotent:
 * returns 0 if they are already gone. */
int xt_lab_down(const char *prefix);

/* True if either namespace of the prefix exists. */
bool xt_lab_exists(const char *prefix);

/* One interface as rtnetlink reports it (counters as `ip -s link` shows). */
struct xt_link_info {
	int ifindex;
	uint8_t mac[6];
	unsigned int mtu;
	unsigned int num_rx_queues, num_tx_queues;
	bool up;			/* administratively up (IFF_UP) */
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_dropped;
	/* Appended: the link this one names (IFLA_LINK; a veth's peer), 0 if
	 * none; its namespace's id as seen from here (IFLA_LINK_NETNSID), -1
	 * when the link is in the same namespace; the kind (IFLA_INFO_KIND,
	 * "veth", "" for none); its name (IFLA_IFNAME). */
	int link_ifindex;
	int link_netnsid;
	char kind[16];
	char ifname[IF_NAMESIZE];
};

/*
 * Query interface @ifname in network namespace @netns (NULL: the caller's).
 * The calling thread's namespace never changes (a helper thread opens the
 * netlink socket inside @netns). -EINVAL: bad name; -ENOENT: no such
 * namespace; -ENODEV: no such interface; -ETIMEDOUT: the kernel did not
 * answer within two seconds.
 */
int xt_link_query(const char *netns, const char *ifname, struct xt_link_info *info);

/* ---- the three-namespace lab (proxies and forwarders) ----------------------
 *
 *   <prefix>-client          <prefix>-proxy                     <prefix>-backend
 *   <prefix>c  <--veth 1-->  <prefix>a        <prefix>b  <--veth 2-->  <prefix>s
 *   198.18.1.1/24            198.18.1.2/24    198.18.2.1/24            198.18.2.2/24
 *   fd78:736b:6200:1::1/64   ...:1::2/64      fd78:736b:6200:2::1/64   ...:2::2/64
 *
 * c = client, a and b = the proxy's two legs (a toward the client, b toward
 * the backend), s = server (the backend). The client routes 198.18.2.0/24
 * and fd78:736b:6200:2::/64 via the proxy's a address, the backend routes
 * the client's subnets via the proxy's b address, so with kernel forwarding
 * on in the proxy namespace (ip_forward) client and backend reach each
 * other; with it off (the default) only a userspace forwarder or proxy
 * joins them. TX checksum offload is off on all four ends (see
 * xt_warn_tx_csum_offload()). IPv6 addresses are added without DAD, and
 * router solicitations and RA are off, so the only IPv6 frames the lab
 * itself sends are MLD reports right after the links come up (none with
 * no_ipv6). Loopback is up everywhere. */
#define XT_LAB3_IP_CLIENT	"198.18.1.1"
#define XT_LAB3_IP_PROXY_A	"198.18.1.2"
#define XT_LAB3_IP_PROXY_B	"198.18.2.1"
#define XT_LAB3_IP_BACKEND	"198.18.2.2"
#define XT_LAB3_IP6_CLIENT	"fd78:736b:6200:1::1"
#define XT_LAB3_IP6_PROXY_A	"fd78:736b:6200:1::2"
#define XT_LAB3_IP6_PROXY_B	"fd78:736b:6200:2::1"
#define XT_LAB3_IP6_BACKEND	"fd78:736b:6200:2::2"

struct xt_lab3_config {
	const char *prefix;		/* default "xskb"; [a-z0-9-], 1..10 chars */
	unsigned int mtu;		/* default 1500; 68..9000, all four ends */
	unsigned int queues;		/* rx and tx queues per veth end; default 1; 1..64 */
	bool ip_forward;		/* net.ipv4.ip_forward and ipv6 forwarding in the proxy */
	bool static_neigh;		/* permanent ARP/ND entries for each end's peer */
	bool gro;			/* GRO on every end: veth NAPI without an XDP program */
	bool no_ipv6;			/* IPv4 only: IPv6 disabled in all three namespaces */
};
/* NULL/0 fields take the defaults; a NULL config is all defaults. */

/* One veth end of the three-namespace lab. */
struct xt_lab3_end {
	char netns[32];
	char ifname[IF_NAMESIZE];
	int ifindex;			/* inside its namespace */
	uint8_t mac[6];
	struct in_addr ip;
	struct in6_addr ip6;		/* set even with no_ipv6 (then unused) */
};

struct xt_lab3 {
	char prefix[XT_LAB_PREFIX_MAX + 1];
	char ns_client[32], ns_proxy[32], ns_backend[32];
	struct xt_lab3_end client;	/* <prefix>c in ns_client */
	struct xt_lab3_end proxy_a;	/* <prefix>a in ns_proxy, the client's peer */
	struct xt_lab3_end proxy_b;	/* <prefix>b in ns_proxy, the backend's peer */
	struct xt_lab3_end backend;	/* <prefix>s in ns_backend */
	unsigned int mtu, queues;	/* as read back from the client end */
	bool ip_forward;		/* as read back from the proxy's ip_forward */
	bool ipv6;			/* IPv6 enabled in the namespaces */
};

/* Create the three-namespace lab; same errors and clean-up as xt_lab_up().
 * The namespaces do not clash with a two-namespace lab of the same prefix. */
int xt_lab3_up(const struct xt_lab3_config *cfg, struct xt_lab3 *lab, const char **msg);
/* Describe an existing one: -EINVAL bad prefix, -ENOENT no such lab (or a
 * part missing), -ENODEV a namespace lacks its veth end. */
int xt_lab3_get(const char *prefix, struct xt_lab3 *lab);
/* Delete all three namespaces; idempotent (0 if already gone). */
int xt_lab3_down(const char *prefix);
/* True if any of the three namespaces exists. */
bool xt_lab3_exists(const char *prefix);

/* ---- TX checksum offload ---------------------------------------------------
 *
 * A kernel that sends over a veth with TX checksum offload on hands the
 * peer's XDP program (and AF_XDP) CHECKSUM_PARTIAL packets: the UDP/TCP
 * checksum field holds only the pseudo-header sum, the rest was left for a
 * "device" that a veth does not have. A forwarder that rewrites addresses
 * and updates that field incrementally (csum_replace4 and friends, as every
 * proxy does) turns it into a plain wrong checksum, and the receiver drops
 * the datagram. The labs turn it off; the tools warn when it is on. */

/* 1 if TX checksum offload (ETHTOOL_GTXCSUM) is on for @ifname in @netns
 * (NULL: the caller's namespace), 0 if off, negative errno on failure
 * (-ENODEV no such interface, -ENOENT no such namespace). */
int xt_tx_csum_offload_get(const char *netns, const char *ifname);
/* Turn it on or off (ETHTOOL_STXCSUM); 0 or a negative errno. */
int xt_tx_csum_offload_set(const char *netns, const char *ifname, bool on);

/*
 * The peer of veth @ifname in @netns (NULL: the caller's): its interface
 * name and the name of its namespace (a /run/netns entry, or "" for the
 * caller's own namespace). Found through IFLA_LINK and IFLA_LINK_NETNSID,
 * matched against the ids of the named namespaces. -ENOENT: not a veth;
 * -ESRCH: the peer lives in a namespace that is neither named under
 * /run/netns nor the caller's, so it cannot be reached.
 */
int xt_link_peer(const char *netns, const char *ifname, char peer_ns[32],
		 char peer_if[IF_NAMESIZE]);

/*
 * For the tools, on every interface they receive on or send from: print a
 * warning on stderr when TX checksum offload is on, on @ifname itself (what
 * it sends) or, for a veth, on its peer (what it receives: the offload that
 * matters is on the sending side). Says why it matters and the command that
 * turns it off. Returns how many interfaces it warned about (0..2), or a
 * negative errno if @ifname could not be read. A peer that cannot be found
 * (another namespace without a name) is left out, with a note saying so.
 */
int xt_warn_tx_csum_offload(const char *netns, const char *ifname);

#endif
