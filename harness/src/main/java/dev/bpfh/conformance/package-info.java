/**
 * The conformance runner: runs {@code .data} tests on backends and gates on the result, plus the
 * differential runner that compares backends with each other.
 *
 * <h2>API</h2>
 *
 * <pre>{@code
 * RunReport report = ConformanceRunner.run(ConformanceRunner.Options.defaults()
 *         .withPaths(List.of(Path.of("tests")))          // empty: the built-in corpus
 *         .withBackends(List.of("interp", "plugin:./ubpf_plugin --jit"))  // empty: every available built-in
 *         .withCpu(ConformanceRunner.parseCpu("v3"))
 *         .withGroups(ConformanceRunner.parseGroups("base64,callx"))
 *         .withManifests(List.of(Path.of("kernel.expect")))
 *         .withJson(Path.of("conformance.json"))
 *         .withJunitXml(Path.of("target/bpfh-junit"))
 *         .withProgress(System.err));
 * report.printMatrix(System.out);
 * System.exit(report.exitCode());
 *
 * DiffReport diff = BackendDiff.run(BackendDiff.Options.defaults().withPaths(paths).withMemoryHex("aabb"));
 * diff.printTable(System.out);
 * System.exit(diff.exitCode());
 * }</pre>
 *
 * <p>Input problems the user must fix (missing path, unknown backend or group, malformed manifest)
 * are {@link dev.bpfh.conformance.ConformanceException}s with a one-line message. A malformed
 * {@code .data} file is not: it is ERROR on every backend with its {@code file:line: reason}, and
 * the run goes on.
 *
 * <h2>Statuses, per (test, backend)</h2>
 *
 * <ul>
 *   <li><b>SKIPPED</b> before running when the program needs a newer cpu version or a group outside
 *       the enabled mask (isa.md §3.4 classification; defaults v4 and every group, callx and
 *       packet included, so that the built-in corpus runs fully), or when the backend's load says {@code LoadRejected.unsupported()}.
 *   <li><b>UNAVAILABLE</b> when a named backend's {@code probe()} fails; by default the run only
 *       uses available built-in backends and notes the others.
 *   <li>Otherwise the program is loaded (own {@code Executable} per pair) and run once on a copy of
 *       the file's memory, and the file's expectation decides:
 * </ul>
 *
 * <table>
 *   <caption>Expectation (first matching row) and verdicts</caption>
 *   <tr><th>test file says</th><th>PASS iff</th><th>otherwise</th></tr>
 *   <tr><td>{@code -- result V} (or nothing: 0)</td><td>returned r0 == V (64 bits)</td>
 *       <td>FAIL (other r0), ERROR (trapped), REJECTED (load refused)</td></tr>
 *   <tr><td>{@code -- error} empty, or {@code rejected}</td><td>the load was refused</td><td>FAIL</td></tr>
 *   <tr><td>{@code -- error} {@code trap KIND} / {@code trap KIND at pc N}</td>
 *       <td>the run trapped with that {@link dev.bpfh.spi.TrapKind} (case-insensitive) and pc</td>
 *       <td>FAIL, REJECTED (load refused); an unknown KIND is ERROR</td></tr>
 *   <tr><td>{@code -- error} any other text (or {@code -- error pattern} REGEX)</td>
 *       <td>another VM's words. For an in-process engine ({@code interp}, {@code jit},
 *       {@code kernel}): the program must fail, so a load refusal or a trap passes (the result
 *       keeps both texts, {@link dev.bpfh.conformance.TestResult#passedWithoutComparingMessages}).
 *       For {@code plugin:} backends, and for every backend with {@code exactMessages}:
 *       bpf_conformance semantics, the one-line failure message equals the text (or contains a match
 *       of the pattern); the whole line as {@code bpfh plugin} prints it ({@code rejected: ...},
 *       {@code trap KIND at pc N: ...}) matches too</td><td>FAIL</td></tr>
 * </table>
 *
 * <p>Before any of that, a test the file itself declares unrunnable is SKIPPED with the file's
 * reason on every backend ({@code -- reload}, {@code -- unload}, {@code -- pyelf}, uBPF's encoding
 * tests), and a {@code -- no jit} test is SKIPPED on {@code jit} and on plugins run with
 * {@code --jit}. A test's {@code -- description} is carried into every result.
 *
 * <p>A {@code plugin:} backend learns of a refusal only when it runs the program. When the plugin
 * prints {@code rejected: <reason> [at pc N]} (as {@code bpfh plugin} does), the run counts as a
 * load refusal, exactly like an in-process {@code LoadRejected}, and {@code trap KIND at pc N: ...}
 * counts as that trap; any other failure line is RUNTIME_ERROR with the line as its message (see
 * {@link dev.bpfh.plugin.PluginBackend}).
 *
 * <p>An {@link dev.bpfh.conformance.ExpectationManifest} (format in its class comment) lists known
 * REJECTED and SKIPPED pairs; with the built-in corpus and no manifest given, the corpus's
 * own ({@code kernel.expect}, {@code ubpf.expect}, {@code ubpf-jit.expect}) are used. A pair whose status is exactly what the manifest lists is
 * expected; a listed pair that passes is noted "unexpected pass; remove from manifest". A pair the
 * manifest lists as SKIPPED is not run at all: SKIPPED there means "this backend cannot or should
 * not run it" (the kernel verifier spends seconds refusing an unbounded loop).
 *
 * <h2>Output and exit code</h2>
 *
 * <ul>
 *   <li>{@link dev.bpfh.conformance.RunReport#printMatrix}: the test × backend matrix (rows that
 *       fail the run first, then other non-passing rows; passing rows are listed only for runs of at
 *       most 60 tests and counted otherwise), each non-passing cell's reason, notes, and per backend
 *       {@code NAME: P passed, F failed, S skipped} (F = FAIL + ERROR + REJECTED not in the manifest)
 *       followed by a line with the rejected and unavailable counts.
 *   <li>{@link dev.bpfh.conformance.RunReport#exitCode}: 0 only if no pair is FAIL or ERROR and no
 *       pair is REJECTED or SKIPPED without being listed so in the manifest (a skip never counts as
 *       a pass); with {@code requireAvailable}, UNAVAILABLE also fails. 1 otherwise.
 *   <li>{@link dev.bpfh.conformance.RunReport#writeJson}: header (cpu, groups, backends, date,
 *       durationNanos), per-backend summary, and one record per pair (test, backend, status,
 *       expected, actual, message, duration in ns, listedAs, listedReason).
 *   <li>{@link dev.bpfh.conformance.RunReport#writeJunitXml}: {@code TEST-bpfh-<backend>.xml} per
 *       backend, one testcase per test with failure/error/skipped elements.
 * </ul>
 *
 * <h2>Execution</h2>
 *
 * <p>Files are parsed and pairs run on a pool of {@code threads} (default: available processors).
 * Each pair loads, runs and closes its own {@code Executable} on one thread, so none is used by two
 * threads. Kernel pairs are not serialized (the kernel backend keeps no shared state). With a progress stream, a line
 * {@code [bpfh] done/total runs, F failing, T s} is printed every second of a long run.
 */
package dev.bpfh.conformance;
