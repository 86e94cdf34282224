package dev.bpfh.ubpf;

/**
 * {@code ubpf}: uBPF's C interpreter ({@code ubpf_exec}). Its bounds checks are uBPF's own: an
 * access must lie inside the input or uBPF's 4096-byte stack (one block, not one region per frame
 * as in our engines). The instruction budget becomes uBPF's instruction limit, which counts every
 * executed instruction.
 */
public final class UbpfInterpreterBackend extends UbpfBackend {

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public UbpfInterpreterBackend() {}

    @Override
    public String name() {
        return "ubpf";
    }

    @Override
    public String description() {
        return "ubpf: uBPF's C interpreter from $" + UbpfLibrary.ENV + " (FFM); its bounds checks are uBPF's own";
    }

    @Override
    boolean jit() {
        return false;
    }
}
