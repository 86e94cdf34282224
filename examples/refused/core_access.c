// SPDX-License-Identifier: GPL-2.0
/* Refused by bpfh: reads a field through a CO-RE relocation (preserve_access_index), which a
 * loader must patch against the running kernel's BTF. bpfh has no CO-RE and never runs
 * unpatched code. */
#include "../bpfh_helpers.h"

struct task_like {
	int pad;
	int pid;
} __attribute__((preserve_access_index));

SEC("xdp")
int core_read(struct xdp_md *ctx)
{
	struct task_like *t = (void *)(long)ctx->data;
	if ((void *)(t + 1) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	return t->pid == 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
