/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * UMEM: the packet memory AF_XDP sockets receive into, cut into equal frames,
 * with the accounting that says where every frame is at any moment.
 *
 * Frame states (docs/architecture.md, "Frame states"). Every frame is in
 * exactly one:
 *   FREE    on the UMEM's free stack (or its remote-free list),
 *   FILL    posted to a queue's fill ring and not yet received: in the fill
 *           ring, inside the kernel, or in the RX ring,
 *   HELD    owned by an sk_buff (its head, or a page fragment); it returns
 *           to FREE when the last reference drops,
 *   TX      sent on a queue's TX ring and not yet completed: in the TX ring,
 *           inside the kernel, or in the completion ring; it returns to FREE
 *           when its address comes back on that queue's completion ring.
 * xskb_umem__frame_stats() reports the counts; xskb_umem__check() walks every
 * frame and verifies that the counts add up (debug builds run it at teardown).
 *
 * Threading: a UMEM is polled by one thread at a time (the first queue poll
 * claims it; xskb_napi releases it when its thread stops). sk_buffs that hold
 * frames may be freed on any thread: frames freed elsewhere go back through a
 * lock-free list the polling thread drains.
 */
#ifndef XSKB_UMEM_H
#define XSKB_UMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <xskb/compiler.h>

#ifdef __cplusplus
extern "C" {
#endif

struct xskb_umem;

#define XSKB_UMEM_DEFAULT_FRAMES	32768u	/* 128 MiB: both default rings full, and as many again */
#define XSKB_UMEM_DEFAULT_FRAME_SIZE	4096u
#define XSKB_UMEM_MAX_FRAMES		(1u << 20)

/**
 * struct xskb_umem_opts - UMEM configuration; zero means "default"
 * @sz: sizeof(struct xskb_umem_opts), set by XSKB_OPTS()
 * @frame_count: frames (default 32768, at most XSKB_UMEM_MAX_FRAMES)
 * @frame_size: 2048 or 4096 (default 4096)
 * @headroom: bytes the kernel leaves free in front of each packet, on top of
 *            its own XDP_PACKET_HEADROOM (default 0); it becomes skb headroom
 * @ifname: if set and no node is given, allocate on this interface's NUMA
 *          node (/sys/class/net/IFNAME/device/numa_node)
 * @hugepages: back the area with 2 MiB hugetlb pages; when none are
 *             reserved, fall back with a message. Without it (or after the
 *             fallback) an area of 2 MiB or more is 2 MiB-aligned and
 *             advised for transparent huge pages (MADV_HUGEPAGE), which the
 *             kernel uses when THP is enabled ("madvise" or "always")
 * @tx_metadata: register the UMEM with room for AF_XDP TX metadata
 *               (struct xsk_tx_metadata, 24 bytes in front of each sent
 *               packet; Linux 6.8+), so CHECKSUM_PARTIAL skbs are handed to
 *               the kernel (XDP_TXMD_FLAGS_CHECKSUM) instead of being
 *               completed by xskb. Where the kernel refuses it, xskb says so
 *               once and completes checksums itself.
 * @tx_sw_csum: with @tx_metadata, XDP_UMEM_TX_SW_CSUM: the kernel completes
 *              the checksum in software (copy mode only; lets veth test the
 *              metadata path)
 */
struct xskb_umem_opts {
	size_t sz;
	unsigned int frame_count;
	unsigned int frame_size;
	unsigned int headroom;
	const char *ifname;
	bool hugepages;
	bool tx_metadata;
	bool tx_sw_csum;
	size_t :0;
};

/**
 * xskb_umem__create - map a UMEM area on a NUMA node
 * @umem: out: the new UMEM
 * @numa_node: node to allocate on, or -1 (NUMA_NO_NODE): @opts->ifname's
 *             node when known, else the calling thread's node
 * @opts: NULL for defaults
 *
 * The area is not registered with the kernel until the first queue binds.
 * Returns 0, or -EINVAL (bad frame size/count/headroom, unknown node),
 * -ENOMEM (area or bookkeeping could not be mapped).
 */
XSKB_API int xskb_umem__create(struct xskb_umem **umem, int numa_node,
			       const struct xskb_umem_opts *opts);

/**
 * xskb_umem__delete - unmap a UMEM
 *
 * Every queue using it must be destroyed and every frame-backed sk_buff
 * freed first: otherwise returns -EBUSY with a message naming what is
 * still out, and leaves the UMEM intact (debug builds abort instead, since
 * a held frame at teardown is a leak). NULL is a no-op. Returns 0.
 */
XSKB_API int xskb_umem__delete(struct xskb_umem *umem);

struct xskb_frame_stats {
	unsigned int frames;		/* frame_count */
	unsigned int free;		/* free stack + remote-free list */
	unsigned int fill;		/* posted to fill rings, not yet received */
	unsigned int held;		/* owned by sk_buffs */
	unsigned int fill_ring;		/* of 'fill': still in fill rings (kernel has not taken them) */
	unsigned int rx_ring;		/* of 'fill': in RX rings, not yet polled */
	unsigned int tx;		/* sent, not yet completed */
};

/** Frame counts by state; free + fill + held + tx == frames. Polling thread only. */
XSKB_API int xskb_umem__frame_stats(struct xskb_umem *umem, struct xskb_frame_stats *st);

/**
 * xskb_umem__check - verify the frame accounting invariant
 *
 * Walks every frame's state, the free stack and each queue's rings: every
 * frame must be in exactly one state and the per-state counts must match.
 * Polling thread only, with no other thread freeing frames meanwhile.
 * Returns 0, or -EUCLEAN with a message saying which frame is wrong.
 */
XSKB_API int xskb_umem__check(struct xskb_umem *umem);

XSKB_API void *xskb_umem__area(const struct xskb_umem *umem);
XSKB_API unsigned int xskb_umem__frame_size(const struct xskb_umem *umem);
XSKB_API unsigned int xskb_umem__frame_count(const struct xskb_umem *umem);
XSKB_API int xskb_umem__numa_node(const struct xskb_umem *umem);
/** True when the area is backed by hugetlb pages (@hugepages took effect). */
XSKB_API bool xskb_umem__hugepages(const struct xskb_umem *umem);

#ifdef __cplusplus
}
#endif
#endif /* XSKB_UMEM_H */
