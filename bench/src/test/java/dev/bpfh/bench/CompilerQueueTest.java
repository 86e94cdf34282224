package dev.bpfh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CompilerQueueTest {

    @Test
    void idleWhenNothingRunsAndEveryQueueIsEmpty() {
        assertEquals(Boolean.TRUE, CompilerQueue.idle("Current compiles: \n\nC1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n"));
    }

    @Test
    void busyWhileACompilationRuns() {
        assertEquals(Boolean.FALSE, CompilerQueue.idle("""
                Current compiles:\s
                C2 CompilerThread0  1428   !   4       dev.bpfh.interp.Interpreter::execute (6816 bytes)

                C1 compile queue:
                Empty

                C2 compile queue:
                Empty
                """));
    }

    @Test
    void busyWhileATaskIsQueued() {
        assertEquals(Boolean.FALSE, CompilerQueue.idle("""
                Current compiles:\s

                C1 compile queue:
                1784       2       java.util.HashMap::put (13 bytes)

                C2 compile queue:
                Empty
                """));
    }

    @Test
    void unknownTextIsNotReadAsIdleOrBusy() {
        assertNull(CompilerQueue.idle("Unknown diagnostic command"));
    }

    @Test
    void thisJvmAnswersAndGoesIdle() {
        // The running JVM's own answer: the command exists on HotSpot and the compilers settle.
        assertTrue(IterationClock.waitForCompilers(30_000_000_000L), "HotSpot's compilers never went idle within 30 s");
    }
}
