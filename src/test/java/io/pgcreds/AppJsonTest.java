package io.pgcreds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** app.json (the Heroku Button) provisions Postgres, generates the token, and only names settings the README documents. */
class AppJsonTest {

    @Test
    void app_json_provisions_postgres_generates_the_token_and_documents_every_setting() throws IOException {
        JsonNode app = new ObjectMapper().readTree(Path.of("app.json").toFile());
        assertThat(app.path("addons").toString()).contains("heroku-postgresql");
        assertThat(app.at("/buildpacks/0/url").asText()).isEqualTo("heroku/java");
        assertThat(app.at("/env/PGCREDS_API_TOKEN/generator").asText()).isEqualTo("secret");
        String readme = Files.readString(Path.of("README.md"));
        List<String> names = new ArrayList<>();
        app.path("env").fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            assertThat(app.at("/env/" + name + "/description").asText()).as(name).isNotBlank();
            assertThat(readme).as(name + " in the README").contains("`" + name + "`");
        }
    }

    @Test
    void the_procfile_runs_the_jar_with_java_opts_and_the_class_data_archive() throws IOException {
        String procfile = Files.readString(Path.of("Procfile")).strip();
        assertThat(procfile).startsWith("web: java ").contains("$JAVA_OPTS").endsWith("-jar target/pgcreds.jar")
                .contains("-XX:SharedArchiveFile=target/pgcreds.jsa");
        assertThat(Files.readString(Path.of("system.properties"))).contains("java.runtime.version=21");
    }
}
