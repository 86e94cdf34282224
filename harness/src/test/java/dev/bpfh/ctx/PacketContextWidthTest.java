package dev.bpfh.ctx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bpfh.exec.Memory;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.RunInput;
import org.junit.jupiter.api.Test;

/**
 * A ctx_in field wider than what the kernel keeps loses its upper bytes: gso_size is a u16 in
 * skb_shared_info, so ctx_in gso_size = 0x05060708 reads back as 0x0708 at every load size
 * (vm-native-bridge's TcContextTest measures these values on the kernel; bpfh fuzz --profile packet
 * found the engines reading 1 at byte 178 after ctx_in gso_size = 0x10000).
 */
class PacketContextWidthTest {

    static long load(ProgramType type, long gsoSize, int offset, int bytes) {
        ContextLayout l = ContextLayout.of(type).orElseThrow();
        byte[] ctx = new byte[l.size()];
        ContextLayout.write(ctx, l.field("gso_size").orElseThrow(), gsoSize);
        byte[] frame = new byte[64];
        frame[12] = 0x08;
        Memory memory = new Memory();
        int region = memory.allocateRegions(1);
        PacketContext p = PacketContext.start(type, new RunInput(frame, ctx), memory, region);
        return p.load(l.check(offset, bytes, false), p.ctxAddress(), 0);
    }

    @Test
    void gsoSizeKeepsSixteenBitsOfCtxIn() {
        for (ProgramType type : new ProgramType[] {ProgramType.SCHED_CLS, ProgramType.SOCKET_FILTER}) {
            assertEquals(0x708, load(type, 0x05060708L, 176, 4));
            assertEquals(0x708, load(type, 0x05060708L, 176, 2));
            assertEquals(0x708, load(type, 0x05060708L, 178, 2)); // a load as wide as the kernel field: all of it (§4.4)
            assertEquals(0x07, load(type, 0x05060708L, 177, 1));
            assertEquals(0, load(type, 0x05060708L, 178, 1));
            assertEquals(0, load(type, 0x10000L, 178, 1));
            assertEquals(0, load(type, 0x10000L, 176, 4));
        }
    }
}
