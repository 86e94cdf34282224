/**
 * Loading clang-compiled eBPF ELF objects like libbpf: {@link dev.bpfh.elf.ObjectLoader} reads an
 * object into an {@link dev.bpfh.elf.ObjectFile} (linked programs, their shared maps, initial
 * global data, PROG_ARRAY initialisers). {@link dev.bpfh.elf.ElfFile} and {@link dev.bpfh.elf.Btf}
 * are the defensive readers underneath; every failure is a one-line {@link dev.bpfh.elf.ElfException}.
 */
package dev.bpfh.elf;
