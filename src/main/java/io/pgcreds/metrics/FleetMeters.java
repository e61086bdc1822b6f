package io.pgcreds.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgcreds.config.ConfigSources;
import io.pgcreds.config.PlatformApiFigures;
import io.pgcreds.config.Polling;
import io.pgcreds.config.SourceStatus;
import io.pgcreds.fleet.ConnectionBudget;
import io.pgcreds.fleet.Fleet;

import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The Platform API's and the fleet's figures in {@code /metrics}: answers by outcome (a 304 is an
 * unchanged config), the rate limit left and the interval in use, who polls; instances seen, whether
 * they agree, notices received by verdict and sent, refreshes peers caused, the connection budget.
 * Read at every scrape; stateless.
 */
final class FleetMeters {
    private static final List<String> VERDICTS = List.of("accepted", "self", "collision", "other-app", "invalid", "untrusted");

    private FleetMeters() {
    }

    static void bind(MeterRegistry registry, ConfigSources sources, Fleet fleet) {
        if (sources.hasHerokuApi()) {
            answers(registry, sources, "changed", PlatformApiFigures::ok);
            answers(registry, sources, "not_modified", PlatformApiFigures::notModified);
            answers(registry, sources, "failed", PlatformApiFigures::failed);
            Gauge.builder("pgcreds.platform.api.rate.limit.remaining", sources, source -> orNaN(
                            source.platformApiFigures().rateLimitRemaining()))
                    .description("The last RateLimit-Remaining the Platform API sent; NaN before any").register(registry);
            Gauge.builder("pgcreds.platform.api.poll.interval.seconds", sources, source -> orNaN(
                            source.platformApiFigures().pollIntervalSeconds()))
                    .description("The poll interval in use, stretched while the rate limit runs low; NaN when polling is off")
                    .register(registry);
            for (Polling role : Polling.values()) {
                Gauge.builder("pgcreds.platform.api.polling", sources, source -> source.statuses().stream()
                                .map(SourceStatus::polling).anyMatch(role.wireName()::equals) ? 1 : 0)
                        .description("1 for this instance's polling role").tag("role", role.wireName()).register(registry);
            }
        }
        Gauge.builder("pgcreds.fleet.instances", fleet, of -> of.report().instances().size())
                .description("Instances seen in the last 60 s, this one included").register(registry);
        Gauge.builder("pgcreds.fleet.agree", fleet, of -> of.report().agree() ? 1 : 0)
                .description("1 while every instance serves the same configuration of each credential (fingerprints agree)").register(registry);
        for (String verdict : VERDICTS) {
            FunctionCounter.builder("pgcreds.fleet.notices.received", fleet,
                            of -> of.figures().received().getOrDefault(verdict, 0L))
                    .description("Notices on channel pgcreds by verdict").tag("verdict", verdict).register(registry);
        }
        FunctionCounter.builder("pgcreds.fleet.notices.sent", fleet, of -> of.figures().sent())
                .description("Notices this instance sent").tag("outcome", "sent").register(registry);
        FunctionCounter.builder("pgcreds.fleet.notices.sent", fleet, of -> of.figures().unsent())
                .description("Notices this instance sent").tag("outcome", "failed").register(registry);
        FunctionCounter.builder("pgcreds.fleet.peer.refreshes", fleet, of -> of.figures().peerRefreshes())
                .description("Refreshes of the config sources that peers' notices caused (coalesced)").register(registry);
        budgetGauge(registry, fleet, "pgcreds.fleet.connections.needed",
                "Connections the instances seen may open on the default credential's server", ConnectionBudget::needed);
        budgetGauge(registry, fleet, "pgcreds.fleet.connections.available",
                "max_connections minus the reserved slots of the default credential's server", ConnectionBudget::available);
    }

    private static void answers(MeterRegistry registry, ConfigSources sources, String outcome,
                                ToDoubleFunction<PlatformApiFigures> count) {
        FunctionCounter.builder("pgcreds.platform.api.answers", sources, source -> count.applyAsDouble(
                        Objects.requireNonNull(source.platformApiFigures())))
                .description("Platform API config-vars answers by outcome (not_modified: a 304 to a conditional poll)")
                .tag("outcome", outcome).register(registry);
    }

    private static void budgetGauge(MeterRegistry registry, Fleet fleet, String name, String description,
                                    ToDoubleFunction<ConnectionBudget> value) {
        Gauge.builder(name, fleet, of -> {
            ConnectionBudget budget = of.budget();
            return budget == null ? Double.NaN : value.applyAsDouble(budget);
        }).description(description + "; NaN while unknown").register(registry);
    }

    private static double orNaN(Number value) {
        return value == null ? Double.NaN : value.doubleValue();
    }
}
