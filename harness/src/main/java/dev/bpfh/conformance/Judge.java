package dev.bpfh.conformance;

import dev.bpfh.ctx.ContextLayout;
import dev.bpfh.ctx.PacketContext;
import dev.bpfh.data.DataFile;
import dev.bpfh.isa.Classifier;
import dev.bpfh.isa.CpuVersion;
import dev.bpfh.isa.Group;
import dev.bpfh.isa.Program;
import dev.bpfh.load.LoadedObject;
import dev.bpfh.load.ObjectSetupException;
import dev.bpfh.plugin.FailureLine;
import dev.bpfh.plugin.PluginBackend;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.ProgramType;
import dev.bpfh.spi.TrapKind;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs one test on one backend and decides its status (the rules are in {@link ConformanceRunner}). */
final class Judge {
    private Judge() {}

    /** What the test file asks for. */
    sealed interface Expectation {
        String describe();
    }

    record Result(long r0) implements Expectation {
        public String describe() {
            return hex(r0);
        }
    }

    /** Empty {@code -- error} or {@code rejected}: the load must be refused. */
    record Rejection() implements Expectation {
        public String describe() {
            return "rejected";
        }
    }

    /** {@code trap KIND [at pc N]}; pc is -1 when any pc will do. */
    record Trap(TrapKind kind, int pc) implements Expectation {
        public String describe() {
            return "trap " + kind + (pc >= 0 ? " at pc " + pc : "");
        }
    }

    /**
     * Any other text: another VM's words for a failure. Compared exactly (bpf_conformance semantics:
     * the refusal's or trap's message, or its whole line as {@code bpfh plugin} prints it, see
     * {@link FailureLine}) or, from {@code -- error pattern}, as a regular expression found in it;
     * but only for {@code plugin:} backends and with {@code --exact-messages}. For an in-process
     * engine it means "this program must fail" ({@link #PORTABLE_PASS}).
     */
    record Message(String text, boolean pattern) implements Expectation {
        public String describe() {
            return (pattern ? "error pattern \"" : "error \"") + text + "\"";
        }

        boolean matches(String failure) {
            return pattern ? Pattern.compile(text).matcher(failure).find() : failure.equals(text);
        }
    }

    /**
     * The message of a PASS where an in-process engine failed (refused or trapped) as a
     * {@link Message} expectation requires, without comparing the texts: they are another VM's words.
     */
    static final String PORTABLE_PASS = "failed as required; the message was not compared";

    /** A {@code trap} line naming no trap kind: the test itself is broken. */
    record BadTrap(String text) implements Expectation {
        public String describe() {
            return "error \"" + text + "\"";
        }
    }

    private static final Pattern TRAP = Pattern.compile("trap\\s+(\\S+)(?:\\s+at\\s+pc\\s+(\\d+))?");

    static Expectation expectation(DataFile data) {
        if (data.error().isEmpty()) {
            return new Result(data.result().orElse(0));
        }
        String text = data.error().get();
        String word = text.strip();
        if (word.isEmpty() || word.equalsIgnoreCase("rejected")) {
            return new Rejection();
        }
        Matcher m = TRAP.matcher(word);
        if (m.matches()) {
            try {
                TrapKind kind = TrapKind.valueOf(m.group(1).toUpperCase(Locale.ROOT));
                return new Trap(kind, m.group(2) == null ? -1 : Integer.parseInt(m.group(2)));
            } catch (IllegalArgumentException e) {
                return new BadTrap(text);
            }
        }
        return new Message(text, data.notes().errorIsPattern());
    }

    /** What the backend did, reduced to what the verdict needs. */
    private sealed interface Observed {}

    /**
     * {@code dataDifference}: how the memory (packet) after the run differs from {@code -- data-out},
     * or null; {@code mapDifference}: how the maps differ from the test's expectation, or null.
     */
    private record Loaded(Outcome.Ran outcome, String dataDifference, String mapDifference) implements Observed {}

    /** {@code message} is the full one-line message (with "at pc N"), {@code reason} without the pc. */
    private record Refused(String message, String reason) implements Observed {}

    /**
     * Judges one pair. {@code exactMessages} compares every {@link Message} expectation's text, as it
     * always is for {@code plugin:} backends.
     */
    static TestResult judge(TestCase test, Backend backend, CpuVersion cpu, int groups, LoadOptions loadOptions,
            boolean exactMessages) {
        String name = backend.name();
        if (test.parseError() != null) {
            return result(test, name, Status.ERROR, "", "", test.parseError(), 0);
        }
        DataFile data = test.data();
        Expectation expected = expectation(data);
        Optional<String> declared = declaredSkip(data, backend);
        if (declared.isPresent()) {
            return result(test, name, Status.SKIPPED, expected.describe(), "", declared.get(), 0);
        }
        boolean exact = exactMessages || name.startsWith(PluginBackend.PREFIX);
        Classifier.Classification needs = Classifier.classify(data.program());
        if (!needs.allowedBy(cpu, groups)) {
            return result(test, name, Status.SKIPPED, expected.describe(), "",
                    "needs cpu " + version(needs.version()) + " and groups " + names(needs.groups())
                            + "; the run allows " + version(cpu) + " and " + names(groups), 0);
        }
        if (expected instanceof BadTrap bad) {
            return result(test, name, Status.ERROR, expected.describe(), "",
                    test.path() + ": unknown trap kind in -- error '" + bad.text().strip() + "' (known: "
                            + Arrays.toString(TrapKind.values()) + ")", 0);
        }
        Optional<String> badInput = PacketContext.checkInput(data.programType(), data.input());
        if (badInput.isPresent()) {
            return result(test, name, Status.ERROR, expected.describe(), "", data.displayName()
                    + ": the input cannot be run: " + badInput.get(), 0);
        }
        long start = System.nanoTime();
        Observed observed;
        try (LoadedObject loaded = load(backend, data, loadOptions)) {
            var initFailure = MapContents.initialise(data, loaded);
            if (initFailure.isPresent()) {
                return result(test, name, Status.ERROR, expected.describe(), "", initFailure.get(),
                        System.nanoTime() - start);
            }
            Outcome.Ran outcome = switch (loaded.run(data.input())) {
                case Outcome.Ran ran -> ran;
                // a plugin refuses only when it runs: judged as a refusal at load
                case Outcome.Refused refused -> throw refused.toLoadRejected();
            };
            String dataDifference = outcome instanceof Outcome.Returned r
                    ? (data.dataOut() == null ? Optional.<String>empty() : dataDifference(data.dataOut(), r.memory()))
                            .or(() -> ctxDifference(data, r.ctx())).orElse(null)
                    : null;
            String mapDifference = outcome instanceof Outcome.Returned && data.expectsMaps()
                    ? MapContents.checkExpected(data, MapContents.snapshot(loaded.maps())).orElse(null) : null;
            observed = new Loaded(outcome, dataDifference, mapDifference);
        } catch (ObjectSetupException e) {
            return result(test, name, Status.ERROR, expected.describe(), "", data.displayName() + ": " + e.getMessage(),
                    System.nanoTime() - start);
        } catch (LoadRejected r) {
            if (r.unsupported()) {
                return result(test, name, Status.SKIPPED, expected.describe(), "", "unsupported: " + r.getMessage(),
                        System.nanoTime() - start);
            }
            observed = new Refused(r.getMessage(), r.reason());
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                throw e;
            }
            return result(test, name, Status.ERROR, expected.describe(), "", "backend crashed: " + oneLine(e),
                    System.nanoTime() - start);
        }
        long nanos = System.nanoTime() - start;
        String actual = switch (observed) {
            case Refused(String message, String reason) -> "rejected: " + message;
            case Loaded(Outcome.Returned(long r0, var _, var _), var _, var _) -> hex(r0);
            case Loaded(Outcome.Trapped t, var _, var _) -> describe(t);
        };
        Verdict v = decide(expected, observed, exact);
        return result(test, name, v.status(), expected.describe(), actual, v.message(), nanos);
    }

    /**
     * Loads with the test's memory length as a hint: engines that verify against the length (the
     * kernel) then refuse length-dependent programs at load, as REJECTED, instead of at run time.
     */
    static Executable load(Backend backend, Program program, LoadOptions options, int memoryLength) throws LoadRejected {
        return backend.load(program, options.withMemoryLengthHint(memoryLength));
    }

    /** Loads the test's program, or its {@code -- elf} object with the maps set up (the memory length as a hint). */
    static LoadedObject load(Backend backend, DataFile data, LoadOptions options) throws LoadRejected, ObjectSetupException {
        LoadOptions hinted = options.withMemoryLengthHint(data.memory().length);
        return data.elf().isPresent()
                ? LoadedObject.load(backend, data.elf().get().object(), data.elf().get().program(), hinted)
                : LoadedObject.load(backend, data.program(), hinted);
    }

    /** Where {@code actual} first differs from the expected {@code -- data-out}, or empty when equal. */
    static Optional<String> dataDifference(byte[] want, byte[] actual) {
        int at = Arrays.mismatch(want, actual);
        if (at < 0) {
            return Optional.empty();
        }
        String wantByte = at < want.length ? String.format("%02x", want[at]) : "(end)";
        String gotByte = at < actual.length ? String.format("%02x", actual[at]) : "(end)";
        return Optional.of("data-out differs at byte " + at + ": expected " + wantByte + ", got " + gotByte + " ("
                + want.length + " bytes expected, " + actual.length + " got: " + BackendDiff.hex(actual) + ")");
    }

    /** The first {@code -- ctx-out} field whose value ctx_out does not hold, or empty. */
    static Optional<String> ctxDifference(DataFile data, byte[] ctxOut) {
        if (data.ctxOut().isEmpty()) {
            return Optional.empty();
        }
        if (ctxOut == null) {
            return Optional.of("the backend reported no ctx_out, but -- ctx-out expects " + data.ctxOut());
        }
        ContextLayout layout = ContextLayout.of(data.programType()).orElseThrow();
        for (var e : data.ctxOut().entrySet()) {
            long got = ContextLayout.read(ctxOut, layout.field(e.getKey()).orElseThrow());
            if (got != e.getValue()) {
                return Optional.of("ctx-out field " + e.getKey() + ": expected " + hex(e.getValue()) + ", got " + hex(got));
            }
        }
        return Optional.empty();
    }

    /**
     * Why {@code backend} does not run typed programs (a {@code -- program-type} or {@code -- elf}
     * test), or empty when it does: the plugin protocol and uBPF know only raw programs (memory in
     * r1, length in r2).
     */
    static Optional<String> typedSkip(Backend backend) {
        String name = backend.name();
        if (name.startsWith(PluginBackend.PREFIX)) {
            return Optional.of("plugin protocol has no program types (the program is not raw)");
        }
        if (name.equals("ubpf") || name.equals("ubpf-jit")) {
            return Optional.of(name + " has no program types (no context, no packet helpers; the program is not raw)");
        }
        return Optional.empty();
    }

    /** Why the test file itself says this backend must not run it: not runnable at all, or {@code -- no jit}. */
    static Optional<String> declaredSkip(DataFile data, Backend backend) {
        if (data.notes().notRunnable().isPresent()) {
            return data.notes().notRunnable();
        }
        if (data.programType() != ProgramType.RAW) {
            Optional<String> typed = typedSkip(backend);
            if (typed.isPresent()) {
                return typed;
            }
        }
        if (data.notes().noJit().isPresent() && compilesPrograms(backend)) {
            String why = data.notes().noJit().get();
            return Optional.of("-- no jit: the test is not for JIT engines" + (why.isEmpty() ? "" : " (" + why + ")"));
        }
        return Optional.empty();
    }

    /**
     * The engines uBPF's {@code -- no jit} keeps a test away from: ours that compiles ({@code jit}),
     * and a plugin run with {@code --jit} (uBPF's plugin flag). The kernel backend runs such tests:
     * its verifier, not a JIT, decides what it accepts.
     */
    static boolean compilesPrograms(Backend backend) {
        String name = backend.name();
        if (name.startsWith(PluginBackend.PREFIX)) {
            return Arrays.asList(name.substring(PluginBackend.PREFIX.length()).split("\\s+")).contains("--jit");
        }
        return name.equals("jit");
    }

    private record Verdict(Status status, String message) {}

    private static Verdict decide(Expectation expected, Observed observed, boolean exact) {
        return switch (expected) {
            case Result(long want) -> switch (observed) {
                case Refused(String why, String reason) -> new Verdict(Status.REJECTED, why);
                case Loaded(Outcome.Returned(long r0, var _, var _), String data, String maps) -> r0 != want
                        ? new Verdict(Status.FAIL, "expected r0 " + hex(want) + " (" + Long.toUnsignedString(want)
                                + "), got " + hex(r0) + " (" + Long.toUnsignedString(r0) + ")")
                        : data != null ? new Verdict(Status.FAIL, data)
                        : maps != null ? new Verdict(Status.FAIL, maps) : new Verdict(Status.PASS, "");
                case Loaded(Outcome.Trapped t, var _, var _) -> new Verdict(Status.ERROR, "unexpected " + describe(t));
            };
            case Rejection() -> switch (observed) {
                case Refused(String why, String reason) -> new Verdict(Status.PASS, "");
                case Loaded(Outcome.Returned(long r0, var _, var _), var _, var _) ->
                        new Verdict(Status.FAIL, "expected the load to be rejected, but it ran and returned " + hex(r0));
                case Loaded(Outcome.Trapped t, var _, var _) ->
                        new Verdict(Status.FAIL, "expected the load to be rejected, but it ran: " + describe(t));
            };
            case Trap(TrapKind kind, int pc) -> switch (observed) {
                case Refused(String why, String reason) -> new Verdict(Status.REJECTED, why);
                case Loaded(Outcome.Returned(long r0, var _, var _), var _, var _) ->
                        new Verdict(Status.FAIL, "expected " + expected.describe() + ", but it returned " + hex(r0));
                case Loaded(Outcome.Trapped t, var _, var _) -> t.kind() == kind && (pc < 0 || t.pc() == pc)
                        ? new Verdict(Status.PASS, "")
                        : new Verdict(Status.FAIL, "expected " + expected.describe() + ", got " + describe(t));
            };
            case Message m -> switch (observed) {
                case Refused(String why, String reason) -> m.matches(why) || m.matches(reason) || m.matches("rejected: " + why)
                        ? new Verdict(Status.PASS, "")
                        : exact ? new Verdict(Status.FAIL, "rejected with \"" + why + "\" but expected " + m.describe())
                        : new Verdict(Status.PASS, PORTABLE_PASS);
                case Loaded(Outcome.Trapped t, var _, var _) -> m.matches(t.message()) || m.matches(FailureLine.of(t))
                        ? new Verdict(Status.PASS, "")
                        : exact ? new Verdict(Status.FAIL, "failed with \"" + t.message() + "\" but expected " + m.describe())
                        : new Verdict(Status.PASS, PORTABLE_PASS);
                case Loaded(Outcome.Returned(long r0, var _, var _), var _, var _) ->
                        new Verdict(Status.FAIL, "returned " + hex(r0) + " but expected a failure: " + m.describe());
            };
            case BadTrap ignored -> throw new IllegalStateException("handled before running");
        };
    }

    private static TestResult result(TestCase test, String backend, Status status, String expected, String actual,
            String message, long nanos) {
        String description = test.data() == null ? "" : test.data().notes().description();
        return new TestResult(test.id(), backend, status, expected, actual, message, nanos, null, "", description);
    }

    static String describe(Outcome.Trapped t) {
        return "trap " + t.kind() + (t.pc() >= 0 ? " at pc " + t.pc() : "") + (t.message().isEmpty() ? "" : ": " + t.message());
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    static String version(CpuVersion v) {
        return v.label();
    }

    static String names(int mask) {
        return Group.names(mask);
    }

    static String oneLine(Throwable e) {
        String s = e.toString();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
