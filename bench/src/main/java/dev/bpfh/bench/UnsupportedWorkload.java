package dev.bpfh.bench;

/**
 * A backend declared a workload unsupported when loading it ({@code LoadRejected.unsupported()}:
 * for example uBPF and a program with maps or an XDP program). The pair is left out of the
 * measurement with this reason, not counted as a failure.
 */
final class UnsupportedWorkload extends IllegalStateException {
    final String workload;
    final String backend;
    final String reason;

    UnsupportedWorkload(String workload, String backend, String reason) {
        super(workload + " on " + backend + ": not supported: " + reason);
        this.workload = workload;
        this.backend = backend;
        this.reason = reason;
    }
}
