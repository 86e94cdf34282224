// SPDX-License-Identifier: GPL-2.0
/* tc flow table: counts packets and bytes per IPv4 TCP/UDP 5-tuple in an LRU hash of 64 flows
 * (the least recently used flow is evicted when the table is full). */
#include "bpfh_helpers.h"

struct flow_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 protocol;
	__u8 pad[3];
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

SEC("classifier")
int track_flows(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->ihl_version != 0x45 || (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP))
		return TC_ACT_OK;
	struct ports *p = (void *)(ip + 1);
	if ((void *)(p + 1) > data_end)
		return TC_ACT_OK;
	struct flow_key key = {
		.saddr = ip->saddr,
		.daddr = ip->daddr,
		.sport = p->source,
		.dport = p->dest,
		.protocol = ip->protocol,
	};
	struct flow_stats *s = bpf_map_lookup_elem(&flows, &key);
	if (s) {
		s->packets += 1;
		s->bytes += skb->len;
	} else {
		struct flow_stats init = { .packets = 1, .bytes = skb->len };
		bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
	}
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
