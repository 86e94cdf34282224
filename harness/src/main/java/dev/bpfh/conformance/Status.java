package dev.bpfh.conformance;

/** What one (test, backend) pair came to. */
public enum Status {
    /** The backend produced the expected r0, or failed exactly as the test's {@code -- error} asks. */
    PASS,
    /** The backend ran the program but the result differs from the expectation. */
    FAIL,
    /** Something went wrong outside the expectation: an unexpected trap, a backend crash, a malformed test file. */
    ERROR,
    /** The backend refused to load the program (validator, verifier); the message is its reason. */
    REJECTED,
    /**
     * Not run: the program needs a newer cpu version or an excluded group (isa.md §3.4), or the
     * backend declared the feature unsupported. Never counted as a pass.
     */
    SKIPPED,
    /** The backend cannot run on this machine; the message is its reason. */
    UNAVAILABLE
}
