package io.pgcreds.fleet;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The wire form of a {@link Notice}: one JSON object, {@code {"v":1,"kind":...,"from":...,"app":...}}
 * plus the fields of its kind and nothing else; a held credential is {@code [generation, state,
 * sinceMillis]}. Decoding is strict, because any role that can connect may NOTIFY: a payload over
 * {@value #MAX_BYTES} bytes, not JSON, with a duplicate, missing or unknown field, a value of the
 * wrong type or outside its pattern is refused with the reason. Stateless and thread-safe.
 */
final class NoticeCodec {
    /** PostgreSQL refuses payloads of 8000 bytes or more. */
    static final int MAX_BYTES = 7999;
    private static final Set<String> STATES = Set.of("active", "pending", "failed", "invalid");
    private static final Set<String> ROLES = Set.of("leader", "follower", "alone");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "change", Set.of("v", "kind", "from", "app", "trigger", "version"),
            "poll", Set.of("v", "kind", "from", "app", "version"),
            "view", Set.of("v", "kind", "from", "app", "seq", "part", "parts", "version", "polling", "connections",
                    "credentials"),
            "bye", Set.of("v", "kind", "from", "app"));
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private NoticeCodec() {
    }

    /** A payload that is not a notice; the message says why, never quoting the payload. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    static String encode(Notice notice) {
        ObjectNode root = JSON.createObjectNode().put("v", 1);
        if (notice instanceof Notice.Change change) {
            header(root, "change", change).put("trigger", change.trigger()).put("version", change.version());
        } else if (notice instanceof Notice.Poll poll) {
            header(root, "poll", poll).put("version", poll.version());
        } else if (notice instanceof Notice.View view) {
            header(root, "view", view).put("seq", view.seq()).put("part", view.part()).put("parts", view.parts())
                    .put("version", view.version()).put("polling", view.polling()).put("connections", view.connections());
            ObjectNode credentials = root.putObject("credentials");
            view.credentials().forEach((name, held) -> credentials.putArray(name).add(held.generation())
                    .add(held.state()).add(held.sinceMillis()));
        } else {
            header(root, "bye", notice);
        }
        return root.toString();
    }

    private static ObjectNode header(ObjectNode root, String kind, Notice notice) {
        return root.put("kind", kind).put("from", notice.from()).put("app", notice.app());
    }

    /** The UTF-8 length of a payload, the measure PostgreSQL's limit is in. */
    static int bytes(String payload) {
        return payload.getBytes(StandardCharsets.UTF_8).length;
    }

    static Notice decode(String payload) throws Refused {
        if (payload == null || payload.isEmpty() || bytes(payload) > MAX_BYTES) {
            throw new Refused("empty or too long");
        }
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new Refused("not JSON");
        }
        if (root == null || !root.isObject() || !root.path("v").isInt() || root.path("v").intValue() != 1) {
            throw new Refused("not a version 1 notice");
        }
        String kind = root.path("kind").isTextual() ? root.path("kind").textValue() : "";
        Set<String> expected = FIELDS.get(kind);
        if (expected == null) {
            throw new Refused("unknown kind");
        }
        Set<String> present = new java.util.HashSet<>();
        root.fieldNames().forEachRemaining(present::add);
        if (!present.equals(expected)) {
            throw new Refused("fields of a " + kind + " notice missing or unknown");
        }
        String from = text(root, "from", Notice.ID, false);
        String app = text(root, "app", Notice.APP, true);
        return switch (kind) {
            case "change" -> new Notice.Change(from, app, text(root, "trigger", Notice.TRIGGER, false),
                    text(root, "version", Notice.VERSION, true));
            case "poll" -> new Notice.Poll(from, app, text(root, "version", Notice.VERSION, true));
            case "view" -> view(root, from, app);
            default -> new Notice.Bye(from, app);
        };
    }

    private static Notice.View view(JsonNode root, String from, String app) throws Refused {
        long seq = number(root.path("seq"), "seq", 0, Long.MAX_VALUE);
        int parts = (int) number(root.path("parts"), "parts", 1, 100);
        int part = (int) number(root.path("part"), "part", 1, parts);
        String polling = text(root, "polling", null, true);
        if (polling != null && !ROLES.contains(polling)) {
            throw new Refused("polling is not a role");
        }
        Integer connections = root.path("connections").isNull() ? null
                : (int) number(root.path("connections"), "connections", 0, 1_000_000);
        JsonNode list = root.path("credentials");
        if (!list.isObject() || list.size() > 1000) {
            throw new Refused("credentials is not an object of at most 1000");
        }
        Map<String, Notice.Held> credentials = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : list.properties()) {
            if (!Notice.CREDENTIAL.matcher(entry.getKey()).matches() || !(entry.getValue() instanceof ArrayNode held)
                    || held.size() != 3 || !held.get(1).isTextual() || !STATES.contains(held.get(1).textValue())) {
                throw new Refused("a credential is not [generation, state, since]");
            }
            credentials.put(entry.getKey(), new Notice.Held((int) number(held.get(0), "generation", 1, Integer.MAX_VALUE),
                    held.get(1).textValue(), number(held.get(2), "since", 0, Long.MAX_VALUE)));
        }
        return new Notice.View(from, app, seq, part, parts, text(root, "version", Notice.VERSION, true), polling,
                connections, credentials);
    }

    private static String text(JsonNode root, String field, Pattern pattern, boolean nullable) throws Refused {
        JsonNode value = root.path(field);
        if (value.isNull() && nullable) {
            return null;
        }
        if (!value.isTextual() || (pattern != null && !pattern.matcher(value.textValue()).matches())) {
            throw new Refused(field + " is not " + (nullable ? "null or " : "") + "a well-formed value");
        }
        return value.textValue();
    }

    private static long number(JsonNode value, String field, long min, long max) throws Refused {
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw new Refused(field + " is not a whole number from " + min + " to " + max);
        }
        return value.longValue();
    }
}
