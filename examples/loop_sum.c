// SPDX-License-Identifier: GPL-2.0
/* Sums the first 32 payload bytes after the Ethernet header with bpf_loop (the callback is a
 * .text subprogram passed by address), folds the sum with a global bpf-to-bpf subprogram, and
 * stores it in an array; the XDP verdict is PASS when the folded sum is even. */
#include "bpfh_helpers.h"

struct loop_ctx {
	void *payload;
	void *data_end;
	__u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sums SEC(".maps");

static int add_byte(__u64 index, struct loop_ctx *lc)
{
	__u8 *p = lc->payload + (index & 31);
	if ((void *)(p + 1) > lc->data_end)
		return 1; /* stop: past the end of the packet */
	lc->sum += *p;
	return 0;
}

__noinline __u64 fold16(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	return (sum & 0xffff) + (sum >> 16);
}

SEC("xdp")
int loop_sum(struct xdp_md *ctx)
{
	struct loop_ctx lc = {
		.payload = (void *)(long)ctx->data + sizeof(struct ethhdr),
		.data_end = (void *)(long)ctx->data_end,
		.sum = 0,
	};
	long calls = bpf_loop(32, add_byte, &lc, 0);
	__u32 key = 0;
	__u64 folded = fold16(lc.sum + (calls << 8));
	bpf_map_update_elem(&sums, &key, &folded, BPF_ANY);
	return folded & 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
