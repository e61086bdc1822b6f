package io.pgcreds.http;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * openapi.yaml passes a standard OpenAPI linter: Redocly CLI, at a pinned version installed from npm
 * into a git-ignored cache under target/, with the rules of redocly.yaml (recommended-strict: no
 * error, no warning). A JSON Schema validator ignores what it does not know, so a key that YAML made
 * out of a description with a comma went unnoticed by the contract checks; the linter's struct rule
 * sees it. Needs Node and npm: under CI=true their absence fails the test, elsewhere it is skipped
 * with the reason.
 */
class OpenApiLintIT {
    static final String REDOCLY_VERSION = "2.77.0";
    private static final Path CACHE = Path.of("target", "openapi-lint");
    private static final Path REDOCLY = CACHE.resolve("node_modules/.bin/redocly");

    @Test
    void the_contract_lints_clean_with_redocly_recommended_strict() throws Exception {
        if (!runs("npm", "--version")) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("npm is missing: the contract cannot be linted (apt-get install -y npm)");
            }
            Assumptions.abort("npm is not installed; the contract lint needs Node and npm");
        }
        if (!installedVersion().equals(REDOCLY_VERSION)) {
            Files.createDirectories(CACHE);
            Result install = run(List.of("npm", "install", "--prefix", CACHE.toString(), "--no-audit", "--no-fund",
                    "--loglevel=error", "--no-save", "@redocly/cli@" + REDOCLY_VERSION), 600);
            assertThat(install.exit()).as("npm install @redocly/cli@" + REDOCLY_VERSION + ":\n" + install.output()).isZero();
        }
        assertThat(installedVersion()).isEqualTo(REDOCLY_VERSION);

        Result lint = run(List.of(REDOCLY.toString(), "lint", "openapi.yaml", "--config", "redocly.yaml",
                "--format", "stylish"), 120);
        System.out.println("[figure] redocly " + REDOCLY_VERSION + " lint openapi.yaml (recommended-strict): exit "
                + lint.exit());
        // recommended-strict makes every warning an error, so a clean exit means no finding at all
        assertThat(lint.exit()).as("redocly lint findings:\n" + lint.output()).isZero();
    }

    /** The version of @redocly/cli in the cache, or "" when there is none. */
    private static String installedVersion() throws IOException {
        Path manifest = CACHE.resolve("node_modules/@redocly/cli/package.json");
        if (!Files.exists(manifest) || !Files.isExecutable(REDOCLY)) {
            return "";
        }
        String text = Files.readString(manifest, StandardCharsets.UTF_8);
        java.util.regex.Matcher version = java.util.regex.Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(text);
        return version.find() ? version.group(1) : "";
    }

    private record Result(int exit, String output) {
    }

    private static boolean runs(String... command) {
        try {
            return run(List.of(command), 60).exit() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Result run(List<String> command, long timeoutSeconds) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().put("REDOCLY_TELEMETRY", "off"); // no calls home: the registries are the only network
        builder.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
        builder.environment().put("NO_COLOR", "1");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command.get(0) + " did not finish within " + timeoutSeconds + " s:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new Result(process.exitValue(), output);
    }
}
