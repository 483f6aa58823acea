/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The counting XDP program of xdp_count.h: ten instructions, an array map
 * with one {packets, bytes} slot, atomic adds (any CPU may run it).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_count.h"

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/*
 * The restore prologue (see xdp_count.h): the frame's destination MAC
 * becomes @mac, and an IPv4 TTL other than @ttl is set back to it with an
 * RFC 1624 update of the header checksum. Appends to @p, returns the count.
 */
static unsigned int emit_restore(struct bpf_insn *p, const uint8_t mac[6], uint8_t ttl)
{
	/* Stores write immediates in host (little-endian) order. */
	int32_t mac_lo = (int32_t)((uint32_t)mac[0] | (uint32_t)mac[1] << 8 |
				   (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24);
	int32_t mac_hi = (int32_t)((uint32_t)mac[4] | (uint32_t)mac[5] << 8);
	unsigned int n = 0, skip_at[3];

	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);	/* data */
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 4, 0);	/* data_end */
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, 34);	/* Ethernet + IPv4 */
	skip_at[0] = n;
	p[n++] = INSN(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3, 0, 0);
	p[n++] = INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_2, 0, 0, mac_lo);
	p[n++] = INSN(BPF_ST | BPF_MEM | BPF_H, BPF_REG_2, 0, 4, mac_hi);
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_H, BPF_REG_5, BPF_REG_2, 12, 0);
	skip_at[1] = n;
	p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, 0x0008);	/* htons(ETH_P_IP) */
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_B, BPF_REG_5, BPF_REG_2, 22, 0);
	skip_at[2] = n;
	p[n++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_5, 0, 0, ttl);
	/* m = the TTL/protocol word, m' = the same with @ttl, HC = checksum */
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_H, BPF_REG_6, BPF_REG_2, 22, 0);
	p[n++] = INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_6, 0, 0, 16);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_8, BPF_REG_6, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_8, 0, 0, 0xff);
	p[n++] = INSN(BPF_ALU64 | BPF_OR | BPF_K, BPF_REG_8, 0, 0, (int32_t)ttl << 8);
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_H, BPF_REG_9, BPF_REG_2, 24, 0);
	p[n++] = INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_9, 0, 0, 16);
	/* HC' = ~(~HC + ~m + m'), folded to 16 bits twice */
	p[n++] = INSN(BPF_ALU64 | BPF_XOR | BPF_K, BPF_REG_9, 0, 0, 0xffff);
	p[n++] = INSN(BPF_ALU64 | BPF_XOR | BPF_K, BPF_REG_6, 0, 0, 0xffff);
	p[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_9, BPF_REG_6, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_9, BPF_REG_8, 0, 0);
	for (int i = 0; i < 2; i++) {
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_9, 0, 0);
		p[n++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_6, 0, 0, 16);
		p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_9, 0, 0, 0xffff);
		p[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_9, BPF_REG_6, 0, 0);
	}
	p[n++] = INSN(BPF_ALU64 | BPF_XOR | BPF_K, BPF_REG_9, 0, 0, 0xffff);
	p[n++] = INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_9, 0, 0, 16);
	p[n++] = INSN(BPF_STX | BPF_MEM | BPF_H, BPF_REG_2, BPF_REG_9, 24, 0);
	p[n++] = INSN(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_8, 0, 0, 16);
	p[n++] = INSN(BPF_STX | BPF_MEM | BPF_H, BPF_REG_2, BPF_REG_8, 22, 0);
	for (int i = 0; i < 3; i++)
		p[skip_at[i]].off = (int16_t)(n - skip_at[i] - 1);
	return n;
}

int xdp_count_attach(struct xdp_count *c, const char *ifname, int action, const char *prog)
{
	return xdp_count_attach_restore(c, ifname, action, NULL, 0, prog);
}

int xdp_count_attach_restore(struct xdp_count *c, const char *ifname, int action,
			     const uint8_t *mac, uint8_t ttl, const char *prog)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .prog_flags = BPF_F_XDP_HAS_FRAGS);
	struct bpf_insn insns[64];
	unsigned int n = 0;
	int err;

	c->prog_fd = c->map_fd = -1;
	c->attached = false;
	c->ifindex = (int)if_nametoindex(ifname);
	if (!c->ifindex) {
		fprintf(stderr, "%s: no interface %s in this network namespace\n", prog, ifname);
		return -ENODEV;
	}
	c->map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xskb_count", 4, 16, 1, NULL);
	if (c->map_fd < 0) {
		err = c->map_fd;
		fprintf(stderr, "%s: cannot create the counter map: %s\n", prog, strerror(-err));
		return err;
	}
	if (mac)
		n = emit_restore(insns, mac, ttl);
	const struct bpf_insn count[] = {
		/* r7 = data_end - data: the linear length */
		INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_7, BPF_REG_1, 4, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0),
		INSN(BPF_ALU64 | BPF_SUB | BPF_X, BPF_REG_7, BPF_REG_2, 0, 0),
		/* key 0 on the stack; r0 = lookup(map, &key) */
		INSN(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
		INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, c->map_fd),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 3, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_7, 8, BPF_ADD),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, action),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	memcpy(insns + n, count, sizeof(count));
	n += sizeof(count) / sizeof(count[0]);
	c->prog_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xskb_count", "GPL", insns, n, &lo);
	if (c->prog_fd < 0) {
		err = c->prog_fd;
		fprintf(stderr, "%s: cannot load the counting XDP program: %s\n", prog,
			strerror(-err));
		return err;
	}
	err = bpf_xdp_attach(c->ifindex, c->prog_fd,
			     XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err) {
		fprintf(stderr, "%s: cannot attach the XDP program to %s: %s%s\n", prog, ifname,
			strerror(-err), err == -EBUSY ? " (it has an XDP program already)" : "");
		return err;
	}
	c->attached = true;
	return 0;
}

int xdp_count_read(const struct xdp_count *c, uint64_t *packets, uint64_t *bytes)
{
	uint64_t v[2] = { 0, 0 };
	__u32 key = 0;

	if (bpf_map_lookup_elem(c->map_fd, &key, v))
		return -errno;
	*packets = v[0];
	*bytes = v[1];
	return 0;
}

void xdp_count_detach(struct xdp_count *c, const char *prog)
{
	/* XDP_FLAGS_REPLACE with our fd: remove our program and nothing else. */
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao, .old_prog_fd = c->prog_fd);

	if (c->attached) {
		int err = bpf_xdp_attach(c->ifindex, -1, XDP_FLAGS_DRV_MODE | XDP_FLAGS_REPLACE,
					 &ao);

		if (err)
			fprintf(stderr, "%s: detaching the XDP program failed: %s\n", prog,
				strerror(-err));
		c->attached = false;
	}
	if (c->prog_fd >= 0)
		close(c->prog_fd);
	if (c->map_fd >= 0)
		close(c->map_fd);
	c->prog_fd = c->map_fd = -1;
}
