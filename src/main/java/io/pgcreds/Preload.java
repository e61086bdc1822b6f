package io.pgcreds;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.zaxxer.hikari.HikariConfig;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pgcreds.http.JsonAnswers;
import io.pgcreds.util.Threads;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Instant;
import java.util.Map;

/**
 * Start-up's one parallel step. Loading and initialising the libraries the service builds on
 * (Micrometer, Jackson, HikariCP, pgjdbc: in the order {@link PgCreds#start} needs them) takes about
 * as long as reading the settings and starting Jetty; a daemon thread does it on a second core while
 * the starting thread goes on, which then finds the classes ready (a class another thread is
 * initialising is waited for, never initialised twice). Nothing depends on it: if it is slow or
 * fails, the service loads what it needs itself.
 */
final class Preload {
    private Preload() {
    }

    static void begin() {
        Threads.daemon("pgcreds-preload").newThread(Preload::load).start();
    }

    private static void load() {
        try {
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(metrics);
            metrics.close();
            JsonAnswers.mapper().writeValueAsBytes(Map.of("at", Instant.EPOCH));
            new HikariConfig().setPoolName("preload");
            new PGSimpleDataSource().setSslMode("require");
            Class.forName("org.postgresql.Driver");
        } catch (JsonProcessingException | ClassNotFoundException | RuntimeException e) {
            // only a head start
        }
    }
}
