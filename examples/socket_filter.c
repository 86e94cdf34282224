// SPDX-License-Identifier: GPL-2.0
/* Socket filter: keeps the first 96 bytes of IPv4 TCP segments to or from port 22 and drops
 * everything else. It reads the packet with legacy LD_ABS loads (offsets from the network
 * header, as a socket filter sees it) and the ports with bpf_skb_load_bytes. */
#include "bpfh_helpers.h"

#define SNAP 96

SEC("socket")
int ssh_filter(struct __sk_buff *skb)
{
	if (load_byte(skb, 0) >> 4 != 4)
		return 0;
	if (load_byte(skb, 9) != IPPROTO_TCP)
		return 0;
	__u32 ihl = (load_byte(skb, 0) & 0xf) * 4;
	struct ports p;
	if (bpf_skb_load_bytes(skb, ihl, &p, sizeof(p)) < 0)
		return 0;
	if (p.source != bpf_htons(22) && p.dest != bpf_htons(22))
		return 0;
	return skb->len < SNAP ? skb->len : SNAP;
}

char _license[] SEC("license") = "GPL";
