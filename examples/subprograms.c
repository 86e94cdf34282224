// SPDX-License-Identifier: GPL-2.0
/* Linking like libbpf: two programs in one section (tail_a, xdp_main) and one in another
 * (tc_main) share .text subprograms: a global one (gsub), a static one (add1, reached through
 * the .text section symbol), a bpf_loop callback (cb, taken by address) and a subprogram that
 * calls another (twice -> add1). Each program gets its own copy of the functions it reaches,
 * appended once each in the order of first reference, depth first (libbpf's order). */
#include "bpfh_helpers.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} results SEC(".maps");

__noinline int gsub(int x)
{
	return x * 3;
}

static int cb(__u64 index, __u64 *acc)
{
	*acc += index;
	return 0;
}

static __noinline int add1(int x)
{
	return x + 1;
}

static __noinline int twice(int x)
{
	return add1(add1(x));
}

SEC("xdp")
int tail_a(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_main(struct xdp_md *ctx)
{
	__u64 acc = 0;
	bpf_loop(4, cb, &acc, 0);
	int v = gsub((int)acc);
	v = add1(v);
	__u32 key = 0;
	__u64 value = v;
	bpf_map_update_elem(&results, &key, &value, BPF_ANY);
	return v == 19 ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int tc_main(struct __sk_buff *skb)
{
	/* twice is reached first and calls add1: depth first, add1 comes before gsub. */
	return gsub(twice(skb->len)) == 3 * skb->len + 6 ? TC_ACT_OK : TC_ACT_SHOT;
}

char _license[] SEC("license") = "GPL";
