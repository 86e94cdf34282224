package dev.bpfh.jit;

import dev.bpfh.ctx.ContextAccesses;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.exec.Helpers;
import dev.bpfh.exec.Memory;
import dev.bpfh.exec.RunContext;
import dev.bpfh.interp.InterpreterBackend;
import dev.bpfh.isa.Insn;
import dev.bpfh.isa.Opcodes;
import dev.bpfh.isa.Program;
import dev.bpfh.isa.Validator;
import dev.bpfh.maps.MapSet;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.ProgramType;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code jit} backend: each program becomes one hidden class of JVM bytecode (see
 * {@link Compiler}), with its maps created at load in the executable's memory. If a program cannot
 * be compiled within the JVM's limits (constant pool, method size), it runs on the interpreter
 * instead ({@link FallbackExecutable}) and {@code info().get("fallback")} says why.
 */
public final class JitBackend implements Backend {
    /** HotSpot's HugeMethodLimit: methods with more bytecode than this are never JIT-compiled. */
    public static final int HUGE_METHOD_LIMIT = 8000;
    /** First region size target; halved on retry if a method came out over the limit anyway. */
    static final int REGION_TARGET = 6000;
    /** Smallest region target tried before giving up and falling back to the interpreter. */
    static final int MIN_REGION_TARGET = 500;

    private final int regionTarget;

    public JitBackend() {
        this(REGION_TARGET);
    }

    /** For tests: a small target forces the split (region) form on small programs. */
    JitBackend(int regionTarget) {
        this.regionTarget = regionTarget;
    }

    @Override
    public String name() {
        return "jit";
    }

    @Override
    public String description() {
        return "eBPF to JVM bytecode (java.lang.classfile), one hidden class per program";
    }

    @Override
    public Availability probe() {
        return Availability.yes();
    }

    @Override
    public Executable load(Program program, LoadOptions options) throws LoadRejected {
        return compile(program, options, Helpers.standard());
    }

    /** Loads with a helper table other than the standard one (embedders, tests). */
    public Executable compile(Program program, LoadOptions options, Helpers helpers) throws LoadRejected {
        return compile(program, options, helpers, null);
    }

    /**
     * Programs that share one memory, map set and run context (an ELF object's collection): a tail
     * call through a PROG_ARRAY continues in a sibling with the same memory and maps
     * ({@link TailCalls}). If one of them cannot be compiled, the whole set runs on the interpreter.
     */
    @Override
    public List<Executable> loadAll(List<Program> programs, LoadOptions options) throws LoadRejected {
        return ProgramSet.load(this, programs, options, Helpers.standard());
    }

    /** Compiles {@code program} alone ({@code set} null) or as a member of {@code set}. */
    Executable compile(Program program, LoadOptions options, Helpers helpers, ProgramSet set) throws LoadRejected {
        Validator.validate(program, helpers);
        ContextAccesses ctx = program.type() == ProgramType.RAW ? null : ContextAccesses.find(program);
        long start = System.nanoTime();
        String failure;
        // The maps live in this Memory; a bad definition is a refusal here, before any compiling.
        Memory memory = set == null ? new Memory() : set.memory();
        MapSet maps = set == null ? MapSet.create(program, memory) : set.maps();
        // r1 of a typed program: a region reserved here and never mapped (PacketContext)
        int ctxRegion = ctx == null ? -1 : set == null ? memory.allocateRegions(1) : set.ctxRegion();
        long[] pseudoValues = new long[program.length()];
        for (int pc = 0; pc < program.length(); pc++) {
            long w = program.slot(pc);
            if (Insn.opcode(w) == Opcodes.LDDW) {
                if (Insn.src(w) != 0) {
                    pseudoValues[pc] = maps.lddwValue(program, pc);
                }
                pc++;
            }
        }
        try {
            Cfg cfg = new Cfg(program.slots());
            ArrayLookups lookups = ArrayLookups.find(cfg, maps.views(), helpers);
            failure = "no attempt";
            for (int target = regionTarget; ; target /= 2) {
                Compiler compiler = new Compiler(cfg, helpers, target, options.instructionBudget(), pseudoValues, ctx,
                        lookups);
                compiler.inSet = set != null;
                byte[] bytes = compiler.build();
                Sizes sizes = Sizes.of(bytes);
                if (sizes.maxMethod() > HUGE_METHOD_LIMIT) {
                    failure = "largest method " + sizes.maxMethod() + " bytes exceeds " + HUGE_METHOD_LIMIT;
                    if (target / 2 < MIN_REGION_TARGET) {
                        break;
                    }
                    continue;
                }
                JitExecutable e = define(cfg, compiler, bytes, sizes, memory, maps, helpers, options,
                        System.nanoTime() - start, set);
                e.typed(program.type(), ctxRegion, PacketContext.startsOnFrame(program));
                return e;
            }
        } catch (RuntimeException | LinkageError e) {
            // Class-file limits (constant pool, code length) surface as IllegalArgumentException;
            // anything else is a compiler bug, still recorded rather than hidden.
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (ReflectiveOperationException e) {
            failure = e.toString();
        }
        return fallback(program, options, helpers, failure);
    }

    private static JitExecutable define(Cfg cfg, Compiler compiler, byte[] bytes, Sizes sizes, Memory memory,
            MapSet maps, Helpers helpers, LoadOptions options, long compileNanos, ProgramSet set)
            throws ReflectiveOperationException {
        RunState state = new RunState();
        RunContext context = set == null ? new RunContext(memory, options.randomSeed(), maps) : set.context();
        Linkage linkage = new Linkage(memory, context, state, helpers.toArray());
        List<Object> data = new ArrayList<>(compiler.classData);
        data.set(0, linkage);
        MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClassWithClassData(bytes, data, true);
        MethodHandle entry;
        try {
            entry = lookup.findStatic(lookup.lookupClass(), Compiler.ENTRY_NAME,
                    MethodType.methodType(long.class, long.class, long.class));
        } catch (Throwable t) {
            throw new IllegalStateException("cannot instantiate the compiled class", t);
        }
        MethodType fn = MethodType.methodType(long.class, int.class, long.class, long.class, long.class,
                long.class, long.class, long.class, long.class, long.class, long.class, long.class);
        JitCallbacks callbacks = null;
        if (cfg.hasCallbacks || set != null) { // a set switches callers at every entry: each member has one
            MethodHandle[] byPc = new MethodHandle[cfg.slots.length];
            if (cfg.hasCallbacks) {
                for (var e : cfg.functionAt.entrySet()) {
                    byPc[e.getKey()] = lookup.findStatic(lookup.lookupClass(), Compiler.fnName(e.getValue()), fn);
                }
            }
            callbacks = new JitCallbacks(state, byPc);
            if (set == null) {
                context.setFunctionCaller(callbacks);
            }
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("engine", "jit");
        info.put("bytecodeBytes", sizes.total());
        info.put("methods", sizes.methods());
        info.put("maxMethodBytes", sizes.maxMethod());
        info.put("classBytes", bytes.length);
        info.put("splitFunctions", compiler.plans.stream().filter(Compiler.FnPlan::split).count());
        info.put("compileMicros", compileNanos / 1000);
        info.put("inlineLookups", compiler.lookups.size());
        info.put("packetReadOnly", !compiler.packetWritable);
        info.put("budgetFree", compiler.budgetFree);
        info.put("splitSums", compiler.splitSums);
        int frames = cfg.hasLocalCalls ? Memory.MAX_FRAMES : 1;
        JitExecutable executable = new JitExecutable(entry, linkage, maps,
                options.instructionBudget() * compiler.budgetScale, frames,
                compiler.frameWriteFloor, !compiler.packetWritable, info);
        state.self = executable;
        executable.linkEntry(lookup.findStatic(lookup.lookupClass(), Compiler.fnName(cfg.functionAt.get(0)), fn), compiler.budgetScale,
                callbacks);
        return executable;
    }

    private static Executable fallback(Program program, LoadOptions options, Helpers helpers, String reason)
            throws LoadRejected {
        return new FallbackExecutable(InterpreterBackend.compile(program, options, helpers), reason);
    }

    /** Bytecode sizes of a built class, measured by parsing it back. */
    record Sizes(int total, int methods, int maxMethod) {
        static Sizes of(byte[] bytes) {
            ClassModel model = ClassFile.of().parse(bytes);
            int total = 0;
            int max = 0;
            int n = 0;
            for (MethodModel m : model.methods()) {
                var code = m.findAttribute(Attributes.code());
                if (code.isPresent()) {
                    int len = ((CodeAttribute) code.get()).codeLength();
                    total += len;
                    max = Math.max(max, len);
                    n++;
                }
            }
            return new Sizes(total, n, max);
        }
    }
}
