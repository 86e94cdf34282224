// SPDX-License-Identifier: GPL-2.0
/* Truncates every frame longer than 64 bytes to its first 64 bytes (a snap length, as a
 * sampling tap would) with bpf_xdp_adjust_tail, and sends it back out (XDP_TX). */
#include "bpfh_helpers.h"

#define SNAP_LEN 64

SEC("xdp")
int truncate_tail(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;
	if (len <= SNAP_LEN)
		return XDP_TX;
	if (bpf_xdp_adjust_tail(ctx, SNAP_LEN - len))
		return XDP_ABORTED;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
