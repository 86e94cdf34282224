package dev.bpfh.bench;

/**
 * Reads the text of HotSpot's {@code Compiler.queue} diagnostic command: a "Current compiles:"
 * section with one line per compilation in progress, then one "... compile queue:" section per
 * compiler, each either "Empty" or one line per queued task.
 */
final class CompilerQueue {
    private CompilerQueue() {}

    /**
     * True when no compilation is in progress and every queue says "Empty"; null when the text is
     * not in this format (another JVM), so a caller does not wait on something it cannot read.
     */
    static Boolean idle(String text) {
        boolean sawCurrent = false;
        boolean busy = false;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.equals("Empty")) {
                continue;
            }
            if (line.startsWith("Current compiles:") || line.endsWith("compile queue:")) {
                sawCurrent |= line.startsWith("Current compiles:");
                continue;
            }
            busy = true; // a task line, running or queued
        }
        return sawCurrent ? !busy : null;
    }
}
