package io.pgcreds.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi31;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpHeaders;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks an HTTP answer against openapi.yaml: the path and method must be documented, the status
 * listed for that operation, the content type one it declares, and a JSON body valid against its
 * schema (JSON Schema 2020-12 with the OpenAPI 3.1 dialect). Unknown paths must be 404 problems.
 * Thread-safe; schemas are compiled once.
 */
public final class ContractValidator {
    /** Answers the HTTP server gives before any route, on every path (see the document's description). */
    private static final Set<Integer> SERVER_LEVEL = Set.of(414, 431, 505);
    private static final ContractValidator INSTANCE = new ContractValidator(Path.of("openapi.yaml"));
    private final JsonNode document;
    private final String location;
    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    private ContractValidator(Path file) {
        try {
            this.document = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.location = file.toAbsolutePath().toUri().toString();
        this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, builder -> builder
                .metaSchema(OpenApi31.getInstance())
                .defaultMetaSchemaIri(OpenApi31.getInstance().getIri()));
        this.config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    }

    public static ContractValidator instance() {
        return INSTANCE;
    }

    public JsonNode document() {
        return document;
    }

    /** "GET /tables 200" keys of every answer validated so far. */
    public Set<String> seen() {
        return Set.copyOf(seen);
    }

    /** Returns the list of violations; empty when the answer keeps the contract. */
    public List<String> violations(String method, String path, int status, HttpHeaders headers, String body) {
        List<String> problems = new ArrayList<>();
        String template = matchPath(path);
        String contentType = headers.firstValue("content-type").orElse("")
                .split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (template == null) {
            if ((status != 404 && status != 400 && !SERVER_LEVEL.contains(status))
                    || !contentType.equals("application/problem+json")) {
                problems.add("undocumented path " + path + " answered " + status + " " + contentType);
            } else {
                validateBody("#/components/schemas/Problem", body, problems);
            }
            return problems;
        }
        if (SERVER_LEVEL.contains(status) && contentType.equals("application/problem+json")) {
            validateBody("#/components/schemas/Problem", body, problems); // the server's own, on any path
            return problems;
        }
        JsonNode operation = document.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
        if (operation.isMissingNode()) {
            if (status != 405) {
                problems.add("undocumented method " + method + " on " + template + " answered " + status);
            }
            validateBody("#/components/schemas/Problem", body, problems);
            return problems;
        }
        seen.add(method + " " + template + " " + status);
        JsonNode response = resolve(operation.path("responses").path(String.valueOf(status)));
        if (response.isMissingNode()) {
            problems.add(method + " " + template + " answered " + status + ", which the contract does not list");
            return problems;
        }
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            if (body != null && !body.isEmpty()) {
                problems.add(method + " " + template + " " + status + " has a body the contract does not describe");
            }
            return problems;
        }
        if (!content.has(contentType)) {
            problems.add(method + " " + template + " " + status + " answered content type '" + contentType
                    + "', the contract lists " + fieldNames(content));
            return problems;
        }
        if (contentType.endsWith("json")) {
            String pointer = "#/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/"
                    + status + "/content/" + escape(contentType) + "/schema";
            if (operation.path("responses").path(String.valueOf(status)).has("$ref")) {
                pointer = operation.path("responses").path(String.valueOf(status)).path("$ref").asText()
                        + "/content/" + escape(contentType) + "/schema";
            }
            validateBody(pointer, body, problems);
        }
        return problems;
    }

    /** Violations of the Problem schema, for answers that never reach the routes (Jetty's own errors). */
    public List<String> problemViolations(String body) {
        List<String> problems = new ArrayList<>();
        validateBody("#/components/schemas/Problem", body, problems);
        return problems;
    }

    private void validateBody(String pointer, String body, List<String> problems) {
        JsonSchema schema = schemas.computeIfAbsent(pointer,
                key -> factory.getSchema(SchemaLocation.of(location + key), config));
        try {
            JsonNode node = new ObjectMapper().readTree(body == null ? "" : body);
            if (node == null || node.isMissingNode()) {
                problems.add("empty body where " + pointer + " expects JSON");
                return;
            }
            for (ValidationMessage message : schema.validate(node)) {
                problems.add(pointer + ": " + message.getMessage());
            }
        } catch (IOException e) {
            problems.add("body is not JSON where " + pointer + " expects it: " + e.getMessage());
        }
    }

    private JsonNode resolve(JsonNode node) {
        if (node.has("$ref")) {
            String ref = node.path("$ref").asText();
            JsonNode target = document.at(ref.substring(1));
            return target.isMissingNode() ? node : target;
        }
        return node;
    }

    /** OpenAPI: a concrete path is matched before a templated one. */
    private String matchPath(String path) {
        if (document.path("paths").has(path)) {
            return path;
        }
        Iterator<String> templates = document.path("paths").fieldNames();
        while (templates.hasNext()) {
            String template = templates.next();
            String regex = "^" + Pattern.quote(template).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q") + "$";
            if (path.matches(regex)) {
                return template;
            }
        }
        return null;
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
