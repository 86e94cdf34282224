// SPDX-License-Identifier: GPL-2.0
/* Logs one 16-byte event per IPv4 packet to a ring buffer (reserve + submit), and one 4-byte
 * record per non-IPv4 frame with bpf_ringbuf_output. Frames shorter than an IPv4 header are
 * reserved and then discarded. Everything passes. */
#include "bpfh_helpers.h"

struct event {
	__be32 saddr;
	__be32 daddr;
	__u16 len;
	__u8 protocol;
	__u8 ttl;
	__u32 ifindex;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int log_packets(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP)) {
		__u32 proto = bpf_ntohs(eth->h_proto);
		bpf_ringbuf_output(&events, &proto, sizeof(proto), 0);
		return XDP_PASS;
	}
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end) {
		bpf_ringbuf_discard(e, 0);
		return XDP_PASS;
	}
	e->saddr = ip->saddr;
	e->daddr = ip->daddr;
	e->len = data_end - data;
	e->protocol = ip->protocol;
	e->ttl = ip->ttl;
	e->ifindex = ctx->ingress_ifindex;
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
