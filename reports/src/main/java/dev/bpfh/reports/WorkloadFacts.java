package dev.bpfh.reports;

/**
 * What one workload is, independent of timing: its size, the instructions one run executes, and
 * what each engine made of it. Collected once per bench run, outside JMH's timed region.
 *
 * @param program the workload name, as in {@link BenchRun#program()}
 * @param programInsns static size: instructions in the program ({@code lddw} once)
 * @param instructions eBPF instructions one run executes (the interpreter's count, the budget
 *     rule's definition); -1 when unknown (the run trapped or the figure was not collected)
 * @param jit what the JIT generated, or null when the jit backend was not run
 * @param kernel what the kernel verified and JITed, or null when the kernel backend was not run
 * @param helperCalls helper call instructions in the program (bpf-to-bpf calls are not helpers);
 *     -1 when unknown (summaries written before it was collected)
 */
public record WorkloadFacts(String program, int programInsns, long instructions, Jit jit, Kernel kernel,
        int helperCalls) {

    /** Facts without the helper count (unknown, -1). */
    public WorkloadFacts(String program, int programInsns, long instructions, Jit jit, Kernel kernel) {
        this(program, programInsns, instructions, jit, kernel, -1);
    }

    /**
     * The JIT's output, from its {@code Executable.info()}.
     *
     * @param bytecodeBytes JVM bytecode generated, all methods together (0 on fallback)
     * @param methods generated methods (0 on fallback)
     * @param maxMethodBytes the largest generated method (HotSpot compiles only those under 8000 bytes)
     * @param fallback why the program runs on the interpreter instead; empty when it is compiled
     */
    public record Jit(int bytecodeBytes, int methods, int maxMethodBytes, String fallback) {
        public Jit {
            fallback = fallback == null ? "" : fallback;
        }

        public boolean fellBack() {
            return !fallback.isEmpty();
        }
    }

    /**
     * The kernel's view, from its {@code Executable.info()} (the program as loaded for the
     * workload's memory length, wrapper included).
     *
     * @param jitedBytes native code size of the kernel's JIT image
     * @param xlatedInsns instructions after the verifier's rewriting
     * @param verifiedInsns instructions the verifier processed (its state-exploration cost)
     * @param wrapping how the program was wrapped: "xdp" or "map-value"
     */
    public record Kernel(int jitedBytes, int xlatedInsns, int verifiedInsns, String wrapping) {
        public Kernel {
            wrapping = wrapping == null ? "" : wrapping;
        }
    }

    /**
     * Whether the program calls no helper, so its time is the engine's own instruction dispatch;
     * unknown counts as helper-free, as summaries did before the count was collected.
     */
    public boolean helperFree() {
        return helperCalls <= 0;
    }

    /** Executed instructions per static instruction: above 1 only through loops (or calls). */
    public double loopFactor() {
        return instructions > 0 && programInsns > 0 ? (double) instructions / programInsns : Double.NaN;
    }
}
