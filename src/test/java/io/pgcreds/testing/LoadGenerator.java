package io.pgcreds.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Client threads calling one endpoint as fast as they can, recording every request: when it
 * started and ended, its status, and which pool generation served it.
 */
public final class LoadGenerator implements AutoCloseable {
    private final ApiClient client;
    private final String path;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final boolean keepEveryRequest;
    private final java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong slowestNanos = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();

    /**
     * One request: nanoTime start and end, HTTP status (0 when it did not complete), generation or
     * -1, and for a problem its errorClass (or "") and detail.
     */
    public record Request(long startNanos, long endNanos, int status, int generation, String errorClass, String detail) {
        public boolean ok() {
            return status == 200;
        }

        public long millis() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    public LoadGenerator(ApiClient client, String path, int threadCount) {
        this(client, path, threadCount, true);
    }

    /**
     * @param keepEveryRequest false for long runs: only failures are kept (the first 1000), and the
     *                         count and slowest latency of all
     */
    public LoadGenerator(ApiClient client, String path, int threadCount, boolean keepEveryRequest) {
        this.client = client;
        this.path = path;
        this.keepEveryRequest = keepEveryRequest;
        for (int i = 0; i < threadCount; i++) {
            Thread thread = new Thread(this::run, "load-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void record(Request request) {
        total.incrementAndGet();
        if (!request.ok()) {
            failed.incrementAndGet();
        }
        slowestNanos.accumulateAndGet(request.endNanos() - request.startNanos(), Math::max);
        if (keepEveryRequest || (!request.ok() && requests.size() < 1000)) {
            requests.add(request);
        }
    }

    /** How many requests failed, kept or not. */
    public long failedTotal() {
        return failed.get();
    }

    /** How many requests completed, kept or not. */
    public long total() {
        return total.get();
    }

    public long slowestMillis() {
        return slowestNanos.get() / 1_000_000;
    }

    private void run() {
        while (running.get()) {
            long start = System.nanoTime();
            try {
                ApiClient.Response response = client.get(path);
                JsonNode body = response.body().startsWith("{") ? response.json() : null;
                boolean problem = response.status() != 200 && body != null;
                record(new Request(start, System.nanoTime(), response.status(),
                        body == null ? -1 : body.path("generation").asInt(-1),
                        problem ? body.path("errorClass").asText("") : "", problem ? body.path("detail").asText() : ""));
            } catch (RuntimeException | AssertionError e) {
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                record(new Request(start, System.nanoTime(), 0, -1, "", root.getClass().getSimpleName() + ": "
                        + root.getMessage()));
            }
        }
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> failures() {
        return requests.stream().filter(request -> !request.ok()).toList();
    }

    public long count() {
        return requests.size();
    }

    /** The start of the first request served by {@code generation} (nanoTime), or -1. */
    public long firstServedBy(int generation) {
        return requests.stream().filter(request -> request.ok() && request.generation() == generation)
                .mapToLong(Request::endNanos).min().orElse(-1);
    }

    /** Waits until some request was served by the generation; returns when the first one ended (nanoTime). */
    public long awaitGeneration(int generation) {
        return Await.until("a request served by generation " + generation, () -> firstServedBy(generation),
                first -> first >= 0);
    }

    /**
     * Waits until {@code count} more requests have completed than when called: load for a while,
     * counted in requests rather than time, so that a slow machine gets the same exercise.
     */
    public void awaitMore(int count) {
        long target = total() + count;
        Await.until(count + " more requests on " + path, this::total, done -> done >= target);
    }

    /** Waits until at least {@code count} kept requests match; returns them. */
    public List<Request> awaitRequests(int count, java.util.function.Predicate<Request> which) {
        return Await.until(count + " requests on " + path + " of the kind expected",
                () -> requests.stream().filter(which).toList(), matching -> matching.size() >= count);
    }

    /** Stops the client threads and waits for their last requests (at most 30 s each); idempotent. */
    public void stop() {
        running.set(false);
        for (Thread thread : threads) {
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** A one-line summary for the test log. */
    public String summary() {
        return total() + " requests, " + failed.get() + " failed";
    }
}
