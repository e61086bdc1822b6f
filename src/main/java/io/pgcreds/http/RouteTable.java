package io.pgcreds.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Registers the API's routes with Javalin and remembers them by path template and method, so that a
 * known path asked with another method is answered 405 with {@code Allow} (RFC 9110 section 15.5.6),
 * including where a literal path ({@code /credentials/reload}) would otherwise fall to a template
 * ({@code GET /credentials/{name}}). Filled while the app is configured, read-only once it serves.
 */
final class RouteTable {
    private final RoutesConfig routes;
    private final Map<String, Set<String>> methodsByTemplate = new LinkedHashMap<>();

    RouteTable(RoutesConfig routes) {
        this.routes = routes;
    }

    void get(String template, Handler handler) {
        remember(template, "GET");
        routes.get(template, handler);
    }

    void post(String template, Handler handler) {
        remember(template, "POST");
        routes.post(template, handler);
    }

    private void remember(String template, String method) {
        methodsByTemplate.computeIfAbsent(template, key -> new TreeSet<>()).add(method);
    }

    /**
     * The methods the resource at {@code path} answers (a GET route answers HEAD too), for an
     * {@code Allow} header: those of the template that is exactly the path, else of every template
     * that matches it. Empty for an unknown path.
     */
    Set<String> allowed(String path) {
        Set<String> literal = methodsByTemplate.get(path);
        if (literal != null) {
            return withHead(literal);
        }
        Set<String> methods = new TreeSet<>();
        methodsByTemplate.forEach((template, templateMethods) -> {
            if (matches(template, path)) {
                methods.addAll(templateMethods);
            }
        });
        return withHead(methods);
    }

    /** True when {@code path} is a literal route that does not answer {@code method}: no template may take it then. */
    boolean literalRefuses(String path, String method) {
        Set<String> literal = methodsByTemplate.get(path);
        return literal != null && !withHead(literal).contains(method);
    }

    private static Set<String> withHead(Set<String> methods) {
        Set<String> all = new TreeSet<>(methods);
        if (all.contains("GET")) {
            all.add("HEAD");
        }
        return all;
    }

    /** {@code /credentials/{name}} matches {@code /credentials/DATABASE}: each {@code {x}} is one non-empty segment. */
    private static boolean matches(String template, String path) {
        List<String> templateSegments = List.of(template.split("/", -1));
        List<String> pathSegments = List.of(path.split("/", -1));
        if (templateSegments.size() != pathSegments.size()) {
            return false;
        }
        for (int i = 0; i < templateSegments.size(); i++) {
            String expected = templateSegments.get(i);
            boolean parameter = expected.startsWith("{") && expected.endsWith("}");
            if (parameter ? pathSegments.get(i).isEmpty() : !expected.equals(pathSegments.get(i))) {
                return false;
            }
        }
        return true;
    }
}
