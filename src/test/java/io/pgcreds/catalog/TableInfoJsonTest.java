package io.pgcreds.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgcreds.http.JsonAnswers;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TableInfoJsonTest {
    private final ObjectMapper service = JsonAnswers.mapper();
    private final ObjectMapper plain = new ObjectMapper();

    @Test
    void a_row_is_written_as_the_bean_serializer_would_write_it() throws Exception {
        List<TableInfo> rows = List.of(new TableInfo("public", "orders", "BASE TABLE", List.of("INSERT", "SELECT"), true, true),
                new TableInfo("we\"ird\\schema", "tä\u0001ble \uD83D\uDE00", "VIEW", List.of(), false, false));
        TablePage page = new TablePage("DATABASE", 3, null, 100, 0, false, rows);

        assertThat(service.getSerializerProviderInstance().findValueSerializer(TableInfo.class))
                .as("the answers' mapper writes rows with the streaming serializer").isInstanceOf(TableInfo.Json.class);
        assertThat(service.writeValueAsString(page)).isEqualTo(plain.writeValueAsString(page));
        assertThat(service.writeValueAsString(rows.get(0)))
                .isEqualTo("{\"schema\":\"public\",\"name\":\"orders\",\"type\":\"BASE TABLE\","
                        + "\"privileges\":[\"INSERT\",\"SELECT\"],\"rowSecurity\":true,\"schemaUsage\":true}");
        assertThat(service.readTree(service.writeValueAsBytes(rows.get(1))).get("name").asText())
                .isEqualTo("tä\u0001ble \uD83D\uDE00");
    }
}
