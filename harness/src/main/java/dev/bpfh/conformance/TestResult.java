package dev.bpfh.conformance;

/**
 * The verdict for one (test, backend) pair.
 *
 * @param expected what the test file asks for: {@code 0x2a}, {@code rejected}, {@code trap KIND [at pc N]}
 *     or {@code error "text"}; empty when the file could not be parsed
 * @param actual what the backend did: {@code 0x2a}, {@code rejected: reason}, {@code trap KIND at pc N: message};
 *     empty when it did not run
 * @param message why the status is what it is, one line (empty for a plain PASS)
 * @param durationNanos time spent loading and running (0 when not run)
 * @param listedAs the status the expectation manifest lists for this pair, or {@code null}
 * @param listedReason the manifest's reason, or empty
 * @param description the test file's {@code -- description}, or empty
 */
public record TestResult(
        String test,
        String backend,
        Status status,
        String expected,
        String actual,
        String message,
        long durationNanos,
        Status listedAs,
        String listedReason,
        String description) {

    /** A result for a test without a description. */
    public TestResult(String test, String backend, Status status, String expected, String actual, String message,
            long durationNanos, Status listedAs, String listedReason) {
        this(test, backend, status, expected, actual, message, durationNanos, listedAs, listedReason, "");
    }

    TestResult withListing(ExpectationManifest.Entry entry) {
        return entry == null
                ? this
                : new TestResult(test, backend, status, expected, actual, message, durationNanos, entry.status(),
                        entry.reason(), description);
    }

    /**
     * A PASS whose failure text was not compared: an in-process engine failed as the test requires,
     * with its own words for what the test's corpus words differently ({@link #expected()} and
     * {@link #actual()} hold both).
     */
    public boolean passedWithoutComparingMessages() {
        return status == Status.PASS && message.startsWith(Judge.PORTABLE_PASS);
    }

    /** The status is exactly what the manifest lists (an expected rejection or skip). */
    public boolean asListed() {
        return listedAs != null && listedAs == status;
    }

    /** Counts as a failure in the summary: FAIL, ERROR, or a REJECTED the manifest does not list. */
    public boolean failed() {
        return status == Status.FAIL || status == Status.ERROR || (status == Status.REJECTED && !asListed());
    }

    /** Makes the run's exit code non-zero: a failure, or a skip the manifest does not list. */
    public boolean gatesRun() {
        return failed() || (status == Status.SKIPPED && !asListed());
    }

    /** Listed in the manifest but passed now: the entry is stale. */
    public boolean unexpectedPass() {
        return status == Status.PASS && listedAs != null;
    }
}
