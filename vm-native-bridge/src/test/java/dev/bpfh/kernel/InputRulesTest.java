package dev.bpfh.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PacketContext#checkInput}, the one place the userspace engines decide which inputs
 * test_run refuses, held to the kernel: for every input below, our rule says EINVAL/E2BIG/ENODEV
 * exactly when the kernel's BPF_PROG_TEST_RUN fails with that errno, and nothing when it runs.
 * (Inputs the userspace engines refuse only because they do not model them, such as XDP fragments,
 * say so without an errno and are not compared.)
 */
class InputRulesTest {
    @BeforeEach
    void kernel() {
        KernelAssumptions.requireKernel();
    }

    private static byte[] frame(int length, int ethertype) {
        byte[] f = new byte[length];
        if (length >= 14) {
            f[12] = (byte) (ethertype >> 8);
            f[13] = (byte) ethertype;
        }
        return f;
    }

    private static byte[] ctx(ProgramType type, String field, long value, int packetLength) {
        ContextLayout l = ContextLayout.of(type).orElseThrow();
        byte[] c = new byte[l.size()];
        if (type == ProgramType.XDP) {
            ContextLayout.write(c, l.field("data_end").orElseThrow(), packetLength);
        }
        ContextLayout.write(c, l.field(field).orElseThrow(), value);
        return c;
    }

    private static List<RunInput> inputs(ProgramType type) {
        List<RunInput> in = new ArrayList<>();
        for (int len : new int[] {13, 14, 15, 33, 34, 53, 54, 60, 1514, 3520, 3712, 3713}) {
            for (int ethertype : new int[] {0x0800, 0x86dd, 0x0806, 0x0100}) {
                in.add(RunInput.of(frame(len, ethertype)));
            }
        }
        // an empty ctx_in is EINVAL, a short one is zero-extended (found by bpfh fuzz --profile packet)
        in.add(new RunInput(frame(64, 0x0800), new byte[0]));
        byte[] shortCtx = new byte[type == ProgramType.XDP ? 8 : 1];
        shortCtx[type == ProgramType.XDP ? 4 : 0] = (byte) (type == ProgramType.XDP ? 64 : 0); // xdp: data_end
        in.add(new RunInput(frame(64, 0x0800), shortCtx));
        if (type == ProgramType.XDP) {
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "data", 4, 64)));
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "data", 6, 64)));
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "data", 220, 64)));
            // the packet after the metadata must hold an Ethernet header (found by bpfh fuzz --profile packet)
            for (int[] metaLen : new int[][] {{4, 17}, {4, 18}, {8, 21}, {8, 22}, {12, 25}, {12, 26}}) {
                in.add(new RunInput(frame(metaLen[1], 0x0800), ctx(type, "data", metaLen[0], metaLen[1])));
            }
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "data_meta", 4, 64)));
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "egress_ifindex", 1, 64)));
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "ingress_ifindex", 1, 64)));
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "rx_queue_index", 1, 64)));
        } else {
            for (String f : new String[] {"mark", "priority", "cb0", "cb4", "tstamp", "len", "pkt_type", "hash",
                    "tc_index", "napi_id", "queue_mapping"}) {
                in.add(new RunInput(frame(64, 0x0800), ctx(type, f, 1, 64)));
            }
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "wire_len", 10, 64)));
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "wire_len", 70000, 64)));
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "gso_segs", 70000, 64)));
            in.add(new RunInput(frame(64, 0x0800), ctx(type, "ifindex", 1, 64)));
        }
        return in; // (a ctx_in longer than the struct is E2BIG: the test_run buffer here holds only the struct)
    }

    @Test
    void ourInputRulesAreTheKernelsForEveryProgramType() throws Exception {
        int compared = 0;
        for (ProgramType type : new ProgramType[] {ProgramType.XDP, ProgramType.SCHED_CLS, ProgramType.SOCKET_FILTER}) {
            try (Bpf bpf = new Bpf();
                 TypedProgram p = TypedProgram.load(bpf, "input_rules", type, Typed.asm(type, "mov r0, 0\nexit\n").slots())) {
                for (RunInput in : inputs(type)) {
                    Optional<String> ours = PacketContext.checkInput(type, in);
                    if (ours.isPresent() && !ours.get().matches("E[A-Z0-9]+: .*")) {
                        continue; // not modelled by the userspace engines: nothing to compare
                    }
                    if (in.data().length > (type == ProgramType.XDP ? PacketContext.XDP_MAX_LINEAR : PacketContext.SKB_MAX_DATA)) {
                        continue; // past the test_run buffer the backend allocates (ours says why it is refused)
                    }
                    int errno = p.errnoWithoutChecks(in);
                    String kernel = errno == 0 ? "ok" : Errno.name(errno);
                    String mine = ours.map(r -> r.substring(0, r.indexOf(':'))).orElse("ok");
                    assertEquals(kernel, mine, type.word() + " " + in.data().length + "-byte frame, ethertype "
                            + String.format("%02x%02x", in.data().length > 13 ? in.data()[12] : 0,
                                    in.data().length > 13 ? in.data()[13] : 0)
                            + (in.ctx() == null ? "" : ", ctx " + java.util.HexFormat.of().formatHex(in.ctx()))
                            + ": ours " + ours.orElse("ok"));
                    compared++;
                }
            }
        }
        assertTrue(compared > 100, "compared " + compared);
    }
}
