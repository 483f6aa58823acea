/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer harness: eth_type_trans() and the header helpers (skb_copy_bits,
 * skb_header_pointer, pskb_may_pull, skb_pull, pskb_pull, skb_linearize) on
 * linear and paged skbs built from the input, checked against a flat copy.
 *
 * Input: 16 control bytes, then the frame. Control: [0] flags (bit 0 paged,
 * bit 1 a device, bit 2 the device's address is the frame's destination),
 * [1] headroom, [2..3] linear length, [4] fragments (0..4), [5..8] page
 * offsets, [9..15] probe offsets and lengths.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <xskb/etherdevice.h>

#include "fuzz_common.h"

#define CTL		16
#define MAX_FRAME	9216
#define MAX_FR		4
#define HEADROOM_FILL	0xC3
#define TAILROOM_FILL	0xA5

static unsigned long baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xskb_set_print(NULL);
	fz_deep_pool();
	kfree_skb(alloc_skb(64, GFP_KERNEL));	/* the skb caches exist */
	baseline = fz_slab_in_use();
	return 0;
}

/* What the kernel's eth_type_trans() decides, from the flat frame. */
static void ref_eth(const uint8_t *f, size_t len, const uint8_t *devmac, uint16_t *proto,
		    unsigned int *pkt_type)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t h[ETH_HLEN] = { 0 };
	uint16_t type;

	memcpy(h, f, len < ETH_HLEN ? len : ETH_HLEN);
	if (h[0] & 1)
		*pkt_type = memcmp(h, bcast, ETH_ALEN) ? PACKET_MULTICAST : PACKET_BROADCAST;
	else if (devmac && memcmp(h, devmac, ETH_ALEN))
		*pkt_type = PACKET_OTHERHOST;
	else
		*pkt_type = PACKET_HOST;
	type = (uint16_t)(h[12] << 8 | h[13]);
	if (type >= ETH_P_802_3_MIN)
		*proto = type;
	else if (len >= ETH_HLEN + 2 && f[ETH_HLEN] == 0xFF && f[ETH_HLEN + 1] == 0xFF)
		*proto = ETH_P_802_3;
	else
		*proto = ETH_P_802_2;
}

/* skb_copy_bits() of [off, off + n) against the frame (and the headroom fill). */
static void probe_copy_bits(const struct sk_buff *skb, const uint8_t *ref, size_t len, int off,
			    int n)
{
	static uint8_t buf[MAX_FRAME + 512];
	int rc = skb_copy_bits(skb, off, buf, n);
	bool ok = n >= 0 && off >= -(int)skb_headroom(skb) && (int64_t)off + n <= (int64_t)len;

	FZ_CHECK(rc == (ok ? 0 : -EFAULT), "copy_bits(%d, %d) = %d, len %zu", off, n, rc, len);
	for (int i = 0; ok && i < n; i++) {
		int at = off + i;
		uint8_t want = at >= 0 ? ref[at] : HEADROOM_FILL;

		FZ_CHECK(buf[i] == want, "copy_bits(%d, %d) byte %d", off, n, i);
	}
}

static void probe_header_pointer(const struct sk_buff *skb, const uint8_t *ref, size_t len,
				 int off, int n)
{
	uint8_t buf[256];
	const uint8_t *p = skb_header_pointer(skb, off, n, buf);
	bool ok = (int64_t)off + n <= (int64_t)len;

	FZ_CHECK((p != NULL) == ok, "header_pointer(%d, %d) len %zu", off, n, len);
	if (!p)
		return;
	FZ_CHECK((p == skb->data + off) == ((int64_t)off + n <= skb_headlen(skb)),
		 "header_pointer(%d, %d) in place or copied wrongly (headlen %u)", off, n,
		 skb_headlen(skb));
	FZ_CHECK(!memcmp(p, ref + off, (size_t)n), "header_pointer(%d, %d) bytes", off, n);
}

static void check_all(const struct sk_buff *skb, const uint8_t *ref, size_t len)
{
	fz_check_skb(skb, 0);
	FZ_CHECK(skb->len == len, "len %u, expected %zu", skb->len, len);
	probe_copy_bits(skb, ref, len, 0, (int)len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct net_device dev = { .name = "fuzz0", .ifindex = 3 };
	struct page *pages[MAX_FR];
	struct fz c = { data, size < CTL ? size : CTL };
	const uint8_t *frame = data + (size < CTL ? size : CTL);
	size_t len = size < CTL ? 0 : size - CTL, hl, at;
	unsigned int flags, headroom, nfr, npages = 0, pkt_type;
	struct net_device *devp;
	struct sk_buff *skb;
	uint16_t proto;
	__be16 got;

	flags = fz_u8(&c);
	headroom = fz_u8(&c);
	hl = fz_u16(&c);
	nfr = (flags & 1) ? fz_u8(&c) % (MAX_FR + 1) : 0;
	if (len > MAX_FRAME)
		len = MAX_FRAME;
	/* What the fragments cannot hold stays linear. */
	hl = nfr ? hl % (len + 1) : len;
	if (len - hl > (size_t)nfr * XSKB_PAGE_SIZE)
		hl = len - (size_t)nfr * XSKB_PAGE_SIZE;

	skb = alloc_skb(headroom + (unsigned int)hl + 64, GFP_KERNEL);
	FZ_CHECK(skb != NULL, "alloc_skb");
	memset(skb->head, HEADROOM_FILL, headroom);
	skb_reserve(skb, (int)headroom);
	memset(skb_tail_pointer(skb), TAILROOM_FILL, (size_t)skb_tailroom(skb));
	skb_put_data(skb, frame, (unsigned int)hl);
	for (at = hl; at < len && npages < nfr; npages++) {
		size_t left = len - at, fsz, off;
		unsigned int room = (unsigned int)(nfr - npages);

		/* spread what is left; the last fragment takes the rest */
		fsz = room == 1 ? left : (left + room - 1) / room;
		if (fsz > XSKB_PAGE_SIZE)
			fsz = XSKB_PAGE_SIZE;
		off = ((size_t)fz_u8(&c) * 16) % (XSKB_PAGE_SIZE - fsz + 1);
		pages[npages] = alloc_page(GFP_KERNEL);
		FZ_CHECK(pages[npages] != NULL, "alloc_page");
		memset(page_address(pages[npages]), TAILROOM_FILL, XSKB_PAGE_SIZE);
		memcpy((uint8_t *)page_address(pages[npages]) + off, frame + at, fsz);
		get_page(pages[npages]);		/* ours: watched at the end */
		skb_add_rx_frag(skb, (int)npages, pages[npages], (int)off, (int)fsz, XSKB_PAGE_SIZE);
		at += fsz;
	}
	FZ_CHECK(at == len, "frame not placed: %zu of %zu bytes", at, len);
	check_all(skb, frame, len);

	/* Probes before anything moves: offsets around both ends. */
	for (int i = 0; i < 2; i++) {
		int off = (int)fz_below(&c, (uint32_t)len + headroom + 4) - (int)headroom - 2;
		int n = (int)fz_below(&c, 255) - 1;

		probe_copy_bits(skb, frame, len, off, n);
		if (off >= 0 && n >= 0)
			probe_header_pointer(skb, frame, len, off, n);
	}
	probe_header_pointer(skb, frame, len, 0, len < 200 ? (int)len : 200);
	probe_header_pointer(skb, frame, len, ETH_HLEN, 2);

	/* pskb_may_pull: true exactly when the bytes exist; then they are linear. */
	{
		unsigned int n = fz_below(&c, (uint32_t)len + 2);
		bool ok = pskb_may_pull(skb, n);

		FZ_CHECK(ok == (n <= len), "pskb_may_pull(%u) = %d, len %zu", n, ok, len);
		FZ_CHECK(!ok || skb_headlen(skb) >= n, "headlen %u after may_pull(%u)",
			 skb_headlen(skb), n);
		check_all(skb, frame, len);
	}

	/* eth_type_trans: a longer frame's header is made linear first, as
	 * drivers do (the kernel BUGs otherwise); a runt is left alone. */
	if (len >= ETH_HLEN)
		FZ_CHECK(pskb_may_pull(skb, ETH_HLEN), "may_pull(ETH_HLEN)");
	devp = (flags & 2) ? &dev : NULL;
	memcpy(dev.dev_addr, (flags & 4) && len >= ETH_ALEN ? frame : mac, ETH_ALEN);
	ref_eth(frame, len, devp ? dev.dev_addr : NULL, &proto, &pkt_type);
	{
		unsigned char *d0 = skb->data;

		got = eth_type_trans(skb, devp);
		FZ_CHECK(ntohs(got) == proto, "protocol %#x, expected %#x (len %zu, headlen %u)",
			 ntohs(got), proto, len, skb_headlen(skb));
		FZ_CHECK(skb->pkt_type == pkt_type, "pkt_type %u, expected %u", skb->pkt_type, pkt_type);
		FZ_CHECK(skb->dev == devp, "dev");
		FZ_CHECK(skb_mac_header(skb) == d0, "mac header");
		if (len >= ETH_HLEN) {
			FZ_CHECK(skb->data == d0 + ETH_HLEN, "data not pulled by ETH_HLEN");
			frame += ETH_HLEN;
			len -= ETH_HLEN;
		} else {
			FZ_CHECK(skb->data == d0, "runt pulled");
		}
	}
	check_all(skb, frame, len);
	probe_header_pointer(skb, frame, len, 0, len < 40 ? (int)len : 40);

	/* skb_pull (linear part only) and pskb_pull (anything up to len). */
	{
		unsigned int n = fz_below(&c, skb_headlen(skb) + 1);

		if (n <= skb_headlen(skb)) {
			FZ_CHECK(skb_pull(skb, n) == skb->data, "skb_pull");
			frame += n;
			len -= n;
		} else {
			FZ_CHECK(skb_pull(skb, (unsigned int)len + 1) == NULL, "skb_pull past len");
		}
		check_all(skb, frame, len);
		n = fz_below(&c, (uint32_t)len + 1);
		if (n <= len) {
			FZ_CHECK(pskb_pull(skb, n) != NULL, "pskb_pull(%u) len %zu", n, len);
			frame += n;
			len -= n;
		} else {
			FZ_CHECK(pskb_pull(skb, n) == NULL, "pskb_pull past len");
		}
		check_all(skb, frame, len);
	}

	FZ_CHECK(skb_linearize(skb) == 0, "linearize");
	FZ_CHECK(skb->data_len == 0 && skb_shinfo(skb)->nr_frags == 0, "not linear");
	check_all(skb, frame, len);
	FZ_CHECK(!memcmp(skb->data, frame, len), "linear bytes");
	kfree_skb(skb);

	for (unsigned int i = 0; i < npages; i++) {
		FZ_CHECK(page_ref_count(pages[i]) == 1, "page %u refcount %d after free", i,
			 page_ref_count(pages[i]));
		put_page(pages[i]);
	}
	FZ_CHECK(fz_slab_in_use() == baseline, "objects in use %lu, baseline %lu", fz_slab_in_use(),
		 baseline);
	return 0;
}
