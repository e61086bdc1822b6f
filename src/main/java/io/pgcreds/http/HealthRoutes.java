package io.pgcreds.http;

import io.javalin.compression.CompressionStrategy;
import io.javalin.compression.Compressor;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.pgcreds.health.HealthMonitor;
import io.pgcreds.health.HealthReport;
import io.pgcreds.pools.PoolRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code /health}, {@code /health/live} and {@code /health/ready}: answered from memory, never from a
 * database. The rendered report is shared by the requests that arrive while no probe result and no
 * pool has changed, for at most {@value #STATS_MAX_AGE_MS} ms (the pool figures in it move with
 * every request): a dashboard polled by many, or a load balancer, costs one rendering per change.
 * So does compression: a client that accepts gzip gets the rendering compressed once, not once per
 * request (Javalin would compress each answer again: 16 kB with a hundred credentials cost ~70% of
 * the throughput).
 */
final class HealthRoutes {
    static final long STATS_MAX_AGE_MS = 50;
    private final PoolRegistry registry;
    private final HealthMonitor monitor;
    private final HttpLifecycle lifecycle;
    private final JsonAnswers json;
    private final CompressionStrategy compression;
    private volatile Rendered rendered;
    private final ReentrantLock rendering = new ReentrantLock();

    /** One rendering of the report, valid for the registry snapshot and probe results it was built from. */
    private record Rendered(PoolRegistry.Snapshot snapshot, long version, long builtAtNanos, HealthReport report,
                            byte[] json, Map<String, byte[]> encoded) {
        Rendered(PoolRegistry.Snapshot snapshot, long version, long builtAtNanos, HealthReport report, byte[] json) {
            this(snapshot, version, builtAtNanos, report, json, new ConcurrentHashMap<>());
        }

        /** The JSON compressed as the compressor does it, once per rendering and encoding. */
        byte[] encodedWith(Compressor compressor) {
            return encoded.computeIfAbsent(compressor.encoding(), encoding -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(json.length / 4);
                try (OutputStream compressing = compressor.compress(bytes)) {
                    compressing.write(json);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // in memory: does not happen
                }
                return bytes.toByteArray();
            });
        }

        boolean fresh(PoolRegistry.Snapshot current, long currentVersion) {
            return snapshot == current && version == currentVersion
                    && System.nanoTime() - builtAtNanos < STATS_MAX_AGE_MS * 1_000_000;
        }
    }

    /** @param compression the app's own, so that /health is compressed when and as every other answer is */
    HealthRoutes(PoolRegistry registry, HealthMonitor monitor, HttpLifecycle lifecycle, JsonAnswers json,
                 CompressionStrategy compression) {
        this.registry = registry;
        this.monitor = monitor;
        this.lifecycle = lifecycle;
        this.json = json;
        this.compression = compression;
    }

    void register(RouteTable routes) {
        routes.get("/health", this::health);
        routes.get("/health/live", this::live);
        routes.get("/health/ready", this::ready);
    }

    private void health(Context ctx) {
        QueryParams.allowOnly(ctx, java.util.Set.of());
        Rendered current = current();
        byte[] body = current.json();
        Compressor compressor = compressorFor(ctx, body.length);
        if (compressor != null) {
            body = current.encodedWith(compressor);
            ctx.header(Header.CONTENT_ENCODING, compressor.encoding()); // Javalin leaves encoded answers alone
        }
        ctx.header(Header.VARY, Header.ACCEPT_ENCODING);
        ctx.status(current.report().ready() ? 200 : 503).contentType(ContentType.APPLICATION_JSON).result(body);
    }

    /** What Javalin would compress this answer with; null when it would send it as it is. */
    private Compressor compressorFor(Context ctx, int length) {
        String accepted = ctx.header(Header.ACCEPT_ENCODING);
        if (accepted == null || length < compression.getDefaultMinSizeForCompression()) {
            return null;
        }
        return compression.findMatchingCompressor(accepted);
    }

    /**
     * The current rendering. One request at a time renders a new one; the requests that arrive while
     * it does get the previous one (older by one rendering at most) rather than all rendering the
     * same report at once: with a hundred credentials probed every two seconds the results change
     * fifty times a second, and sixty-four clients rendering together made the p99 ten times worse.
     */
    private Rendered current() {
        PoolRegistry.Snapshot snapshot = registry.snapshot();
        long version = monitor.version();
        Rendered last = rendered;
        if (last != null && last.fresh(snapshot, version)) {
            return last;
        }
        boolean mine = rendering.tryLock();
        if (!mine) {
            if (last != null && last.snapshot() == snapshot) {
                return last; // someone renders the news right now
            }
            rendering.lock(); // the registry changed (credentials came or went): wait for the new rendering
        }
        try {
            Rendered now = rendered;
            if (now != null && now != last && now.snapshot() == registry.snapshot()) {
                return now; // rendered by the request this one waited for
            }
            long builtAt = System.nanoTime();
            long seenVersion = monitor.version();
            PoolRegistry.Snapshot seenSnapshot = registry.snapshot();
            HealthReport report = HealthReport.of(registry);
            Rendered fresh = new Rendered(seenSnapshot, seenVersion, builtAt, report, json.bytes(report));
            rendered = fresh;
            return fresh;
        } finally {
            rendering.unlock();
        }
    }

    private void live(Context ctx) {
        ctx.json(Map.of("status", HealthReport.UP));
    }

    /** Ready when the default credential is up, and not while the service is stopping. */
    private void ready(Context ctx) {
        HealthReport report = current().report();
        boolean ready = report.ready() && !lifecycle.stopping();
        ctx.status(ready ? 200 : 503).json(Map.of(
                "status", ready ? HealthReport.UP : HealthReport.DOWN,
                "defaultCredential", report.defaultCredential()));
    }
}
