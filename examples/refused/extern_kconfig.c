// SPDX-License-Identifier: GPL-2.0
/* Refused by bpfh: refers to an extern (a Kconfig value libbpf would supply at load). bpfh
 * resolves no externs, kconfig or ksym symbols. */
#include "../bpfh_helpers.h"

extern unsigned int LINUX_KERNEL_VERSION __attribute__((section(".kconfig")));

SEC("xdp")
int kernel_version_gate(struct xdp_md *ctx)
{
	return LINUX_KERNEL_VERSION >= 0x060000 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
