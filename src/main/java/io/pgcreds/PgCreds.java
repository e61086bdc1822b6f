package io.pgcreds;

import io.javalin.Javalin;
import io.pgcreds.catalog.AccessMatrix;
import io.pgcreds.catalog.CatalogService;
import io.pgcreds.config.ConfigSources;
import io.pgcreds.config.Settings;
import io.pgcreds.discovery.IgnoredVar;
import io.pgcreds.events.EventLog;
import io.pgcreds.events.Trigger;
import io.pgcreds.fleet.Fleet;
import io.pgcreds.fleet.FleetGroup;
import io.pgcreds.fleet.Leadership;
import io.pgcreds.health.HealthMonitor;
import io.pgcreds.health.HealthReport;
import io.pgcreds.health.History;
import io.pgcreds.http.HttpApi;
import io.pgcreds.http.HttpLifecycle;
import io.pgcreds.metrics.PoolSampler;
import io.pgcreds.metrics.ServiceMetrics;
import io.pgcreds.pools.Leases;
import io.pgcreds.pools.PoolFactory;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.reload.ReloadResult;
import io.pgcreds.reload.Reloader;
import io.pgcreds.util.Logfmt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * The running service, wired from one map of config vars: the one factory that {@link Main} and
 * the tests both call, so what is tested is what ships. Not thread-safe to start and close
 * concurrently; everything it starts is.
 */
public final class PgCreds implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PgCreds.class);
    private final Javalin app;
    private final HttpLifecycle lifecycle;
    private final ConfigSources sources;
    private final Fleet fleet;
    private final Reloader reloader;
    private final HealthMonitor monitor;
    private final PoolFactory factory;
    private final PoolSampler sampler;
    private final AccessMatrix access;

    private PgCreds(Javalin app, HttpLifecycle lifecycle, ConfigSources sources, Fleet fleet, Reloader reloader,
                    HealthMonitor monitor, PoolFactory factory, PoolSampler sampler, AccessMatrix access) {
        this.app = app;
        this.lifecycle = lifecycle;
        this.sources = sources;
        this.fleet = fleet;
        this.reloader = reloader;
        this.monitor = monitor;
        this.factory = factory;
        this.sampler = sampler;
        this.access = access;
    }

    /**
     * Starts the service, each collaborator built in order and handed to the next; returns once the
     * pools exist and the port is bound, in that order, so no request meets a half-loaded registry.
     * The probes begin once the port is bound (see {@link HealthMonitor#probeSoon}), and so does the
     * fleet (its id may be host:port). Never waits on a database (pools and the fleet session connect
     * in the background) nor on the Platform API (its first answer is applied when it comes).
     *
     * @throws io.pgcreds.config.InvalidSettingException a setting cannot be used; the message names it
     */
    public static PgCreds start(Map<String, String> env) {
        long started = System.nanoTime();
        Settings settings = Settings.from(env);
        EventLog events = new EventLog();
        Leadership leadership = new Leadership(settings);
        ConfigSources sources = ConfigSources.from(env, settings, events, leadership);
        PoolRegistry registry = new PoolRegistry(settings.defaultCredential());
        History history = new History();
        HealthMonitor monitor = new HealthMonitor(registry, settings.healthInterval(), settings.healthTimeout(),
                history, events);
        Fleet fleet = new Fleet(settings, FleetGroup.of(env), registry, sources, leadership);
        ServiceMetrics metrics = new ServiceMetrics(registry, sources, fleet);
        PoolFactory factory = new PoolFactory(settings, metrics.poolTrackers());
        Reloader reloader = new Reloader(settings, sources, factory, registry, events,
                new Reloader.Listeners(monitor::probeSoon, monitor::failureSeen, result -> {
                    metrics.recordReload(result);
                    fleet.reconciled();
                }, fleet::learned));
        CatalogService catalog = new CatalogService(new Leases(registry, settings.connectionTimeout(), settings.statementTimeout()),
                settings.statementTimeout());
        AccessMatrix access = new AccessMatrix(registry, catalog, settings.statementTimeout());
        HttpLifecycle lifecycle = new HttpLifecycle();
        PoolSampler sampler = new PoolSampler(registry);
        Javalin app = null;
        try {
            app = HttpApi.create(new HttpApi.Services(settings, registry, monitor, history, events, catalog, access,
                    reloader, sources, metrics, lifecycle, fleet));
            ReloadResult initial = reloader.applyCurrent(Trigger.START);
            app.start();
            monitor.start();
            sampler.start(settings.logSampleInterval());
            sources.start(reloader::sourceChanged);
            fleet.start(app.port(), reloader::refreshFromPeer);
            logStart(settings, registry, sources, app.port(), initial, started);
            return new PgCreds(app, lifecycle, sources, fleet, reloader, monitor, factory, sampler, access);
        } catch (RuntimeException e) {
            new PgCreds(app, lifecycle, sources, fleet, reloader, monitor, factory, sampler, access).close();
            throw e;
        }
    }

    private static void logStart(Settings settings, PoolRegistry registry, ConfigSources sources, int port,
                                 ReloadResult initial, long startedNanos) {
        for (IgnoredVar ignored : registry.snapshot().ignored()) {
            log.info(Logfmt.line("event", "ignored_var", "var", ignored.var(), "reason", ignored.reason()));
        }
        if (registry.defaultEntry(registry.snapshot()) == null) {
            String line = Logfmt.line("event", "default_credential_missing", "default", settings.defaultCredential(),
                    "problem", HealthReport.missingDefault(settings.defaultCredential(),
                            registry.snapshot().entries().keySet()),
                    "effect", "/health and /health/ready answer DOWN (503) until it exists");
            if (sources.statuses().stream().anyMatch(status -> status.state().equals("waiting"))) {
                // the Platform API has not answered yet: it most likely brings the credential in a moment
                log.info(line + " " + Logfmt.line("waiting_for", "the first answer of a config source"));
            } else {
                log.warn(line);
            }
        }
        log.info(Logfmt.line("event", "started", "port", port, "credentials", initial.added().size(),
                "invalid", initial.errors().size(), "ignored", registry.snapshot().ignored().size(),
                "api_token", settings.apiTokenConfigured() ? "set" : "unset",
                "env_file", sources.hasEnvFile() ? "on" : "off", "heroku_api", sources.hasHerokuApi() ? "on" : "off",
                "webhook", settings.webhookConfigured() ? "on" : "off",
                "startup_ms", (System.nanoTime() - startedNanos) / 1_000_000));
    }

    public int port() {
        return app.port();
    }

    /** Pools open right now; equals the credentials with a pool once drains have finished. */
    public int openPools() {
        return factory.openPools();
    }

    /** Pools built since start. */
    public int poolsCreated() {
        return factory.poolsCreated();
    }

    public Reloader reloader() {
        return reloader;
    }

    /**
     * A graceful stop, as on SIGTERM: no new connections; requests already arriving are served
     * (with {@code Connection: close}) until none is active, at most {@code grace}; then every pool
     * closes, so the service leaves no session on any server.
     */
    public void shutdown(Duration grace) {
        long started = System.nanoTime();
        log.info(Logfmt.line("event", "stopping", "grace_ms", grace.toMillis()));
        int cutOff = lifecycle.drain(grace);
        close();
        log.info(Logfmt.line("event", "stopped", "requests_served", lifecycle.requestsServed(),
                "requests_cut_off", cutOff, "took_ms", (System.nanoTime() - started) / 1_000_000));
    }

    /** Stops accepting requests, then stops the sources, leaves the fleet, stops the probes and closes every pool. */
    @Override
    public void close() {
        lifecycle.endOpenAnswers(); // event streams would hold Jetty's stop
        if (app != null) { // null only when start failed before the app was built
            app.stop();
        }
        sampler.close();
        sources.close();
        fleet.close();
        monitor.close();
        reloader.close();
        access.close();
        factory.close();
    }
}
