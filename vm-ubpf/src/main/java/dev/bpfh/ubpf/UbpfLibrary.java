package dev.bpfh.ubpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.bpfh.spi.Availability;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The uBPF shared library named by {@value #ENV}, bound with java.lang.foreign on first use (never
 * when a backend is merely constructed, so {@code bpfh} starts as fast without it).
 *
 * <p>Needs a uBPF whose {@code ubpf_exec} returns an int and writes r0 through a pointer, with
 * {@code ubpf_set_instruction_limit} and {@code ubpf_register_stack_usage_calculator} (iovisor/ubpf
 * from 2024 on); an older library is unavailable with the missing symbol named.
 */
final class UbpfLibrary {
    /** Environment variable holding the path of libubpf.so. */
    static final String ENV = "BPFH_UBPF_LIB";

    /**
     * Stack bytes per function frame, told to uBPF through its stack-usage callback: the same 512
     * bytes per call depth as our engines and the kernel (uBPF's default is 256), so that its 4096-byte
     * stack holds exactly its 8 frames.
     */
    static final int FRAME_BYTES = 512;

    final String path;
    final MethodHandle create;       // struct ubpf_vm* ubpf_create(void)
    final MethodHandle destroy;      // void ubpf_destroy(struct ubpf_vm*)
    final MethodHandle register;     // int ubpf_register(vm, unsigned index, const char* name, external_function_t)
    final MethodHandle load;         // int ubpf_load(vm, const void* code, uint32_t len, char** errmsg)
    final MethodHandle exec;         // int ubpf_exec(vm, void* mem, size_t len, uint64_t* r0)
    final MethodHandle compile;      // ubpf_jit_fn ubpf_compile(vm, char** errmsg)
    final MethodHandle setErrorPrint;        // void ubpf_set_error_print(vm, int (*)(FILE*, const char*, ...))
    final MethodHandle setInstructionLimit;  // int ubpf_set_instruction_limit(vm, uint32_t, uint32_t* previous)
    final MethodHandle registerStackUsage;   // int ubpf_register_stack_usage_calculator(vm, fn, void* cookie)
    final MethodHandle toggleBoundsCheck;    // bool ubpf_toggle_bounds_check(vm, bool)
    final MethodHandle free;                 // libc free, for uBPF's malloc'd error strings
    /** Calls a jitted function: {@code uint64_t (*)(void* mem, size_t len)} at the given address. */
    final MethodHandle callJit;
    /** {@link ErrorCapture#print}, or NULL where its calling-convention trick does not hold. */
    final MemorySegment errorPrintStub;
    final MemorySegment stackUsageStub;

    private UbpfLibrary(String path, SymbolLookup lib) throws ReflectiveOperationException {
        Linker linker = Linker.nativeLinker();
        this.path = path;
        create = bind(linker, lib, "ubpf_create", FunctionDescriptor.of(ADDRESS));
        destroy = bind(linker, lib, "ubpf_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        register = bind(linker, lib, "ubpf_register", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        load = bind(linker, lib, "ubpf_load", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        exec = bind(linker, lib, "ubpf_exec", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        compile = bind(linker, lib, "ubpf_compile", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        setErrorPrint = bind(linker, lib, "ubpf_set_error_print", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        setInstructionLimit = bind(linker, lib, "ubpf_set_instruction_limit",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        registerStackUsage = bind(linker, lib, "ubpf_register_stack_usage_calculator",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        toggleBoundsCheck = bind(linker, lib, "ubpf_toggle_bounds_check",
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_BOOLEAN));
        free = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS));
        callJit = linker.downcallHandle(FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG));

        MethodHandles.Lookup lookup = MethodHandles.lookup();
        errorPrintStub = ErrorCapture.supported()
                ? linker.upcallStub(ErrorCapture.handle(),
                        ErrorCapture.DESCRIPTOR, Arena.global())
                : MemorySegment.NULL;
        stackUsageStub = linker.upcallStub(
                lookup.findStatic(UbpfLibrary.class, "stackUsage",
                        MethodType.methodType(int.class, MemorySegment.class, short.class, MemorySegment.class)),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT, ADDRESS), Arena.global());
    }

    /** uBPF's stack-usage callback: every function gets {@link #FRAME_BYTES}. */
    @SuppressWarnings("unused") // called from native code
    private static int stackUsage(MemorySegment vm, short pc, MemorySegment cookie) {
        return FRAME_BYTES;
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new IllegalStateException(
                "has no symbol " + name + " (a uBPF from 2024 or newer is needed)"));
        return linker.downcallHandle(symbol, d);
    }

    /** The bound library, or the reason it is unavailable. Read once per JVM. */
    private static final class Holder {
        static final Object STATE = bindFromEnvironment();
    }

    private static Object bindFromEnvironment() {
        String value = System.getenv(ENV);
        if (value == null || value.isBlank()) {
            return ENV + " is not set (point it at a libubpf.so built from iovisor/ubpf)";
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) {
            return "uBPF backends are supported on Linux only (os.name=" + System.getProperty("os.name") + ")";
        }
        Path file = Path.of(value);
        if (!Files.isRegularFile(file)) {
            return ENV + "=" + value + ": no such file";
        }
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup(file, Arena.global());
            return new UbpfLibrary(file.toString(), lib);
        } catch (IllegalStateException e) {
            return ENV + "=" + value + ": " + e.getMessage();
        } catch (IllegalArgumentException e) {
            return ENV + "=" + value + ": cannot load it: " + e.getMessage();
        } catch (IllegalCallerException e) {
            return "native access is not enabled (java --enable-native-access=ALL-UNNAMED): " + e.getMessage();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return ENV + "=" + value + ": cannot bind uBPF: " + e;
        }
    }

    static Availability availability() {
        return Holder.STATE instanceof UbpfLibrary ? Availability.yes() : Availability.no((String) Holder.STATE);
    }

    /** The library; throws with the reason when it is unavailable. */
    static UbpfLibrary get() {
        if (Holder.STATE instanceof UbpfLibrary lib) {
            return lib;
        }
        throw new IllegalStateException("uBPF unavailable: " + Holder.STATE);
    }
}
