package dev.bpfh.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bpfh.conformance.FakeBackend.Crashes;
import dev.bpfh.conformance.FakeBackend.Rejects;
import dev.bpfh.conformance.FakeBackend.Returns;
import dev.bpfh.conformance.FakeBackend.Traps;
import dev.bpfh.conformance.FakeBackend.Unsupported;
import dev.bpfh.isa.CpuVersion;
import dev.bpfh.spi.Availability;
import dev.bpfh.spi.Backend;
import dev.bpfh.spi.TrapKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's decision rules (package documentation), checked with a scripted in-memory backend. */
class ConformanceRunnerTest {

    @TempDir
    Path dir;

    /** {@code mov r0, 42; exit} with the given trailer sections. */
    private Path test(String name, String expectation) throws IOException {
        return write(name + ".data", "-- asm\nmov %r0, 42\nexit\n" + expectation);
    }

    private Path write(String file, String text) throws IOException {
        Path p = dir.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private RunReport run(ConformanceRunner.Options options, Backend... backends) throws Exception {
        return ConformanceRunner.run(options.withPaths(List.of(dir)).withThreads(2), List.of(backends));
    }

    private RunReport run(Backend... backends) throws Exception {
        return run(ConformanceRunner.Options.defaults(), backends);
    }

    private static Map<String, TestResult> byTest(RunReport report, String backend) {
        return report.results().stream()
                .filter(r -> r.backend().equals(backend))
                .collect(Collectors.toMap(TestResult::test, Function.identity()));
    }

    @Nested
    class ResultExpectations {
        @Test
        void equalR0PassesAndOtherR0FailsNamingBoth() throws Exception {
            test("right", "-- result\n0x2a\n");
            test("wrong", "-- result\n0x1\n");
            FakeBackend fake = new FakeBackend("fake").on("right", new Returns(42)).on("wrong", new Returns(2));
            Map<String, TestResult> r = byTest(run(fake), "fake");
            assertEquals(Status.PASS, r.get("right").status());
            assertEquals(Status.FAIL, r.get("wrong").status());
            assertEquals("0x1", r.get("wrong").expected());
            assertEquals("0x2", r.get("wrong").actual());
            assertTrue(r.get("wrong").message().contains("0x1") && r.get("wrong").message().contains("0x2"),
                    r.get("wrong").message());
        }

        @Test
        void allSixtyFourBitsAreCompared() throws Exception {
            test("high", "-- result\n0x8977665544332211\n");
            FakeBackend fake = new FakeBackend("fake").on("high", new Returns(0x8877665544332211L));
            assertEquals(Status.FAIL, byTest(run(fake), "fake").get("high").status());
        }

        @Test
        void trapIsErrorRejectionIsRejectedUnsupportedIsSkippedCrashIsError() throws Exception {
            test("trap", "-- result\n0x2a\n");
            test("reject", "-- result\n0x2a\n");
            test("unsupported", "-- result\n0x2a\n");
            test("crash", "-- result\n0x2a\n");
            FakeBackend fake = new FakeBackend("fake")
                    .on("trap", new Traps(TrapKind.OUT_OF_BOUNDS, 1, "load of 8 bytes"))
                    .on("reject", new Rejects("verifier says no"))
                    .on("unsupported", new Unsupported("no callx"))
                    .on("crash", new Crashes("bug"));
            Map<String, TestResult> r = byTest(run(fake), "fake");
            assertEquals(Status.ERROR, r.get("trap").status());
            assertTrue(r.get("trap").message().contains("OUT_OF_BOUNDS"));
            assertEquals(Status.REJECTED, r.get("reject").status());
            assertTrue(r.get("reject").message().contains("verifier says no"));
            assertEquals(Status.SKIPPED, r.get("unsupported").status());
            assertTrue(r.get("unsupported").message().contains("no callx"));
            assertEquals(Status.ERROR, r.get("crash").status());
            assertTrue(r.get("crash").message().contains("bug"));
        }

        @Test
        void unavailableBackendIsReportedWithItsReasonAndNeverRun() throws Exception {
            test("a", "-- result\n0x2a\n");
            FakeBackend gone = new FakeBackend("gone", Availability.no("EPERM: needs CAP_BPF")).on("a", new Returns(42));
            TestResult r = byTest(run(gone), "gone").get("a");
            assertEquals(Status.UNAVAILABLE, r.status());
            assertEquals("EPERM: needs CAP_BPF", r.message());
        }
    }

    @Nested
    class ErrorVocabulary {
        @Test
        void emptyErrorOrRejectedPassesOnlyWhenTheLoadIsRefused() throws Exception {
            test("empty_refused", "-- error\n");
            test("word_refused", "-- error\nrejected\n");
            test("word_ran", "-- error\nrejected\n");
            FakeBackend fake = new FakeBackend("fake")
                    .on("empty_refused", new Rejects("bad"))
                    .on("word_refused", new Rejects("bad"))
                    .on("word_ran", new Returns(42));
            Map<String, TestResult> r = byTest(run(fake), "fake");
            assertEquals(Status.PASS, r.get("empty_refused").status());
            assertEquals(Status.PASS, r.get("word_refused").status());
            assertEquals(Status.FAIL, r.get("word_ran").status());
        }

        @Test
        void trapKindAndOptionalPcMustMatch() throws Exception {
            test("kind_only", "-- error\ntrap out_of_bounds\n");
            test("kind_and_pc", "-- error\ntrap OUT_OF_BOUNDS at pc 1\n");
            test("wrong_pc", "-- error\ntrap OUT_OF_BOUNDS at pc 0\n");
            test("wrong_kind", "-- error\ntrap CALL_DEPTH\n");
            test("returned", "-- error\ntrap OUT_OF_BOUNDS\n");
            test("bogus_kind", "-- error\ntrap NO_SUCH_KIND\n");
            Traps oob = new Traps(TrapKind.OUT_OF_BOUNDS, 1, "");
            FakeBackend fake = new FakeBackend("fake").on("kind_only", oob).on("kind_and_pc", oob)
                    .on("wrong_pc", oob).on("wrong_kind", oob).on("returned", new Returns(42)).on("bogus_kind", oob);
            Map<String, TestResult> r = byTest(run(fake), "fake");
            assertEquals(Status.PASS, r.get("kind_only").status());
            assertEquals(Status.PASS, r.get("kind_and_pc").status());
            assertEquals(Status.FAIL, r.get("wrong_pc").status());
            assertEquals(Status.FAIL, r.get("wrong_kind").status());
            assertEquals(Status.FAIL, r.get("returned").status());
            assertEquals(Status.ERROR, r.get("bogus_kind").status());
        }

        @Test
        void withExactMessagesOtherTextMustEqualTheFailureMessage() throws Exception {
            test("same", "-- error\nFailed to load code: bad jump\n");
            test("different", "-- error\nFailed to load code: bad jump\n");
            test("refused_same", "-- error\nbad jump\n");
            test("succeeded", "-- error\nFailed to load code: bad jump\n");
            FakeBackend fake = new FakeBackend("fake")
                    .on("same", new Traps(TrapKind.RUNTIME_ERROR, -1, "Failed to load code: bad jump"))
                    .on("different", new Traps(TrapKind.RUNTIME_ERROR, -1, "Failed to load code: bad jump!"))
                    .on("refused_same", new Rejects("bad jump"))
                    .on("succeeded", new Returns(0));
            Map<String, TestResult> r = byTest(run(ConformanceRunner.Options.defaults().withExactMessages(true), fake), "fake");
            assertEquals(Status.PASS, r.get("same").status());
            assertEquals(Status.FAIL, r.get("different").status());
            assertEquals(Status.PASS, r.get("refused_same").status(), "the reason without its pc counts as the message");
            assertEquals(Status.FAIL, r.get("succeeded").status(), "unlike bpf_conformance, exit 0 never passes an error test");
        }
    }

    @Nested
    class Classification {
        // 0xb7 mov r0, 0; 0x16 jeq32 r0, 0, +0 (v3, isa.md §3.3); 0x95 exit.
        private static final String JMP32 = "-- raw\n0x00000000000000b7\n0x0000000000000016\n0x0000000000000095\n-- result\n0x0\n";
        // 0x8d callx r0 (group callx, isa.md §3.2).
        private static final String CALLX = "-- raw\n0x00000000000000b7\n0x000000000000008d\n0x0000000000000095\n-- result\n0x0\n";

        @Test
        void aTestNeedingANewerCpuIsSkippedWithTheReasonAndNeverLoaded() throws Exception {
            write("jmp32.data", JMP32);
            FakeBackend fake = new FakeBackend("fake").on("jmp32", new Crashes("must not be loaded"));
            RunReport report = run(ConformanceRunner.Options.defaults().withCpu(CpuVersion.V2), fake);
            TestResult r = byTest(report, "fake").get("jmp32");
            assertEquals(Status.SKIPPED, r.status());
            assertTrue(r.message().contains("v3") && r.message().contains("v2"), r.message());
            assertEquals(1, report.exitCode(), "a skip outside the manifest is never a pass");
        }

        @Test
        void aTestNeedingAnExcludedGroupIsSkippedAndTheDefaultGroupsIncludeCallx() throws Exception {
            write("callx.data", CALLX);
            FakeBackend fake = new FakeBackend("fake");
            RunReport narrow = run(ConformanceRunner.Options.defaults().withGroups(ConformanceRunner.parseGroups("base64")), fake);
            assertEquals(Status.SKIPPED, byTest(narrow, "fake").get("callx").status());
            assertEquals(Status.PASS, byTest(run(fake), "fake").get("callx").status());
        }

        @Test
        void groupsAndCpuVersionsAreParsedOrRefusedWithOneLine() throws Exception {
            assertEquals(0xff, ConformanceRunner.parseGroups("all"));
            assertEquals(0x01 | 0x02 | 0x80, ConformanceRunner.parseGroups("base64, callx"));
            assertThrows(ConformanceException.class, () -> ConformanceRunner.parseGroups("base128"));
            assertEquals(CpuVersion.V3, ConformanceRunner.parseCpu("v3"));
            assertThrows(ConformanceException.class, () -> ConformanceRunner.parseCpu("v9"));
        }
    }

    @Nested
    class MalformedFiles {
        @Test
        void aMalformedFileIsErrorOnEveryBackendWithFileAndLineAndTheRunGoesOn() throws Exception {
            write("broken.data", "-- asm\nmov %r0, 42\nfrobnicate %r1\nexit\n-- result\n0x2a\n");
            test("fine", "-- result\n0x2a\n");
            FakeBackend a = new FakeBackend("a").on("fine", new Returns(42));
            FakeBackend b = new FakeBackend("b", Availability.no("not here"));
            RunReport report = run(a, b);
            for (String backend : List.of("a", "b")) {
                TestResult broken = byTest(report, backend).get("broken");
                assertEquals(Status.ERROR, broken.status());
                assertTrue(broken.message().contains("broken.data:3:"), broken.message());
            }
            assertEquals(Status.PASS, byTest(report, "a").get("fine").status());
            assertEquals(4, report.results().size());
        }
    }

    @Nested
    class Manifest {
        @Test
        void listedRejectionIsExpectedButUnlistedOneFailsTheRun() throws Exception {
            test("refused", "-- result\n0x2a\n");
            FakeBackend fake = new FakeBackend("fake").on("refused", new Rejects("loop"));
            RunReport unlisted = run(fake);
            assertEquals(1, unlisted.exitCode());
            assertEquals(1, unlisted.summaries().getFirst().failed());

            Path manifest = write("known.txt", "# known problems\nrefused REJECTED loops are refused  # why\n");
            RunReport listed = run(ConformanceRunner.Options.defaults().withManifests(List.of(manifest)), fake);
            assertEquals(0, listed.exitCode());
            RunReport.Summary s = listed.summaries().getFirst();
            assertEquals(0, s.failed());
            assertEquals(1, s.rejected());
            assertEquals(1, s.rejectedAsListed());
            assertEquals("loops are refused", listed.results().getFirst().listedReason());
        }

        @Test
        void listedSkipIsExpectedAndAListedPassIsNotedAsStale() throws Exception {
            test("skipped", "-- result\n0x2a\n");
            test("fixed", "-- result\n0x2a\n");
            Path manifest = write("fake.expect", "skipped SKIPPED no feature\nfixed REJECTED was broken\n");
            FakeBackend fake = new FakeBackend("fake").on("skipped", new Unsupported("no feature")).on("fixed", new Returns(42));
            RunReport report = run(ConformanceRunner.Options.defaults().withManifests(List.of(manifest)), fake);
            assertEquals(0, report.exitCode());
            assertTrue(report.notes().stream().anyMatch(n -> n.contains("fixed") && n.contains("unexpected pass; remove from manifest")),
                    report.notes().toString());
        }

        @Test
        void aPairListedAsSkippedIsNotRunAtAll() throws Exception {
            test("slow", "-- result\n0x2a\n");
            Path manifest = write("fake.expect", "slow SKIPPED the verifier needs seconds for this one\n");
            // Were it run, the crash would make it an ERROR.
            FakeBackend fake = new FakeBackend("fake").on("slow", new Crashes("must not be loaded"));
            RunReport report = run(ConformanceRunner.Options.defaults().withManifests(List.of(manifest)), fake);
            TestResult r = report.results().getFirst();
            assertEquals(Status.SKIPPED, r.status());
            assertTrue(r.asListed(), r.toString());
            assertEquals(0, report.exitCode());
        }

        @Test
        void aFileNamedAfterABackendCoversOnlyThatBackend() throws Exception {
            test("refused", "-- result\n0x2a\n");
            Path manifest = write("kernel.expect", "refused REJECTED verifier\n");
            FakeBackend kernel = new FakeBackend("kernel").on("refused", new Rejects("loop"));
            FakeBackend other = new FakeBackend("other").on("refused", new Rejects("loop"));
            RunReport report = run(ConformanceRunner.Options.defaults().withManifests(List.of(manifest)), kernel, other);
            assertTrue(byTest(report, "kernel").get("refused").asListed());
            assertTrue(byTest(report, "other").get("refused").failed());
            assertEquals(1, report.exitCode());
        }

        @Test
        void aListingWithAnotherStatusDoesNotCover() throws Exception {
            test("odd", "-- result\n0x2a\n");
            Path manifest = write("m.txt", "odd REJECTED expected a rejection\n");
            FakeBackend fake = new FakeBackend("fake").on("odd", new Unsupported("no"));
            RunReport report = run(ConformanceRunner.Options.defaults().withManifests(List.of(manifest)), fake);
            assertEquals(1, report.exitCode());
        }

        @Test
        void qualifiersDefaultsAndErrors() throws Exception {
            ExpectationManifest m = ExpectationManifest.parse("m", "kernel", List.of(
                    "a SKIPPED plain",
                    "jit/b rejected qualified",
                    "*/c REJECTED everywhere",
                    "kernel/ubpf/d REJECTED by path",
                    "plugin:/opt/ubpf_plugin/e SKIPPED plugin"));
            assertEquals("kernel", m.lookup("kernel", "a", "a").orElseThrow().backend());
            assertTrue(m.lookup("interp", "a", "a").isEmpty());
            assertEquals(Status.REJECTED, m.lookup("jit", "b", "b").orElseThrow().status());
            assertTrue(m.lookup("kernel", "b", "b").isEmpty());
            assertTrue(m.lookup("interp", "c", "c").isPresent());
            assertTrue(m.lookup("kernel", "ubpf/d", "d").isPresent());
            assertTrue(m.lookup("kernel", "other/d", "d").isEmpty(), "a path entry names only that path");
            assertTrue(m.lookup("plugin:/opt/ubpf_plugin", "e", "e").isPresent());

            ConformanceException bad = assertThrows(ConformanceException.class,
                    () -> ExpectationManifest.parse("x.expect", null, List.of("# ok", "a PASSED nope")));
            assertTrue(bad.getMessage().startsWith("x.expect:2: "), bad.getMessage());
            assertThrows(ConformanceException.class, () -> ExpectationManifest.parse("x", null, List.of("lonely")));
        }
    }

    @Nested
    class Output {
        private RunReport mixed() throws Exception {
            test("pass", "-- result\n0x2a\n");
            test("fail", "-- result\n0x1\n");
            test("skip", "-- result\n0x2a\n");
            test("err", "-- result\n0x2a\n");
            FakeBackend fake = new FakeBackend("fake").on("pass", new Returns(42)).on("fail", new Returns(42))
                    .on("skip", new Unsupported("nope")).on("err", new Traps(TrapKind.FELL_OFF_END, 2, "<msg & \"x\">"));
            FakeBackend good = new FakeBackend("good").on("pass", new Returns(42)).on("fail", new Returns(1))
                    .on("skip", new Returns(42)).on("err", new Returns(42));
            return run(fake, good);
        }

        @Test
        void exitCodeIsZeroOnlyWithoutFailuresOrUnlistedSkips() throws Exception {
            test("pass", "-- result\n0x2a\n");
            FakeBackend fake = new FakeBackend("fake").on("pass", new Returns(42));
            assertEquals(0, run(fake).exitCode());
            assertEquals(1, mixed().exitCode());
        }

        @Test
        void unavailableFailsTheRunOnlyWhenRequired() throws Exception {
            test("pass", "-- result\n0x2a\n");
            FakeBackend gone = new FakeBackend("gone", Availability.no("EPERM"));
            assertEquals(0, run(gone).exitCode());
            assertEquals(1, run(ConformanceRunner.Options.defaults().withRequireAvailable(true), gone).exitCode());
        }

        @Test
        void matrixEndsWithOneSummaryLinePerBackendAndFailuresComeFirst() throws Exception {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            mixed().printMatrix(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String text = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("fake: 1 passed, 2 failed, 1 skipped\n"), text);
            assertTrue(text.contains("good: 4 passed, 0 failed, 0 skipped\n"), text);
            assertTrue(text.contains("0 rejected (0 as listed in the manifest), 0 unavailable"), text);
            assertTrue(text.indexOf("\nerr ") < text.indexOf("\npass "), "failing rows before passing rows:\n" + text);
        }

        @Test
        void jsonHasAHeaderAndOneRecordPerPair() throws Exception {
            Path json = dir.resolve("out/results.json");
            mixed().writeJson(json);
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
            assertEquals("v4", tree.get("header").get("cpu").asText());
            assertEquals(List.of("fake", "good"), List.of(tree.get("header").get("backends").get(0).asText(),
                    tree.get("header").get("backends").get(1).asText()));
            assertTrue(tree.get("header").hasNonNull("date"));
            assertEquals(8, tree.get("results").size());
            var first = tree.get("results").get(0);
            for (String field : List.of("test", "backend", "status", "expected", "actual", "message", "duration")) {
                assertTrue(first.has(field), field);
            }
        }

        @Test
        void junitXmlIsOneParseableFilePerBackendWithFailureErrorAndSkipped() throws Exception {
            Path out = dir.resolve("junit");
            mixed().writeJunitXml(out);
            var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(out.resolve("TEST-bpfh-fake.xml").toFile());
            var suite = doc.getDocumentElement();
            assertEquals("testsuite", suite.getTagName());
            assertEquals("4", suite.getAttribute("tests"));
            assertEquals("1", suite.getAttribute("failures"));
            assertEquals("1", suite.getAttribute("errors"));
            assertEquals("1", suite.getAttribute("skipped"));
            assertEquals(4, doc.getElementsByTagName("testcase").getLength());
            assertEquals(1, doc.getElementsByTagName("failure").getLength());
            assertEquals(1, doc.getElementsByTagName("error").getLength());
            assertEquals(1, doc.getElementsByTagName("skipped").getLength());
            assertTrue(Files.exists(out.resolve("TEST-bpfh-good.xml")));
        }

        @Test
        void optionsWriteTheFilesTheyName() throws Exception {
            test("pass", "-- result\n0x2a\n");
            Path json = dir.resolve("o/r.json");
            Path junit = dir.resolve("o/junit");
            FakeBackend fake = new FakeBackend("plugin:/bin/x --y");
            run(ConformanceRunner.Options.defaults().withJson(json).withJunitXml(junit), fake);
            assertTrue(Files.size(json) > 0);
            assertTrue(Files.exists(junit.resolve("TEST-bpfh-plugin__bin_x_--y.xml")));
        }
    }

    @Nested
    class Plugins {
        @Test
        void aPluginNamedOnTheCommandLineIsRunAndItsMessageMatchesErrorTextExactly() throws Exception {
            // A plugin that answers 2a to every program except one it "refuses" the uBPF way.
            Path plugin = write("plugin.sh", """
                    #!/bin/sh
                    IFS= read -r program
                    case "$program" in
                      "b7  00  00  00  07  "*) echo 'Failed to load code: seven'; exit 1 ;;
                    esac
                    echo 2a
                    """);
            plugin.toFile().setExecutable(true);
            Path tests = dir.resolve("t");
            write("t/answer.data", "-- asm\nmov %r0, 42\nexit\n-- result\n0x2a\n");
            write("t/refused.data", "-- asm\nmov %r0, 7\nexit\n-- error\nFailed to load code: seven\n");
            write("t/wrong_text.data", "-- asm\nmov %r0, 7\nexit\n-- error\nFailed to load code: eight\n");
            String name = "plugin:" + plugin;
            RunReport report = ConformanceRunner.run(ConformanceRunner.Options.defaults()
                    .withPaths(List.of(tests)).withBackends(List.of(name)));
            Map<String, TestResult> r = byTest(report, name);
            assertEquals(Status.PASS, r.get("answer").status(), r.get("answer").message());
            assertEquals(Status.PASS, r.get("refused").status(), r.get("refused").message());
            assertEquals(Status.FAIL, r.get("wrong_text").status());
        }

        @Test
        void bpfhPluginsRejectedAndTrapLinesAreJudgedLikeInProcessRefusalsAndTraps() throws Exception {
            // Answers like `bpfh plugin`: mov r0, 7 is "refused", mov r0, 8 "traps" at pc 1.
            Path plugin = write("like-bpfh.sh", """
                    #!/bin/sh
                    IFS= read -r program
                    case "$program" in
                      "b7  00  00  00  07  "*) echo 'rejected: seven is unlucky at pc 0'; exit 1 ;;
                      "b7  00  00  00  08  "*) echo 'trap OUT_OF_BOUNDS at pc 1: eight'; exit 1 ;;
                    esac
                    echo 2a
                    """);
            plugin.toFile().setExecutable(true);
            Path tests = dir.resolve("t");
            write("t/refused.data", "-- asm\nmov %r0, 7\nexit\n-- error\nrejected\n");
            write("t/refused_empty_error.data", "-- asm\nmov %r0, 7\nexit\n-- error\n\n");
            write("t/refused_line.data", "-- asm\nmov %r0, 7\nexit\n-- error\nrejected: seven is unlucky at pc 0\n");
            write("t/refused_result.data", "-- asm\nmov %r0, 7\nexit\n-- result\n0x7\n");
            write("t/refused_not_trap.data", "-- asm\nmov %r0, 7\nexit\n-- error\ntrap OUT_OF_BOUNDS\n");
            write("t/trap.data", "-- asm\nmov %r0, 8\nexit\n-- error\ntrap OUT_OF_BOUNDS at pc 1\n");
            write("t/trap_other_pc.data", "-- asm\nmov %r0, 8\nexit\n-- error\ntrap OUT_OF_BOUNDS at pc 0\n");
            write("t/trap_line.data", "-- asm\nmov %r0, 8\nexit\n-- error\ntrap OUT_OF_BOUNDS at pc 1: eight\n");
            write("t/trap_message.data", "-- asm\nmov %r0, 8\nexit\n-- error\neight\n");
            write("t/ran_not_refused.data", "-- asm\nmov %r0, 9\nexit\n-- error\nrejected\n");
            String name = "plugin:" + plugin;
            Map<String, TestResult> r = byTest(ConformanceRunner.run(ConformanceRunner.Options.defaults()
                    .withPaths(List.of(tests)).withBackends(List.of(name)).withThreads(2)), name);
            for (String pass : List.of("refused", "refused_empty_error", "refused_line", "trap", "trap_line", "trap_message")) {
                assertEquals(Status.PASS, r.get(pass).status(), pass + ": " + r.get(pass).message());
            }
            assertEquals(Status.REJECTED, r.get("refused_result").status());
            assertEquals("rejected: seven is unlucky at pc 0", r.get("refused_result").actual());
            assertEquals(Status.REJECTED, r.get("refused_not_trap").status());
            assertEquals(Status.FAIL, r.get("trap_other_pc").status());
            assertEquals(Status.FAIL, r.get("ran_not_refused").status());
        }

        @Test
        void theDifferentialRunnerShowsAPluginRefusalAsNotRun() throws Exception {
            Path plugin = write("refuses.sh", "#!/bin/sh\ncat >/dev/null\necho 'rejected: no at pc 0'\nexit 1\n");
            plugin.toFile().setExecutable(true);
            BackendDiff.Observation o = BackendDiff.observe(new dev.bpfh.plugin.PluginBackend(plugin.toString()),
                    dev.bpfh.isa.Program.of("p", 0xb7, 0x95), new byte[0], ConformanceRunner.DEFAULT_LOAD);
            assertEquals(new BackendDiff.Observation.NotRun("plugin:" + plugin, "rejected: no at pc 0"), o);
        }
    }

    @Nested
    class Paths {
        @Test
        void directoriesAreSearchedRecursivelyInSortedOrderAndIdsStayUnique() throws Exception {
            Path a = write("root/b/x.data", "");
            write("root/a.data", "");
            write("root/b/notes.txt", "");
            Path other = write("other/x.data", "");
            List<Corpus.Entry> found = Corpus.collect(List.of(dir.resolve("root"), other));
            assertEquals(List.of("a", "b/x", "x"), found.stream().map(Corpus.Entry::id).toList());
            assertEquals(a, found.get(1).path());
            assertThrows(ConformanceException.class, () -> Corpus.collect(List.of(dir.resolve("missing"))));
        }

        @Test
        void aRunWithoutTestFilesIsAnInputError() throws Exception {
            Files.createDirectories(dir.resolve("empty"));
            ConformanceException e = assertThrows(ConformanceException.class, () -> ConformanceRunner.run(
                    ConformanceRunner.Options.defaults().withPaths(List.of(dir.resolve("empty"))), List.of(new FakeBackend("fake"))));
            assertTrue(e.getMessage().contains("no .data files"), e.getMessage());
        }

        @Test
        void unknownBackendIsAOneLineError() {
            ConformanceException e = assertThrows(ConformanceException.class,
                    () -> ConformanceRunner.resolveBackends(List.of("nosuch"), java.time.Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("nosuch"));
        }
    }
}
