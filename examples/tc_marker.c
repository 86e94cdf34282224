// SPDX-License-Identifier: GPL-2.0
/* tc classifier: marks IPv4 traffic by DSCP class. Expedited forwarding (DSCP 46) gets mark
 * 0xef and priority 6; other non-zero DSCP values get mark 0x10 + dscp and priority 1; best
 * effort keeps its mark. Remembers the DSCP in cb[0]. Always TC_ACT_OK. */
#include "bpfh_helpers.h"

SEC("tc")
int tc_marker(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	__u32 dscp = ip->tos >> 2;
	skb->cb[0] = dscp;
	if (dscp == 46) {
		skb->mark = 0xef;
		skb->priority = 6;
	} else if (dscp != 0) {
		skb->mark = 0x10 + dscp;
		skb->priority = 1;
	}
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
