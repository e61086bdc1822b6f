package io.pgcreds.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Whether the instances agree, and if not why. They disagree while their config versions differ
 * (the Platform API's ETag), a credential is missing on some or in another state (pending on the old
 * password here, active on the new one there), or they serve a credential differently: its
 * {@link Fingerprints fingerprints} differ, for longer than {@link #TOLERANCE} (a change reaches every
 * instance within about a second; instances' clocks differ a little). What is compared is what each
 * serves, never when it changed: an instance that catches up late agrees from then on. Generations
 * are counted by each instance since its own start, so they are not compared. When they serve
 * differently, the instances on a configuration other than the one that appeared last lag (the
 * latest change is the one to follow), each named in a line {@code <id> holds <NAME> generation
 * <n> since <time>: ...}, a form the status page reads. Stateless.
 */
final class Agreement {
    static final Duration TOLERANCE = Duration.ofSeconds(2);

    private Agreement() {
    }

    /** Every reason the instances disagree at {@code now}; empty when they agree. */
    static List<String> disagreements(List<FleetReport.Instance> instances, Instant now) {
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
            Map<String, Served> byFingerprint = new TreeMap<>();
            for (FleetReport.Instance instance : instances) {
                FleetReport.Credential held = instance.credentials().get(name);
                byState.computeIfAbsent(held == null ? "missing" : held.state(), key -> new ArrayList<>()).add(instance.id());
                if (held != null && held.fingerprint() != null) {
                    byFingerprint.computeIfAbsent(held.fingerprint(), key -> new Served(new ArrayList<>(), new ArrayList<>()))
                            .add(instance.id(), held);
                }
            }
            if (byState.size() > 1) {
                reasons.add(name + ": " + byState.entrySet().stream()
                        .map(entry -> entry.getKey() + " on " + String.join(", ", entry.getValue()))
                        .collect(Collectors.joining("; ")));
            }
            Instant differSince = differSince(byFingerprint.values());
            if (differSince != null && !now.isBefore(differSince.plus(TOLERANCE))) {
                reasons.addAll(lagging(name, byFingerprint.values()));
            }
        }
        return reasons;
    }

    /**
     * When the instances began to serve differently: when the second of the configurations they serve
     * now first appeared (each appeared when the first of its instances took it); null when they serve alike.
     */
    private static Instant differSince(Collection<Served> configurations) {
        List<Instant> appeared = configurations.stream().map(Served::appeared).sorted().toList();
        return appeared.size() < 2 ? null : appeared.get(1);
    }

    /** One line per instance that is not on the configuration that appeared last. */
    private static List<String> lagging(String name, Collection<Served> configurations) {
        List<Served> byAppearance = configurations.stream().sorted(Comparator.comparing(Served::appeared)).toList();
        Served latest = byAppearance.get(byAppearance.size() - 1);
        List<String> lines = new ArrayList<>();
        for (Served stale : byAppearance.subList(0, byAppearance.size() - 1)) {
            for (int i = 0; i < stale.ids().size(); i++) {
                FleetReport.Credential held = stale.held().get(i);
                lines.add(stale.ids().get(i) + " holds " + name + " generation " + held.generation() + " since "
                        + held.since() + ": it is served differently from " + latest.describe() + ", since "
                        + latest.appeared());
            }
        }
        return lines;
    }

    /** The instances that serve one configuration, with their generations and since when. */
    private record Served(List<String> ids, List<FleetReport.Credential> held) {
        void add(String id, FleetReport.Credential credential) {
            ids.add(id);
            held.add(credential);
        }

        Instant appeared() {
            return held.stream().map(FleetReport.Credential::since).min(Instant::compareTo).orElseThrow();
        }

        String describe() {
            List<String> each = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                each.add(ids.get(i) + " (generation " + held.get(i).generation() + " since " + held.get(i).since() + ")");
            }
            return String.join(", ", each);
        }
    }
}
