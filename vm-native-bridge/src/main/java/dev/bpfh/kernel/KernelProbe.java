package dev.bpfh.kernel;

import dev.bpfh.isa.Insn;
import dev.bpfh.spi.Availability;

/**
 * Whether bpf() works here, found once per process by loading and running {@code r0 = 2; exit}
 * as XDP: that needs the syscall (ENOSYS otherwise), permission (EPERM/EACCES without CAP_BPF and
 * CAP_NET_ADMIN) and a working PROG_TEST_RUN.
 */
final class KernelProbe {
    private KernelProbe() {}

    private static volatile Availability cached;

    static Availability availability() {
        Availability a = cached;
        if (a == null) {
            a = probe();
            cached = a;
        }
        return a;
    }

    private static Availability probe() {
        String unbound = LibC.unavailableReason();
        if (unbound != null) {
            return Availability.no(unbound);
        }
        long[] trivial = {Insn.encode(0xb7, 0, 0, 0, 2), Insn.encode(0x95, 0, 0, 0, 0)};
        try (Bpf bpf = new Bpf()) {
            Bpf.LoadAttempt a = bpf.progLoad(Bpf.PROG_TYPE_XDP, trivial, "bpfh_probe", 0, 0);
            if (!a.ok()) {
                return Availability.no(switch (a.errno()) {
                    case Errno.EPERM, Errno.EACCES -> "bpf() not permitted: " + Errno.name(a.errno())
                            + " (needs CAP_BPF and CAP_NET_ADMIN, e.g. root; unprivileged BPF is usually disabled)";
                    case Errno.ENOSYS -> "bpf() syscall missing: ENOSYS (kernel without CONFIG_BPF_SYSCALL, or seccomp)";
                    default -> "bpf(BPF_PROG_LOAD) probe failed: " + Errno.name(a.errno());
                });
            }
            try (Fd prog = a.fd()) {
                var segIn = bpf.allocate(Wrapping.MIN_PACKET);
                Bpf.TestRun r = bpf.progTestRun(prog.value(), segIn, null, 1);
                if (r.retval() != 2) {
                    return Availability.no("bpf(BPF_PROG_TEST_RUN) probe returned " + r.retval() + ", expected 2");
                }
            }
            return Availability.yes();
        } catch (BpfException e) {
            return Availability.no("bpf() probe: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            return Availability.no("bpf() probe failed: " + e);
        }
    }
}
