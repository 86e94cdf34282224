package dev.bpfh.data;

/** Makes the {@code file:line: reason} exception of the file being parsed (line 0: the whole file). */
@FunctionalInterface
interface LineFailure {
    DataFormatException at(int line, String reason);
}
