// SPDX-License-Identifier: GPL-2.0
/* Refused by bpfh: a global initialised with the address of another global. clang leaves a
 * relocation in .rel.data that nothing can resolve: global data holds no addresses at run time
 * (libbpf skips such relocations and the program would read a meaningless link-time value). */
#include "../bpfh_helpers.h"

__u32 target = 1;
__u32 *pointer = &target;

SEC("xdp")
int read_through_pointer(struct xdp_md *ctx)
{
	return pointer == 0 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
