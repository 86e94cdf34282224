package dev.bpfh.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import org.junit.jupiter.api.Test;

/** The two failure lines of {@code bpfh plugin} (README, "bpfh plugin"), written and read back. */
class FailureLineTest {

    @Test
    void aRefusalIsWrittenAsRejectedReasonAtPc() {
        assertEquals("rejected: unknown opcode 0x00 at pc 1", FailureLine.of(new LoadRejected(1, "unknown opcode 0x00", "")));
        assertEquals("rejected: program too long", FailureLine.of(new LoadRejected("program too long")));
    }

    @Test
    void aTrapIsWrittenAsTrapKindAtPcColonMessageOnOneLine() {
        assertEquals("trap OUT_OF_BOUNDS at pc 3: load | of 4 bytes",
                FailureLine.of(new Outcome.Trapped(TrapKind.OUT_OF_BOUNDS, 3, "load\nof 4 bytes")));
    }

    @Test
    void aRejectedLineIsReadBackAsTheRefusalWithPcReasonAndTheOutputAsLog() {
        LoadRejected r = assertInstanceOf(FailureLine.Rejection.class,
                FailureLine.parse("rejected: jump to pc 9 out of range at pc 2", "whole output\n")).rejection();
        assertEquals(2, r.pc());
        assertEquals("jump to pc 9 out of range", r.reason(), "only the last ' at pc N' is the pc");
        assertEquals("jump to pc 9 out of range at pc 2", r.getMessage());
        assertEquals("whole output\n", r.log());
        assertEquals(false, r.unsupported());
    }

    @Test
    void aRejectedLineWithoutPcIsARefusalAboutNoInstruction() {
        LoadRejected r = assertInstanceOf(FailureLine.Rejection.class, FailureLine.parse("rejected: too big", "")).rejection();
        assertEquals(-1, r.pc());
        assertEquals("too big", r.reason());
        assertEquals(-1, assertInstanceOf(FailureLine.Rejection.class, FailureLine.parse("rejected:", "")).rejection().pc());
    }

    @Test
    void aTrapLineIsReadBackAsThatTrap() {
        assertEquals(new Outcome.Trapped(TrapKind.CALL_DEPTH, 12, "ninth frame"),
                assertInstanceOf(FailureLine.Trap.class, FailureLine.parse("trap CALL_DEPTH at pc 12: ninth frame", "")).trapped());
        // The kernel's RUNTIME_ERROR has no pc; a trap with an empty message loses its trailing space
        // to §5.2 step 7's strip.
        assertEquals(new Outcome.Trapped(TrapKind.RUNTIME_ERROR, -1, ""),
                assertInstanceOf(FailureLine.Trap.class, FailureLine.parse("trap RUNTIME_ERROR at pc -1:", "")).trapped());
    }

    @Test
    void everyTrapKindRoundTrips() {
        for (TrapKind kind : TrapKind.values()) {
            Outcome.Trapped t = new Outcome.Trapped(kind, 7, "why");
            assertEquals(t, assertInstanceOf(FailureLine.Trap.class, FailureLine.parse(FailureLine.of(t), "")).trapped());
        }
    }

    @Test
    void anythingElseIsOpaque() {
        for (String line : new String[] {
            "Failed to load code: bad jump", "rejected", "Rejected: x", " rejected: x", "rejectedx: y",
            "trap SEGFAULT at pc 1: x", "trap OUT_OF_BOUNDS at pc 1", "trap out_of_bounds at pc 1: x",
            "trap OUT_OF_BOUNDS at pc 99999999999: x", "trap OUT_OF_BOUNDS at pc -2: x", "error: bad hex", ""}) {
            assertEquals(new FailureLine.Opaque(line), FailureLine.parse(line, ""), line);
        }
    }
}
