package dev.bpfh.conformance;

import dev.bpfh.data.DataFile;
import dev.bpfh.isa.Classifier;
import dev.bpfh.isa.CpuVersion;
import dev.bpfh.isa.Group;
import dev.bpfh.isa.Program;
import dev.bpfh.plugin.FailureLine;
import dev.bpfh.plugin.PluginBackend;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.Executable;
import dev.bpfh.spi.LoadOptions;
import dev.bpfh.spi.LoadRejected;
import dev.bpfh.spi.Outcome;
import dev.bpfh.spi.TrapKind;
import java.util.Arrays;
import java.util.Locale;
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
     * Any other text: bpf_conformance semantics, the failure message must equal it: the refusal's or
     * trap's message, or its whole line as {@code bpfh plugin} prints it ({@link FailureLine}).
     */
    record Message(String text) implements Expectation {
        public String describe() {
            return "error \"" + text + "\"";
        }
    }

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
        return new Message(text);
    }

    /** What the backend did, reduced to what the verdict needs. */
    private sealed interface Observed {}

    /** {@code mapDifference}: how the maps after the run differ from the test's expectation, or null. */
    private record Loaded(Outcome outcome, String mapDifference) implements Observed {
        Loaded(Outcome outcome) {
            this(outcome, null);
        }
    }

    /** {@code message} is the full one-line message (with "at pc N"), {@code reason} without the pc. */
    private record Refused(String message, String reason) implements Observed {}

    static TestResult judge(TestCase test, Backend backend, CpuVersion cpu, int groups, LoadOptions loadOptions) {
        String name = backend.name();
        if (test.parseError() != null) {
            return result(test, name, Status.ERROR, "", "", test.parseError(), 0);
        }
        DataFile data = test.data();
        Expectation expected = expectation(data);
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
        long start = System.nanoTime();
        Observed observed;
        byte[] memory = data.memory();
        try (Executable exe = load(backend, data.program(), loadOptions, memory.length)) {
            var initFailure = MapContents.initialise(data, exe);
            if (initFailure.isPresent()) {
                return result(test, name, Status.ERROR, expected.describe(), "", initFailure.get(),
                        System.nanoTime() - start);
            }
            // A plugin refuses only when it runs: runOrRefuse throws that as the LoadRejected below.
            Outcome outcome = PluginBackend.runOrRefuse(exe, memory);
            String mapDifference = outcome instanceof Outcome.Returned && data.expectsMaps()
                    ? MapContents.checkExpected(data, MapContents.snapshot(exe)).orElse(null) : null;
            observed = new Loaded(outcome, mapDifference);
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
            case Loaded(Outcome.Returned(long r0, byte[] ignored), String maps) -> hex(r0);
            case Loaded(Outcome.Trapped t, String maps) -> describe(t);
        };
        Verdict v = decide(expected, observed);
        return result(test, name, v.status(), expected.describe(), actual, v.message(), nanos);
    }

    /**
     * Loads with the test's memory length as a hint: engines that verify against the length (the
     * kernel) then refuse length-dependent programs at load, as REJECTED, instead of at run time.
     */
    static Executable load(Backend backend, Program program, LoadOptions options, int memoryLength) throws LoadRejected {
        return backend.load(program, options.withMemoryLengthHint(memoryLength));
    }

    private record Verdict(Status status, String message) {}

    private static Verdict decide(Expectation expected, Observed observed) {
        return switch (expected) {
            case Result(long want) -> switch (observed) {
                case Refused(String why, String reason) -> new Verdict(Status.REJECTED, why);
                case Loaded(Outcome.Returned(long r0, byte[] ignored), String maps) -> r0 != want
                        ? new Verdict(Status.FAIL, "expected r0 " + hex(want) + " (" + Long.toUnsignedString(want)
                                + "), got " + hex(r0) + " (" + Long.toUnsignedString(r0) + ")")
                        : maps != null ? new Verdict(Status.FAIL, maps) : new Verdict(Status.PASS, "");
                case Loaded(Outcome.Trapped t, String maps) -> new Verdict(Status.ERROR, "unexpected " + describe(t));
            };
            case Rejection() -> switch (observed) {
                case Refused(String why, String reason) -> new Verdict(Status.PASS, "");
                case Loaded(Outcome.Returned(long r0, byte[] ignored), String maps) ->
                        new Verdict(Status.FAIL, "expected the load to be rejected, but it ran and returned " + hex(r0));
                case Loaded(Outcome.Trapped t, String maps) ->
                        new Verdict(Status.FAIL, "expected the load to be rejected, but it ran: " + describe(t));
            };
            case Trap(TrapKind kind, int pc) -> switch (observed) {
                case Refused(String why, String reason) -> new Verdict(Status.REJECTED, why);
                case Loaded(Outcome.Returned(long r0, byte[] ignored), String maps) ->
                        new Verdict(Status.FAIL, "expected " + expected.describe() + ", but it returned " + hex(r0));
                case Loaded(Outcome.Trapped t, String maps) -> t.kind() == kind && (pc < 0 || t.pc() == pc)
                        ? new Verdict(Status.PASS, "")
                        : new Verdict(Status.FAIL, "expected " + expected.describe() + ", got " + describe(t));
            };
            case Message(String text) -> switch (observed) {
                case Refused(String why, String reason) -> why.equals(text) || reason.equals(text)
                        || ("rejected: " + why).equals(text)
                        ? new Verdict(Status.PASS, "")
                        : new Verdict(Status.FAIL, "rejected with \"" + why + "\" but expected \"" + text + "\"");
                case Loaded(Outcome.Trapped t, String maps) -> t.message().equals(text) || FailureLine.of(t).equals(text)
                        ? new Verdict(Status.PASS, "")
                        : new Verdict(Status.FAIL, "failed with \"" + t.message() + "\" but expected \"" + text + "\"");
                case Loaded(Outcome.Returned(long r0, byte[] ignored), String maps) ->
                        new Verdict(Status.FAIL, "returned " + hex(r0) + " but expected the failure \"" + text + "\"");
            };
            case BadTrap ignored -> throw new IllegalStateException("handled before running");
        };
    }

    private static TestResult result(TestCase test, String backend, Status status, String expected, String actual,
            String message, long nanos) {
        return new TestResult(test.id(), backend, status, expected, actual, message, nanos, null, "");
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
