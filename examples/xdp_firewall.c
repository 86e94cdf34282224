// SPDX-License-Identifier: GPL-2.0
/* XDP firewall: drops IPv4 packets whose source address is in a hash blocklist and counts the
 * drops per reason in a per-CPU array. Non-IPv4 and short packets pass. */
#include "bpfh_helpers.h"

enum { REASON_BLOCKED = 0, REASON_MALFORMED = 1, REASON_COUNT = 2 };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __be32);  /* IPv4 source address, network order */
	__type(value, __u8);  /* unused flag */
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, REASON_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

static __always_inline int drop(__u32 reason)
{
	__u64 *count = bpf_map_lookup_elem(&drops, &reason);
	if (count)
		*count += 1;
	return XDP_DROP;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return drop(REASON_MALFORMED);
	if ((ip->ihl_version >> 4) != 4 || (ip->ihl_version & 0xf) < 5)
		return drop(REASON_MALFORMED);
	__be32 saddr = ip->saddr;
	if (bpf_map_lookup_elem(&blocklist, &saddr))
		return drop(REASON_BLOCKED);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
