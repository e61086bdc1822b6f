package io.pgcreds.catalog;

import io.pgcreds.pools.CredentialUnavailableException;
import io.pgcreds.pools.ErrorClass;
import io.pgcreds.util.Threads;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where the access matrix's reads run: one lane per credential, each with threads of its own (at
 * most {@value #THREADS} reads of a credential at once, at most {@value #QUEUED} more waiting), so
 * that a credential whose reads hang holds only its own lane and never delays another credential's
 * read, of this request or any other. A read that is no longer wanted is taken out of its lane's
 * queue. The work is bounded per credential, hence overall by the number of credentials; lanes of
 * credentials that are gone are shut down, and idle threads end after 30 s. Thread-safe.
 */
final class ReadLanes implements AutoCloseable {
    /** Two: a second read overlaps the first's round trip; more would only take pool connections from the probe and /tables. */
    static final int THREADS = 2;
    /** Reads of one credential waiting for a thread: more concurrent /access requests than this answer it unavailable. */
    static final int QUEUED = 64;
    private final ConcurrentHashMap<String, ThreadPoolExecutor> lanes = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Queues {@code read} on the credential's lane.
     *
     * @throws CredentialUnavailableException the lane is full ({@code timeout}) or the service is stopping
     */
    void submit(String credential, FutureTask<?> read) {
        while (true) {
            ThreadPoolExecutor lane = lanes.computeIfAbsent(credential, this::newLane);
            if (closed) {
                lane.shutdown();
            }
            try {
                lane.execute(read);
                return;
            } catch (RejectedExecutionException e) {
                if (closed) {
                    throw new CredentialUnavailableException("the service is stopping", ErrorClass.OTHER, null);
                }
                if (!lane.isShutdown()) {
                    throw new CredentialUnavailableException(QUEUED + " reads of credential " + credential
                            + " are waiting already", ErrorClass.TIMEOUT, null);
                }
                lanes.remove(credential, lane); // retired by retainOnly just now: the credential came back
            }
        }
    }

    /** Cancels a read whose request stopped waiting: one still queued never runs and leaves the queue now. */
    void cancel(String credential, FutureTask<?> read) {
        read.cancel(false); // an interrupted pool wait or query would count as the credential's own failure
        ThreadPoolExecutor lane = lanes.get(credential);
        if (lane != null) {
            lane.remove(read);
        }
    }

    /** Shuts down the lanes of credentials not in {@code credentials}; their queued reads still run. */
    void retainOnly(Set<String> credentials) {
        lanes.forEach((credential, lane) -> {
            if (!credentials.contains(credential) && lanes.remove(credential, lane)) {
                lane.shutdown();
            }
        });
    }

    private ThreadPoolExecutor newLane(String credential) {
        ThreadPoolExecutor lane = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED), Threads.daemon("pgcreds-access-" + credential));
        lane.allowCoreThreadTimeOut(true);
        return lane;
    }

    /** Stops every lane; reads in flight end by their own timeouts. */
    @Override
    public void close() {
        closed = true;
        lanes.values().forEach(ThreadPoolExecutor::shutdown);
    }
}
