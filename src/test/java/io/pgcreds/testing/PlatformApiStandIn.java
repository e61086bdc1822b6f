package io.pgcreds.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the Heroku Platform API's {@code GET /apps/{app}/config-vars}, answering as
 * the real one does: it insists on {@code Accept: application/vnd.heroku+json; version=3} and a
 * bearer token, answers JSON with Heroku's headers (Request-Id, ETag, RateLimit-Remaining), answers
 * a request whose {@code If-None-Match} is the current ETag with 304 and no body, and its errors are
 * Heroku's error documents ({@code {"id": ..., "message": ...}}). The account's budget starts at
 * 4,500 and every request takes one (Heroku does not say that a 304 is free, so here it is not).
 * The ETag is a version number that moves when the vars change, never a hash of them. Tests can
 * queue failures: 401, 429 with Retry-After, 5xx, or an answer that never comes; and count requests.
 */
public final class PlatformApiStandIn implements AutoCloseable {
    private final HttpServer server;
    private final String app;
    private final String token;
    private final Map<String, String> vars = new ConcurrentHashMap<>();
    private final Deque<Integer> queuedFailures = new ArrayDeque<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicInteger conditional = new AtomicInteger();
    private final AtomicInteger notModified = new AtomicInteger();
    private final AtomicInteger remaining = new AtomicInteger(4500);
    private final AtomicInteger version = new AtomicInteger(1);
    private final java.util.List<Long> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile String lastAccept;
    private volatile boolean hang;
    private boolean garbleNext;

    public PlatformApiStandIn(String app, String token) {
        this.app = app;
        this.token = token;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "platform-api-stand-in");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The app's config vars from now on; the ETag moves when they differ from the last ones. */
    public synchronized void setVars(Map<String, String> newVars) {
        if (!vars.equals(newVars)) {
            vars.clear();
            vars.putAll(newVars);
            version.incrementAndGet();
        }
    }

    /** The ETag of the current vars. */
    public String etag() {
        return "\"v" + version.get() + "\"";
    }

    /** Sets the account's budget left, as RateLimit-Remaining reports it (every request takes one). */
    public void rateLimitRemaining(int left) {
        remaining.set(left);
    }

    public synchronized void failNext(int status, int times) {
        for (int i = 0; i < times; i++) {
            queuedFailures.add(status);
        }
    }

    /** The next config-vars request gets a 200 whose body is not JSON (a proxy's HTML page, say). */
    public synchronized void garbleNext() {
        garbleNext = true;
    }

    public void hang(boolean hanging) {
        this.hang = hanging;
    }

    /** Every request received, good or bad. */
    public int requests() {
        return requests.get();
    }

    /** Requests answered 200. */
    public int served() {
        return served.get();
    }

    /** When the first request after {@code nanos} ({@link System#nanoTime()}) arrived, or null when none has. */
    public Long firstRequestAfter(long nanos) {
        return arrivals.stream().filter(at -> at - nanos > 0).findFirst().orElse(null);
    }

    /** Requests that carried If-None-Match. */
    public int conditional() {
        return conditional.get();
    }

    /** Requests answered 304: their If-None-Match was the current ETag. */
    public int notModified() {
        return notModified.get();
    }

    public String lastAccept() {
        return lastAccept;
    }

    private void handle(HttpExchange exchange) throws IOException {
        arrivals.add(System.nanoTime());
        requests.incrementAndGet();
        lastAccept = exchange.getRequestHeaders().getFirst("Accept");
        String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
        if (ifNoneMatch != null) {
            conditional.incrementAndGet();
        }
        exchange.getResponseHeaders().add("Request-Id", UUID.randomUUID().toString());
        exchange.getResponseHeaders().add("RateLimit-Remaining",
                String.valueOf(remaining.updateAndGet(left -> Math.max(0, left - 1))));
        if (hang) {
            sleepQuietly(60_000);
            return;
        }
        Integer failure;
        boolean garble;
        synchronized (this) {
            failure = queuedFailures.poll();
            garble = garbleNext;
            garbleNext = false;
        }
        String path = exchange.getRequestURI().getPath();
        if (!exchange.getRequestMethod().equals("GET") || !path.equals("/apps/" + app + "/config-vars")) {
            error(exchange, 404, "not_found", "Couldn't find that app.");
        } else if (!"application/vnd.heroku+json; version=3".equals(lastAccept)) {
            error(exchange, 400, "bad_request", "Accept header must be application/vnd.heroku+json; version=3");
        } else if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            error(exchange, 401, "unauthorized", "Invalid credentials provided.");
        } else if (failure != null && failure == 401) {
            error(exchange, 401, "unauthorized", "Invalid credentials provided.");
        } else if (failure != null && failure == 429) {
            exchange.getResponseHeaders().set("RateLimit-Remaining", "0");
            exchange.getResponseHeaders().add("Retry-After", "1");
            error(exchange, 429, "rate_limit", "Your account reached the API rate limit. Please wait a few minutes"
                    + " before making new requests");
        } else if (failure != null) {
            error(exchange, failure, "service_unavailable", "Heroku is temporarily unavailable.");
        } else if (garble) {
            send(exchange, 200, "<html><body>502 Bad Gateway</body></html>");
        } else {
            String body;
            String etag;
            synchronized (this) {
                body = new ObjectMapper().writeValueAsString(vars);
                etag = etag();
            }
            exchange.getResponseHeaders().set("ETag", etag);
            if (etag.equals(ifNoneMatch)) {
                notModified.incrementAndGet();
                exchange.sendResponseHeaders(304, -1);
                exchange.close();
                return;
            }
            served.incrementAndGet();
            send(exchange, 200, body);
        }
    }

    private static void error(HttpExchange exchange, int status, String id, String message) throws IOException {
        send(exchange, status, new ObjectMapper().writeValueAsString(Map.of("id", id, "message", message)));
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
