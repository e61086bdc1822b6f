package io.pgcreds.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Whether the instances agree, and if not why: an instance lags when its config version differs
 * (the Platform API's ETag; generations are counted by each instance since its own start, so they
 * are not compared as numbers), when it lacks a credential others hold, when a credential's state
 * differs between instances (e.g. pending on the old password here, active on the new one there), or
 * when it holds a credential from before another instance replaced it (more than
 * {@link #CLOCK_TOLERANCE} earlier: instances' clocks differ a little). Stateless.
 */
final class Agreement {
    static final Duration CLOCK_TOLERANCE = Duration.ofSeconds(2);

    private Agreement() {
    }

    /** Every reason the instances disagree; empty when they agree. */
    static List<String> disagreements(List<FleetReport.Instance> instances) {
        List<String> reasons = new ArrayList<>();
        Map<String, List<String>> byVersion = new TreeMap<>();
        instances.forEach(instance -> byVersion.computeIfAbsent(Objects.toString(instance.configVersion(), "none"),
                key -> new ArrayList<>()).add(instance.id()));
        if (byVersion.size() > 1) {
            reasons.add("config versions differ: " + byVersion.entrySet().stream()
                    .map(entry -> String.join(", ", entry.getValue()) + " on " + entry.getKey())
                    .collect(Collectors.joining("; ")));
        }
        Set<String> names = new TreeSet<>();
        instances.forEach(instance -> names.addAll(instance.credentials().keySet()));
        for (String name : names) {
            Map<String, List<String>> byState = new TreeMap<>();
            Instant replaced = null;
            for (FleetReport.Instance instance : instances) {
                FleetReport.Credential held = instance.credentials().get(name);
                byState.computeIfAbsent(held == null ? "missing" : held.state(), key -> new ArrayList<>()).add(instance.id());
                if (held != null && held.generation() > 1 && (replaced == null || held.since().isAfter(replaced))) {
                    replaced = held.since();
                }
            }
            if (byState.size() > 1) {
                reasons.add(name + ": " + byState.entrySet().stream()
                        .map(entry -> entry.getKey() + " on " + String.join(", ", entry.getValue()))
                        .collect(Collectors.joining("; ")));
            }
            for (FleetReport.Instance instance : instances) {
                FleetReport.Credential held = instance.credentials().get(name);
                if (held != null && replaced != null && held.since().plus(CLOCK_TOLERANCE).isBefore(replaced)) {
                    reasons.add(instance.id() + " holds " + name + " generation " + held.generation() + " since "
                            + held.since() + ", from before another instance replaced it at " + replaced);
                }
            }
        }
        return reasons;
    }
}
