// SPDX-License-Identifier: GPL-2.0
/* Removes one 802.1Q tag: moves the two MAC addresses 4 bytes forward over the tag, then drops
 * the first 4 bytes with bpf_xdp_adjust_head. Untagged frames pass unchanged. */
#include "bpfh_helpers.h"

SEC("xdp")
int vlan_strip(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) + sizeof(struct vlan_hdr) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q))
		return XDP_PASS;
	__u8 macs[12];
	__builtin_memcpy(macs, data, 12);
	__builtin_memcpy(data + 4, macs, 12);
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_ABORTED;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
