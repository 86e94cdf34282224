// SPDX-License-Identifier: GPL-2.0
/* Counts IPv4 packets and bytes per IP protocol number in an array of 256 entries (key = the
 * protocol byte); everything passes. */
#include "bpfh_helpers.h"

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct counter);
} proto_stats SEC(".maps");

SEC("xdp")
int count_protocols(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 key = ip->protocol;
	struct counter *c = bpf_map_lookup_elem(&proto_stats, &key);
	if (!c)
		return XDP_ABORTED;
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, (__u64)(data_end - data));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
