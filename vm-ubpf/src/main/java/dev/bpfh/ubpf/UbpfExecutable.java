package dev.bpfh.ubpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.bpfh.exec.Helper;
import dev.bpfh.exec.Helpers;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Program;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.TreeSet;

/**
 * One uBPF VM with one program loaded (and compiled, for the JIT). A run copies the input into a
 * native buffer, runs uBPF on it, and copies it back, so the memory after the run compares with the
 * other engines'. Native memory and helper upcalls live in this executable's arena, released by
 * {@link #close()} after {@code ubpf_destroy}.
 */
public final class UbpfExecutable implements Executable {
    private static final FunctionDescriptor HELPER = FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle CALL_HELPER;

    static {
        try {
            CALL_HELPER = MethodHandles.lookup().findStatic(UbpfExecutable.class, "callHelper", MethodType.methodType(
                    long.class, UbpfExecutable.class, Helper.class, long.class, long.class, long.class, long.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final UbpfLibrary lib;
    private final String name;
    private final boolean jit;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment returnValue;
    private final RunContext context;
    private MemorySegment vm;
    private MemorySegment jitted = MemorySegment.NULL;
    private MemorySegment buffer;
    private String helperFailure;

    private UbpfExecutable(UbpfLibrary lib, Program program, LoadOptions options, boolean jit) {
        this.lib = lib;
        this.name = program.name();
        this.jit = jit;
        this.returnValue = arena.allocate(JAVA_LONG);
        this.buffer = arena.allocate(64);
        // Helpers 5, 7 and 8 touch no memory, but a RunContext needs one (its empty map set reserves
        // no region in it); uBPF's own pointers are native, never addresses in this Memory.
        this.context = new RunContext(new Memory(), options.randomSeed());
    }

    static UbpfExecutable load(UbpfLibrary lib, Program program, LoadOptions options, boolean jit) throws LoadRejected {
        UbpfExecutable e = new UbpfExecutable(lib, program, options, jit);
        try {
            e.prepare(program, options);
            return e;
        } catch (LoadRejected | RuntimeException | Error x) {
            e.close();
            throw x;
        } catch (Throwable t) {
            e.close();
            throw new IllegalStateException("uBPF call failed: " + t, t);
        }
    }

    private void prepare(Program program, LoadOptions options) throws Throwable {
        vm = (MemorySegment) lib.create.invokeExact();
        if (vm.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("ubpf_create returned NULL");
        }
        if (!lib.errorPrintStub.equals(MemorySegment.NULL)) {
            lib.setErrorPrint.invokeExact(vm, lib.errorPrintStub);
        }
        check((int) lib.registerStackUsage.invokeExact(vm, lib.stackUsageStub, MemorySegment.NULL),
                "ubpf_register_stack_usage_calculator");
        int limit = (int) Math.min(options.instructionBudget(), Integer.MAX_VALUE);
        check((int) lib.setInstructionLimit.invokeExact(vm, limit, MemorySegment.NULL), "ubpf_set_instruction_limit");
        registerHelpers(program);

        byte[] code = program.toBytes();
        MemorySegment codeSegment = arena.allocate(Math.max(code.length, 1));
        MemorySegment.copy(code, 0, codeSegment, JAVA_BYTE, 0, code.length);
        MemorySegment errmsg = arena.allocate(ADDRESS);
        ErrorCapture.take();
        int rc = (int) lib.load.invokeExact(vm, codeSegment, code.length, errmsg);
        if (rc != 0) {
            throw UbpfMessages.rejected("ubpf_load", joined(takeError(errmsg), ErrorCapture.take()));
        }
        if (jit) {
            jitted = (MemorySegment) lib.compile.invokeExact(vm, errmsg);
            if (jitted.equals(MemorySegment.NULL)) {
                throw UbpfMessages.rejected("ubpf_compile", joined(takeError(errmsg), ErrorCapture.take()));
            }
        }
        ErrorCapture.take();
    }

    /**
     * Registers each basic helper (5, 7, 8) the program names in a {@code call} (uBPF's loader
     * refuses a call to an index with no function). The map and packet helpers of
     * {@link Helpers#standard()} are not offered: they take pointers into our tagged memory, while
     * uBPF passes native addresses. Other ids stay unregistered, so uBPF refuses them.
     */
    private void registerHelpers(Program program) throws Throwable {
        Helpers standard = Helpers.basic();
        TreeSet<Integer> ids = new TreeSet<>();
        for (long slot : program.slots()) {
            if (Insn.opcode(slot) == Opcodes.CALL_IMM && Insn.src(slot) == 0 && standard.has(Insn.imm(slot))) {
                ids.add(Insn.imm(slot));
            }
        }
        Linker linker = Linker.nativeLinker();
        for (int id : ids) {
            MethodHandle target = MethodHandles.insertArguments(CALL_HELPER, 0, this, standard.get(id));
            MemorySegment stub = linker.upcallStub(target, HELPER, arena);
            check((int) lib.register.invokeExact(vm, id, arena.allocateFrom(standard.name(id)), stub), "ubpf_register");
        }
    }

    /** A helper upcall; must never throw (an exception in an upcall ends the JVM). */
    @SuppressWarnings("unused") // called from native code
    private static long callHelper(UbpfExecutable self, Helper helper, long r1, long r2, long r3, long r4, long r5) {
        try {
            return helper.call(self.context, r1, r2, r3, r4, r5, -1);
        } catch (Throwable t) {
            if (self.helperFailure == null) {
                self.helperFailure = String.valueOf(t.getMessage());
            }
            return 0;
        }
    }

    /** uBPF's malloc'd error string (freed here), or empty. */
    private String takeError(MemorySegment errmsg) throws Throwable {
        MemorySegment p = errmsg.get(ADDRESS, 0);
        if (p.equals(MemorySegment.NULL)) {
            return "";
        }
        String s = p.reinterpret(Integer.MAX_VALUE).getString(0);
        lib.free.invokeExact(p);
        errmsg.set(ADDRESS, 0, MemorySegment.NULL);
        return s;
    }

    private static String joined(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "; " + b;
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw new IllegalStateException(what + " failed (" + rc + ")");
        }
    }

    @Override
    public Outcome run(byte[] memory) {
        if (vm == null) {
            throw new IllegalStateException("executable is closed");
        }
        if (buffer.byteSize() < memory.length) {
            buffer = arena.allocate(Math.max(memory.length, buffer.byteSize() * 2));
        }
        MemorySegment.copy(memory, 0, buffer, JAVA_BYTE, 0, memory.length);
        context.startRun();
        helperFailure = null;
        long r0;
        try {
            if (jit) {
                r0 = (long) lib.callJit.invokeExact(jitted, buffer, (long) memory.length);
            } else {
                int rc = (int) lib.exec.invokeExact(vm, buffer, (long) memory.length, returnValue);
                if (rc != 0) {
                    return UbpfMessages.trapped(ErrorCapture.take());
                }
                r0 = returnValue.get(JAVA_LONG, 0);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("uBPF call failed: " + t, t);
        }
        if (helperFailure != null) {
            return new Outcome.Trapped(TrapKind.HELPER_FAILED, -1, helperFailure);
        }
        MemorySegment.copy(buffer, JAVA_BYTE, 0, memory, 0, memory.length);
        return new Outcome.Returned(r0, memory);
    }

    @Override
    public Map<String, Object> info() {
        return Map.of("library", lib.path, "mode", jit ? "uBPF JIT (no bounds checks, no instruction limit)"
                : "uBPF interpreter");
    }

    @Override
    public void close() {
        MemorySegment v = vm;
        vm = null;
        if (v != null && !v.equals(MemorySegment.NULL)) {
            try {
                lib.destroy.invokeExact(v);
            } catch (Throwable t) {
                throw new IllegalStateException("ubpf_destroy failed: " + t, t);
            }
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return (jit ? "ubpf-jit:" : "ubpf:") + name;
    }
}
