// SPDX-License-Identifier: GPL-2.0
/* Configuration in .rodata (const volatile, set by the loader before load), counters in .data
 * and .bss, and a static variable reached through the section symbol: drops frames longer than
 * max_frame and frames of blocked_proto, counts passes and drops. */
#include "bpfh_helpers.h"

const volatile __u32 max_frame = 1514;
const volatile __u8 blocked_proto = IPPROTO_UDP;
const volatile __u8 verdict_on_block = XDP_DROP;

__u64 passed = 0;          /* .bss */
__u64 dropped = 0;         /* .bss */
__u32 generation = 7;      /* .data */
static volatile __u64 last_len; /* .bss, a static: relocated through the section symbol */

SEC("xdp")
int xdp_config(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = data_end - data;
	last_len = len;
	if (len > max_frame) {
		dropped++;
		return XDP_DROP;
	}
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_IP) &&
	    ip->protocol == blocked_proto) {
		dropped++;
		return verdict_on_block;
	}
	passed++;
	return generation == 7 ? XDP_PASS : XDP_ABORTED;
}

char _license[] SEC("license") = "GPL";
