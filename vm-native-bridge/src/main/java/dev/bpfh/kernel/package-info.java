/**
 * The Linux kernel as a bpfh backend ("kernel"): bpf() through libc {@code syscall} with
 * java.lang.foreign (no JNI, no libbpf), programs verified and JIT-compiled by the kernel and run
 * with BPF_PROG_TEST_RUN.
 *
 * <ul>
 *   <li>{@link dev.bpfh.kernel.Bpf}: typed PROG_LOAD, PROG_TEST_RUN, MAP_*, OBJ_GET_INFO_BY_FD;
 *       {@link dev.bpfh.kernel.Fd} closes fds; {@link dev.bpfh.kernel.BpfException} names the errno.
 *   <li>{@code TypedProgram}: an XDP, tc or socket-filter program loaded as its own type and run
 *       with test_run's data_in/data_out and ctx_in/ctx_out.
 *   <li>{@link dev.bpfh.kernel.Wrapping}: how a raw "r1 = memory, r2 = length" program becomes a
 *       kernel program (XDP packet, or ARRAY map value) and returns all 64 bits of r0.
 *   <li>{@code KernelMapSet}: the maps one program (or one object's programs) share;
 *       {@code KernelMap}, {@code RingConsumer}: a program's maps as {@link dev.bpfh.spi.MapView}
 *       over the map syscalls and the ring buffer mmap; {@code Btf}: the synthetic BTF func_info
 *       callbacks need; {@code CpuPin}: runs on CPU 0 (sched_setaffinity).
 *   <li>{@link dev.bpfh.kernel.KernelBackend} / {@link dev.bpfh.kernel.KernelExecutable}: the SPI,
 *       plus in-kernel timing and the kernel's JIT/verifier numbers for benchmarks.
 *   <li>{@link dev.bpfh.kernel.KernelRequirement}: {@code BPFH_REQUIRE_KERNEL=1} turns
 *       unavailability into failure.
 * </ul>
 *
 * <p>Run JVMs with {@code --enable-native-access=ALL-UNNAMED}.
 */
package dev.bpfh.kernel;
