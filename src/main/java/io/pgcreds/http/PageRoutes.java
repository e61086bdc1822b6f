package io.pgcreds.http;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.pgcreds.util.Echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The status page: {@code GET /} and its files under {@code /assets/}, read from the jar once at
 * start (HTML, CSS, JavaScript and an icon; no external request), each with its entity tag and
 * compressed once. Public: the page holds no data; it asks for the token and calls the API.
 * Browsers revalidate ({@code Cache-Control: no-cache}), so a new release is seen at the next load
 * and an unchanged file costs a 304. Immutable once built.
 */
final class PageRoutes {
    private static final String ROOT = "/page/";
    private static final Map<String, String> ASSETS = Map.of(
            "app.js", ContentType.JAVASCRIPT,
            "app.css", ContentType.CSS,
            "icon.svg", ContentType.IMAGE_SVG.getMimeType());
    private final Representation index;
    private final Map<String, Representation> assets;
    private final ConditionalGet answers;

    PageRoutes(ConditionalGet answers) {
        this.answers = answers;
        this.index = load("index.html", ContentType.HTML + "; charset=utf-8");
        this.assets = ASSETS.keySet().stream()
                .collect(Collectors.toUnmodifiableMap(file -> file, file -> load(file, type(file))));
    }

    void register(RouteTable routes) {
        routes.get("/", ctx -> serve(ctx, index));
        routes.get("/assets/{file}", ctx -> {
            Representation asset = assets.get(ctx.pathParam("file"));
            if (asset == null) {
                throw new ProblemException(404, "not-found", "Not Found", "no file " + Echo.quoted(ctx.pathParam("file")) + " among the page's assets " + assets.keySet(), null);
            }
            serve(ctx, asset);
        });
    }

    private void serve(Context ctx, Representation file) {
        QueryParams.allowOnly(ctx, Set.of());
        ctx.header(Header.CACHE_CONTROL, "no-cache");
        answers.write(ctx, 200, file);
    }

    private static String type(String file) {
        String type = ASSETS.get(file);
        return type.startsWith("text/") || type.endsWith("javascript") ? type + "; charset=utf-8" : type;
    }

    private static Representation load(String file, String contentType) {
        try (InputStream in = PageRoutes.class.getResourceAsStream(ROOT + file)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + ROOT + file);
            }
            return new Representation(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
