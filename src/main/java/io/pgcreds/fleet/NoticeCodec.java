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
 * The wire form of a {@link Notice}: one JSON object, {@code {"v":2,"kind":...,"from":...,"app":...,"inc":...}}
 * plus the fields of its kind and nothing else; a held credential is {@code [generation, state,
 * sinceMillis, fingerprint]}. Version 2 added the incarnation, the fingerprint and {@code hello}: an
 * instance of an earlier release refuses these notices (counted as invalid) while a deploy replaces
 * it, and its own are refused here alike. Decoding is strict, because any role that can connect may NOTIFY: a payload over
 * {@value #MAX_BYTES} bytes, not JSON, with a duplicate, missing or unknown field, a value of the
 * wrong type or outside its pattern is refused with the reason. Stateless and thread-safe.
 */
final class NoticeCodec {
    /** PostgreSQL refuses payloads of 8000 bytes or more. */
    static final int MAX_BYTES = 7999;
    private static final Set<String> STATES = Set.of("active", "pending", "failed", "invalid");
    private static final Set<String> ROLES = Set.of("leader", "follower", "alone");
    private static final int VERSION = 2;
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "change", Set.of("v", "kind", "from", "app", "inc", "trigger", "version"),
            "poll", Set.of("v", "kind", "from", "app", "inc", "version"),
            "view", Set.of("v", "kind", "from", "app", "inc", "seq", "part", "parts", "version", "polling",
                    "connections", "credentials"),
            "hello", Set.of("v", "kind", "from", "app", "inc"),
            "bye", Set.of("v", "kind", "from", "app", "inc"));
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
        ObjectNode root = JSON.createObjectNode().put("v", VERSION);
        if (notice instanceof Notice.Change change) {
            header(root, "change", change).put("trigger", change.trigger()).put("version", change.version());
        } else if (notice instanceof Notice.Poll poll) {
            header(root, "poll", poll).put("version", poll.version());
        } else if (notice instanceof Notice.View view) {
            header(root, "view", view).put("seq", view.seq()).put("part", view.part()).put("parts", view.parts())
                    .put("version", view.version()).put("polling", view.polling()).put("connections", view.connections());
            ObjectNode credentials = root.putObject("credentials");
            view.credentials().forEach((name, held) -> credentials.putArray(name).add(held.generation())
                    .add(held.state()).add(held.sinceMillis()).add(held.fingerprint()));
        } else if (notice instanceof Notice.Hello) {
            header(root, "hello", notice);
        } else {
            header(root, "bye", notice);
        }
        return root.toString();
    }

    private static ObjectNode header(ObjectNode root, String kind, Notice notice) {
        return root.put("kind", kind).put("from", notice.sender().id()).put("app", notice.sender().app())
                .put("inc", notice.sender().incarnation());
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
        if (root == null || !root.isObject() || !root.path("v").isInt() || root.path("v").intValue() != VERSION) {
            throw new Refused("not a version " + VERSION + " notice");
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
        Member from = new Member(text(root, "from", Notice.ID, false), text(root, "app", Notice.APP, true),
                text(root, "inc", Member.INCARNATION, false));
        return switch (kind) {
            case "change" -> new Notice.Change(from, text(root, "trigger", Notice.TRIGGER, false),
                    text(root, "version", Notice.VERSION, true));
            case "poll" -> new Notice.Poll(from, text(root, "version", Notice.VERSION, true));
            case "view" -> view(root, from);
            case "hello" -> new Notice.Hello(from);
            default -> new Notice.Bye(from);
        };
    }

    private static Notice.View view(JsonNode root, Member from) throws Refused {
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
                    || held.size() != 4 || !held.get(1).isTextual() || !STATES.contains(held.get(1).textValue())
                    || !(held.get(3).isNull() || held.get(3).isTextual() && Fingerprints.FORM.matcher(held.get(3).textValue())
                    .matches())) {
                throw new Refused("a credential is not [generation, state, since, fingerprint]");
            }
            credentials.put(entry.getKey(), new Notice.Held((int) number(held.get(0), "generation", 1, Integer.MAX_VALUE),
                    held.get(1).textValue(), number(held.get(2), "since", 0, Long.MAX_VALUE),
                    held.get(3).isNull() ? null : held.get(3).textValue()));
        }
        return new Notice.View(from, seq, part, parts, text(root, "version", Notice.VERSION, true), polling,
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
