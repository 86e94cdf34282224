package dev.bpfh.spi;

/** Whether a backend can run on this machine, and if not, the reason a user needs to fix it. */
public record Availability(boolean available, String reason) {

    public static Availability yes() {
        return new Availability(true, "");
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
