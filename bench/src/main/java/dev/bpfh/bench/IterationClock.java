package dev.bpfh.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.LockSupport;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per iteration, the benchmark thread's CPU time and the wall time of the same window, reported by
 * JMH as the secondary results {@code cpuNs} and {@code wallNs}. Their ratio is the share of the
 * iteration the thread actually ran: on a shared 2-core machine, time spent waiting for a core
 * inflates the wall-clock score but not the CPU time, so {@code score × cpuNs / wallNs} is the
 * thread's own cost per operation ({@code reports.JmhSummaries} uses it for {@code --quick}). Read
 * twice per iteration, never per operation: the benchmark loop is unchanged.
 *
 * <p>With the system property {@value #WAIT_PROPERTY} set (as {@code --quick} does), each
 * iteration also starts only once the JIT compilers are idle ({@link #waitForCompilers}): a short
 * warm-up iteration queues C2's compilations, the wait lets them finish, and the next iteration
 * times compiled code. A fixed warm-up time cannot promise that on a loaded machine, where C2's
 * threads get a fraction of a core.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class IterationClock {
    static final String WAIT_PROPERTY = "bpfh.bench.waitForCompilers";

    /** The longest wait for idle compilers before an iteration starts anyway. */
    static final long MAX_WAIT_NANOS = 5_000_000_000L;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public long cpuNs;
    public long wallNs;
    private long cpuStart;
    private long wallStart;

    @Setup(Level.Iteration)
    public void start() {
        if (Boolean.getBoolean(WAIT_PROPERTY)) {
            waitForCompilers(MAX_WAIT_NANOS);
        }
        cpuNs = 0;
        wallNs = 0;
        wallStart = System.nanoTime();
        cpuStart = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void stop() {
        cpuNs = THREADS.getCurrentThreadCpuTime() - cpuStart;
        wallNs = System.nanoTime() - wallStart;
    }

    /**
     * Sleeps until HotSpot's compile queues are empty and no compilation is running, as the
     * {@code Compiler.queue} diagnostic command reports them, or until {@code maxNanos} passed.
     * Returns whether the compilers went idle. Unknown (no such command): returns false at once.
     */
    static boolean waitForCompilers(long maxNanos) {
        long deadline = System.nanoTime() + maxNanos;
        while (true) {
            Boolean idle = compilersIdle();
            if (idle == null) {
                return false;
            }
            if (idle) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    /** Whether nothing is being compiled or queued; null if the JVM does not say. */
    static Boolean compilersIdle() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Object text = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
                    new Object[] {null}, new String[] {String[].class.getName()});
            return text instanceof String s ? CompilerQueue.idle(s) : null;
        } catch (Exception | LinkageError e) {
            return null;
        }
    }
}
