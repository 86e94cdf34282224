package dev.bpfh.load;

/**
 * An object's programs loaded, but its maps could not be set up as the object says: an initial
 * value or a PROG_ARRAY slot the backend refused. The message is one line naming the map.
 */
public final class ObjectSetupException extends Exception {
    private static final long serialVersionUID = 1L;

    public ObjectSetupException(String message) {
        super(message, null, false, false);
    }
}
