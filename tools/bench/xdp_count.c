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

int xdp_count_attach(struct xdp_count *c, const char *ifname, int action, const char *prog)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .prog_flags = BPF_F_XDP_HAS_FRAGS);
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
	const struct bpf_insn insns[] = {
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

	c->prog_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xskb_count", "GPL", insns,
				   sizeof(insns) / sizeof(insns[0]), &lo);
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
