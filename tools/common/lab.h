/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The veth lab: two network namespaces joined by one veth pair, both ends
 * inside the namespaces (the host's interfaces are never touched).
 *
 *   namespace <prefix>-tx                namespace <prefix>-rx
 *   <prefix>t (198.18.0.1/24) <--veth--> <prefix>r (198.18.0.2/24)
 *
 * IPv6 is disabled in both namespaces, each side has a permanent neighbour
 * entry for the other, loopback is up, MTU and queue count are configurable.
 * Used by xskb-lab, the integration tests and the benchmarks.
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
};

/*
 * Query interface @ifname in network namespace @netns (NULL: the caller's).
 * The calling thread's namespace never changes (a helper thread opens the
 * netlink socket inside @netns). -EINVAL: bad name; -ENOENT: no such
 * namespace; -ENODEV: no such interface; -ETIMEDOUT: the kernel did not
 * answer within two seconds.
 */
int xt_link_query(const char *netns, const char *ifname, struct xt_link_info *info);

#endif
