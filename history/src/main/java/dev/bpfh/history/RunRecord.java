package dev.bpfh.history;

import dev.bpfh.reports.Fingerprint;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One benchmark run as it is stored: where it came from, which code, which environment, its figures.
 *
 * @param source the file or directory it was read from (for people; not a key)
 * @param contentSha SHA-256 of the result file: the same file is stored once however often it is added
 * @param commit the git commit measured ("" when unknown)
 * @param branch the git branch ("" when unknown)
 * @param dirty "true" when the working tree had uncommitted changes, "false", or "unknown"
 * @param date when it was measured: the series' order
 * @param fingerprint the environment; series never mix fingerprints
 * @param tags free {@code key=value} labels from {@code --tag}
 */
public record RunRecord(String source, String contentSha, String commit, String branch, String dirty, Instant date,
        Fingerprint fingerprint, Map<String, String> tags, List<Measurement> measurements) {

    public RunRecord {
        tags = Map.copyOf(tags);
        measurements = List.copyOf(measurements);
    }
}
