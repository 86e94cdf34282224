// SPDX-License-Identifier: GPL-2.0
/* A tail-call pipeline: xdp_entry jumps to stage_eth (slot 0), which jumps to stage_ip
 * (slot 1), which jumps to stage_verdict (slot 2). The PROG_ARRAY is filled by its
 * initialiser in the object, as libbpf does. Each stage counts itself in `hops`; a failed tail
 * call (empty slot) passes the packet. stage_verdict drops UDP and passes the rest. */
#include "bpfh_helpers.h"

int stage_eth(struct xdp_md *ctx);
int stage_ip(struct xdp_md *ctx);
int stage_verdict(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} jmp_table SEC(".maps") = {
	.values = {
		[0] = (void *)&stage_eth,
		[1] = (void *)&stage_ip,
		[2] = (void *)&stage_verdict,
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hops SEC(".maps");

static __always_inline void count(__u32 stage)
{
	__u64 *n = bpf_map_lookup_elem(&hops, &stage);
	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
	count(3);
	bpf_tail_call(ctx, &jmp_table, 0);
	return XDP_PASS;
}

SEC("xdp")
int stage_eth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	count(0);
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	bpf_tail_call(ctx, &jmp_table, 1);
	return XDP_PASS;
}

SEC("xdp")
int stage_ip(struct xdp_md *ctx)
{
	count(1);
	bpf_tail_call(ctx, &jmp_table, 2);
	return XDP_PASS;
}

SEC("xdp")
int stage_verdict(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	count(2);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	return ip->protocol == IPPROTO_UDP ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
