/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interfaces and queues: the XDP program that claims packets on an interface
 * (struct xskb_dev) and the AF_XDP socket per queue that delivers them as
 * sk_buffs and transmits sk_buffs (struct xskb_queue, dev_queue_xmit()).
 *
 *   struct xskb_dev *dev;  struct xskb_umem *umem;  struct xskb_queue *q;
 *   xskb_dev__open(&dev, "eth0", NULL);          // loads + attaches the XDP program
 *   xskb_umem__create(&umem, NUMA_NO_NODE, NULL);
 *   XSKB_OPTS(xskb_queue_opts, qo, .queue_id = 0, .handler = rx, .handler_arg = st);
 *   xskb_queue__create(&q, dev, umem, &qo);      // binds the socket, fills the fill ring
 *   while (running) xskb_queue__poll(q, 64);     // or an xskb_napi thread
 *   xskb_queue__destroy(q); xskb_umem__delete(umem); xskb_dev__close(dev);
 *
 * Errors are negative errno values; the library also logs a sentence saying
 * what to do (see xskb_set_print()).
 */
#ifndef XSKB_XSK_H
#define XSKB_XSK_H

#include <stdbool.h>
#include <stdarg.h>
#include <xskb/compiler.h>
#include <xskb/netdevice.h>
#include <xskb/skbuff.h>
#include <xskb/stats.h>
#include <xskb/umem.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- messages ------------------------------------------------------------ */

enum xskb_print_level {
	XSKB_LOG_WARN,
	XSKB_LOG_INFO,
	XSKB_LOG_DEBUG,
};
typedef int (*xskb_print_fn_t)(enum xskb_print_level level, const char *fmt, va_list ap);

/**
 * xskb_set_print - route the library's messages
 * @fn: the new printer, or NULL to silence the library
 *
 * The default prints XSKB_LOG_WARN and XSKB_LOG_INFO to stderr prefixed "xskb: ".
 * Returns the previous printer.
 */
XSKB_API xskb_print_fn_t xskb_set_print(xskb_print_fn_t fn);

/* ---- device: one interface and its XDP program ---------------------------- */

struct xskb_dev;

enum xskb_attach_mode {
	XSKB_ATTACH_DRV = 0,	/* native XDP in the driver (default) */
	XSKB_ATTACH_SKB,	/* generic XDP after skb allocation: works everywhere, slower */
};

/**
 * struct xskb_dev_opts - interface configuration; zero means default
 * @attach: XSKB_ATTACH_DRV (default) or XSKB_ATTACH_SKB
 * @metadata: the program writes struct xskb_xdp_meta (mark, rx hash) in front
 *            of each packet; the NAPI loop copies it to skb->mark/skb->hash
 * @bpf_obj_path: load the program from this object file instead of the copy
 *                built into the library (development and tests)
 */
struct xskb_dev_opts {
	size_t sz;
	enum xskb_attach_mode attach;
	bool metadata;
	const char *bpf_obj_path;
	size_t :0;
};

/**
 * xskb_dev__open - attach xskb's XDP program to an interface
 * @dev: out: the device
 * @ifname: interface in the calling thread's network namespace
 * @opts: NULL for defaults
 *
 * The program is loaded through libxdp, so it runs in libxdp's dispatcher
 * beside other libxdp-managed programs when bpffs is mounted; packets it does
 * not claim, and packets on queues without a socket, go on to XDP_PASS.
 * Until a rule is added every packet is claimed.
 *
 * The program records the calling process as its owner. An xskb program
 * already on the interface whose owner is gone (killed with SIGKILL, crashed)
 * is removed first and replaced; telling needs CAP_SYS_ADMIN (else the
 * attach fails with -EBUSY and the message says how to remove it).
 *
 * Returns 0 or: -ENOENT (no such interface), -EBUSY (the interface already
 * has an XDP program that libxdp does not manage, or xskb's program of a
 * live process), -EPERM (needs CAP_NET_ADMIN and CAP_BPF), -EOPNOTSUPP (the
 * driver lacks native XDP: try XSKB_ATTACH_SKB), -EINVAL (bad options), or
 * another libxdp error.
 */
XSKB_API int xskb_dev__open(struct xskb_dev **dev, const char *ifname,
			    const struct xskb_dev_opts *opts);

/**
 * xskb_dev__close - detach the program and free the device
 *
 * Every queue on the device must be destroyed first (else -EBUSY, nothing
 * changed). NULL is a no-op. An interface that is gone, or a program someone
 * else already removed, is not an error. Returns 0, or the detach error
 * (-EPERM without CAP_NET_ADMIN, or without CAP_SYS_ADMIN under libxdp's
 * dispatcher): the device is freed anyway, the program stays attached, and
 * the message says how to remove it (xskb_dev__detach()).
 */
XSKB_API int xskb_dev__close(struct xskb_dev *dev);

/**
 * xskb_dev__detach - remove xskb's XDP program from an interface
 * @ifname: interface in the calling thread's network namespace
 * @flags: 0, or XSKB_DETACH_FORCE to remove it even from a live process
 *
 * For a program left behind by a process that died without closing its
 * device (SIGKILL, a crash). Only xskb's programs are touched, alone on the
 * interface or in libxdp's dispatcher; one whose owner process is alive is
 * kept unless forced. Control path, not thread-safe against xskb_dev__open()
 * on the same interface. Needs CAP_SYS_ADMIN (to look the attached program
 * up by id) and CAP_NET_ADMIN.
 *
 * Returns the number of programs removed (0: none was there), or -ENOENT (no
 * such interface), -EBUSY (the owner is alive; nothing removed), -EPERM
 * (capability missing), -EINVAL (bad name or flags), or a netlink error.
 */
XSKB_API int xskb_dev__detach(const char *ifname, unsigned int flags);
#define XSKB_DETACH_FORCE	0x1u

/**
 * xskb_dev__check - is the interface still there, with xskb's program on it?
 *
 * Two netlink/ioctl round trips: call it from a timer (say once a second),
 * not per packet. Needs no capability. Returns 0, -ENODEV (the interface was
 * deleted or moved to another network namespace), -ENOENT (xskb's program
 * was removed or replaced by someone else; not checked under libxdp's
 * dispatcher), or another errno from the query. A message says which.
 */
XSKB_API int xskb_dev__check(struct xskb_dev *dev);

/**
 * struct xskb_rule - claim packets matching every field flagged
 * @ethertype: after at most one VLAN tag, e.g. ETH_P_IP (host order)
 * @ip_proto: IPv4 protocol / IPv6 next header, e.g. IPPROTO_UDP
 * @dport_lo, @dport_hi: UDP/TCP destination port range, inclusive
 * @mark: copied to skb->mark (when xskb_dev_opts.metadata is set)
 */
struct xskb_rule {
	unsigned int flags;
#define XSKB_RULE_ETHERTYPE	0x01u
#define XSKB_RULE_PROTO		0x02u
#define XSKB_RULE_DPORT		0x04u
	unsigned short ethertype;
	unsigned char ip_proto;
	unsigned short dport_lo;
	unsigned short dport_hi;
	unsigned int mark;
};

/**
 * xskb_dev__add_rule - claim matching packets instead of everything
 *
 * Rules are tried in order; the first match claims. With at least one rule,
 * packets matching none go to the kernel (XDP_PASS). Takes effect at once,
 * and atomically: every packet is classified by the rule set before or the
 * one after, never a mix (see xskb_dev__set_rules()). Returns the rule's
 * index, or -EINVAL (no flag, dport_lo > dport_hi), -ENOSPC (XSKB_MAX_RULES
 * reached), or a map error (nothing changed).
 */
XSKB_API int xskb_dev__add_rule(struct xskb_dev *dev, const struct xskb_rule *rule);

/**
 * xskb_dev__set_rules - replace the whole rule set in one step
 * @rules: @n rules, tried in order (NULL when @n is 0)
 * @n: 0..XSKB_MAX_RULES; 0 claims everything again
 *
 * The program sees the old set or the new one, never a mix: the new set goes
 * into a second generation and one map update switches to it. Changing from
 * one set to another this way claims nothing that neither set claims (a
 * clear_rules() followed by add_rule() claims everything in between). Before
 * overwriting the generation the previous change retired, it waits for an RCU
 * grace period (milliseconds), so no running program still reads it: set
 * many rules with one call. Needs CAP_BPF from the second change on.
 * Control path: not thread-safe against other calls on @dev.
 *
 * Returns 0, or -EINVAL (a bad rule), -ENOSPC (@n too large), or a map
 * error; on error the rules in effect are unchanged.
 */
XSKB_API int xskb_dev__set_rules(struct xskb_dev *dev, const struct xskb_rule *rules,
				 unsigned int n);
/** Remove every rule: claim everything again. xskb_dev__set_rules(dev, NULL, 0). */
XSKB_API int xskb_dev__clear_rules(struct xskb_dev *dev);
#define XSKB_MAX_RULES 16

/** The device as sk_buffs see it (skb->dev): name, ifindex, mtu, numa_node. */
XSKB_API struct net_device *xskb_dev__netdev(struct xskb_dev *dev);
/** Attach mode in effect, and whether libxdp's dispatcher runs the program. */
XSKB_API enum xskb_attach_mode xskb_dev__attach_mode(const struct xskb_dev *dev);
XSKB_API bool xskb_dev__multiprog(const struct xskb_dev *dev);

/* ---- queue: one AF_XDP socket on one RX queue ----------------------------- */

struct xskb_queue;

enum xskb_bind_mode {
	XSKB_MODE_AUTO = 0,	/* try zero-copy, fall back to copy (default) */
	XSKB_MODE_COPY,
	XSKB_MODE_ZEROCOPY,	/* fail with -EOPNOTSUPP if the driver cannot */
};

/* How a multi-buffer packet (descriptors chained with XDP_PKT_CONTD) becomes an skb. */
enum xskb_mb_mode {
	XSKB_MB_SLAB = 0,	/* copy into one linear slab skb; frames return at once */
	XSKB_MB_FRAGS,		/* headers copied, the rest page frags on the UMEM frames */
};

/*
 * Handler for received packets. It owns @skb (free it, queue it, keep it):
 * skb->data is at the network header (eth_type_trans() has run),
 * skb_mac_header() at the Ethernet header, skb->dev/queue_mapping/protocol
 * set, mark/hash from the XDP metadata when enabled.
 */
typedef void (*xskb_rx_handler_t)(struct sk_buff *skb, void *arg);

/**
 * struct xskb_queue_opts - queue configuration; zero means default
 * @queue_id: RX queue of the interface
 * @mode: XSKB_MODE_AUTO (default), _COPY or _ZEROCOPY
 * @rx_size, @fill_size, @comp_size: ring sizes, powers of two (default 16384 for
 *        RX and fill; completions: see @tx_size)
 * @copybreak: packets of at most this many bytes are copied into a small
 *             slab skb and their frame returned at once (default 0: off)
 * @multi_buffer: bind with XDP_USE_SG so frames larger than a UMEM frame
 *                arrive as descriptor chains (needs an MTU above the frame)
 * @mb_mode: what a chain becomes (default XSKB_MB_SLAB)
 * @busy_poll: SO_PREFER_BUSY_POLL + SO_BUSY_POLL(@busy_poll_usec, default
 *             20) + SO_BUSY_POLL_BUDGET(@busy_poll_budget, default 64); the
 *             poll loop then drives the driver's NAPI with recvfrom()
 * @handler, @handler_arg: where xskb_queue__poll() delivers (required for
 *             it; xskb_queue__receive() needs none)
 * @tx_size: TX ring entries, a power of two (default 4096). The completion
 *           ring must hold at least as many (@comp_size defaults to the
 *           larger of 4096 and @tx_size; a smaller one is -EINVAL), so a
 *           full TX ring can always complete.
 * @tx_qdisc_len: skbs that may wait in software while the TX ring is full
 *                (default 1024); beyond it dev_queue_xmit() drops
 * @tx_budget: copy mode: descriptors the kernel sends per kick
 *             (XDP_MAX_TX_SKB_BUDGET, Linux 6.17+; 32 before). Default: the
 *             TX ring size, so one kick sends a whole batch; the kernel
 *             accepts 32..@tx_size. XSKB_TX_BUDGET_KERNEL leaves the
 *             kernel's 32. Where the kernel lacks the option it stays 32
 *             and xskb says so at debug level (xskb_queue__tx_budget()).
 * @parse_headers: on receive, set the network and transport header offsets
 *                 (IPv4, IPv6 with extension headers, one or two VLAN tags),
 *                 as the kernel's flow dissector; packets it cannot parse
 *                 are delivered anyway and counted in rx_parse_errors
 */
struct xskb_queue_opts {
	size_t sz;
	unsigned int queue_id;
	enum xskb_bind_mode mode;
	unsigned int rx_size;
	unsigned int fill_size;
	unsigned int comp_size;
	unsigned int copybreak;
	bool multi_buffer;
	enum xskb_mb_mode mb_mode;
	bool busy_poll;
	unsigned int busy_poll_usec;
	unsigned int busy_poll_budget;
	xskb_rx_handler_t handler;
	void *handler_arg;
	unsigned int tx_size;
	unsigned int tx_qdisc_len;
	unsigned int tx_budget;
	bool parse_headers;
	size_t :0;
};
#define XSKB_TX_BUDGET_KERNEL (~0u)

/**
 * xskb_queue__create - bind an AF_XDP socket to one RX queue
 * @q: out: the queue
 * @dev: interface (xskb_dev__open)
 * @umem: packet memory; several queues may share one (XDP_SHARED_UMEM), then
 *        one thread must poll them all
 * @opts: queue configuration
 *
 * Registers the UMEM with the kernel on first use, binds with need_wakeup,
 * fills the fill ring, and publishes the socket in the program's XSKMAP so
 * the queue's packets start arriving.
 *
 * Returns 0 or: -EINVAL (bad sizes, queue_id beyond the interface's queues,
 * handler/copybreak nonsense), -EOPNOTSUPP (zero-copy requested but the
 * driver cannot, or multi-buffer unsupported), -EBUSY (a socket is already
 * bound to that queue), -EPERM (missing CAP_NET_RAW/CAP_IPC_LOCK), -ENOMEM.
 */
XSKB_API int xskb_queue__create(struct xskb_queue **q, struct xskb_dev *dev,
				struct xskb_umem *umem, const struct xskb_queue_opts *opts);

/**
 * xskb_queue__destroy - unbind and close the socket
 *
 * Removes the socket from the XSKMAP (its packets go to the kernel again)
 * and takes back every frame that was in its fill ring, inside the kernel or
 * in its RX ring. In zero-copy mode those frames stay reserved (counted in
 * xskb_frame_stats.fill): the kernel releases the buffer pool from a
 * workqueue after the close and the NIC may write them until then. A new
 * zero-copy queue on the same interface and queue id, or deleting the UMEM,
 * releases them. Frames held by sk_buffs stay held: they return to the UMEM
 * when freed, and their skb->dev stays valid (the UMEM keeps the device's
 * struct until xskb_umem__delete(), even past xskb_dev__close()). Free slab
 * skbs (copybreak, chains) before deleting the UMEM: they hold no frame, and
 * their skb->dev goes with it, as a kernel skb's goes with its unregistered
 * device. NULL is a no-op. Returns 0, or -EBUSY (nothing changed) while
 * another thread polls the UMEM: stop its xskb_napi loop first. Creating a
 * queue has the same rule.
 */
XSKB_API int xskb_queue__destroy(struct xskb_queue *q);

/**
 * xskb_queue__poll - one NAPI poll: receive up to @budget packets
 *
 * Peeks the RX ring, wraps each packet as an sk_buff (in place on its frame
 * when it fits, else in a slab skb), hands it to the handler, then refills
 * the fill ring. Makes a system call only to wake the kernel (need_wakeup,
 * busy poll). Returns the number of packets processed, delivered or dropped
 * (0..@budget; xskb_queue__stats() says which), -EINVAL if the queue has no
 * handler or @budget < 1, -EBUSY if another thread polls this queue's
 * UMEM, or -ENODEV once the interface is gone (unregistered: the kernel
 * unbound the socket; checked every 1024th empty poll, with a message): the
 * queue then only waits to be destroyed.
 */
XSKB_API int xskb_queue__poll(struct xskb_queue *q, int budget);

/**
 * xskb_queue__receive - poll, appending the packets to @list instead
 *
 * Same as xskb_queue__poll() but the sk_buffs are added to the tail of
 * @list with __skb_queue_tail() (no lock); the caller owns them. Returns the
 * number processed, as xskb_queue__poll().
 */
XSKB_API int xskb_queue__receive(struct xskb_queue *q, struct sk_buff_head *list, int budget);

/**
 * xskb_queue__xmit - transmit @skb on this queue
 *
 * dev_queue_xmit() with the queue given instead of taken from skb->dev and
 * skb_get_queue_mapping(): same contract (always consumes @skb; returns
 * NET_XMIT_SUCCESS or NET_XMIT_DROP), same batching.
 */
XSKB_API int xskb_queue__xmit(struct xskb_queue *q, struct sk_buff *skb);

/**
 * xskb_queue__flush - submit what dev_queue_xmit() queued and kick the kernel
 *
 * Takes the completions back, moves skbs waiting in the software queue onto
 * the TX ring as room allows, publishes the new descriptors and wakes the
 * kernel's TX path (sendto(MSG_DONTWAIT)) when the ring asks for it (copy
 * mode always does), retrying after EAGAIN/EBUSY with completions drained.
 * The end of every poll flushes every queue the polling thread transmitted
 * on, so a NAPI handler never needs this; code that transmits outside a
 * poll (a timer in the loop, a thread that only sends) calls it after a
 * batch. Polling thread only. Returns the number of descriptors still
 * waiting for the kernel to take them (0: the TX ring is empty), -EBUSY
 * if another thread polls the UMEM, -ENODEV once the interface is gone.
 */
XSKB_API int xskb_queue__flush(struct xskb_queue *q);

/* Who completes a CHECKSUM_PARTIAL skb's checksum on transmit. */
enum xskb_tx_csum {
	XSKB_TX_CSUM_SOFTWARE = 0,	/* xskb, before the descriptor is written */
	XSKB_TX_CSUM_METADATA,		/* the device, from AF_XDP TX metadata */
	XSKB_TX_CSUM_KERNEL_SW,		/* the kernel in software (XDP_UMEM_TX_SW_CSUM) */
};
/** Which one this queue uses (xskb_umem_opts.tx_metadata, .tx_sw_csum). */
XSKB_API enum xskb_tx_csum xskb_queue__tx_csum(const struct xskb_queue *q);
XSKB_API const char *xskb_tx_csum_str(enum xskb_tx_csum mode);
/** Copy-mode descriptors per kick in effect (XDP_MAX_TX_SKB_BUDGET), 32 without it. */
XSKB_API unsigned int xskb_queue__tx_budget(const struct xskb_queue *q);

/** Counters of this queue, XDP_STATISTICS included (one getsockopt). */
XSKB_API int xskb_queue__stats(struct xskb_queue *q, struct xskb_queue_stats *st);

XSKB_API int xskb_queue__fd(const struct xskb_queue *q);
XSKB_API unsigned int xskb_queue__id(const struct xskb_queue *q);
/** XSKB_MODE_COPY or XSKB_MODE_ZEROCOPY: what the bind got. */
XSKB_API enum xskb_bind_mode xskb_queue__mode(const struct xskb_queue *q);
XSKB_API struct napi_struct *xskb_queue__napi(struct xskb_queue *q);
XSKB_API struct xskb_umem *xskb_queue__umem(const struct xskb_queue *q);
XSKB_API const char *xskb_bind_mode_str(enum xskb_bind_mode mode);

#ifdef __cplusplus
}
#endif
#endif /* XSKB_XSK_H */
