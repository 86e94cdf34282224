// SPDX-License-Identifier: GPL-2.0
/* A map in the legacy "maps" section (struct bpf_map_def, 20 bytes) as older samples and
 * iproute2 declared them. libbpf 1.x refuses these; bpfh reads them (see README.md). Counts
 * frames by length class: < 128, < 512, the rest. */
#include "bpfh_helpers.h"

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") size_classes = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 3,
};

SEC("xdp")
int size_class(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 key = len < 128 ? 0 : len < 512 ? 1 : 2;
	__u64 *n = bpf_map_lookup_elem(&size_classes, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
