package io.pgcreds.catalog;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;
import java.util.List;

/**
 * One row of information_schema.tables as a credential sees it, with what it may do there.
 *
 * @param privileges  the credential's table privileges, sorted ({@link Privileges#TABLE}); empty when it
 *                    sees the table only through column grants
 * @param rowSecurity whether row-level security is enabled on the table
 * @param schemaUsage whether the credential may use the table's schema (USAGE): without it the
 *                    privileges are moot, since it cannot name the table
 */
public record TableInfo(String schema, String name, String type, List<String> privileges, boolean rowSecurity,
                        boolean schemaUsage) {
    public TableInfo {
        privileges = List.copyOf(privileges);
    }

    /**
     * Writes a row as {@code {"schema":..,"name":..,"type":..,"privileges":[..],"rowSecurity":..,"schemaUsage":..}}
     * without reflection and with its field names encoded once: a /tables page is mostly these rows,
     * and the bean serializer's per-field accessor calls were a measurable share of a page's CPU time.
     */
    public static final class Json extends StdSerializer<TableInfo> {
        private static final SerializedString SCHEMA = new SerializedString("schema");
        private static final SerializedString NAME = new SerializedString("name");
        private static final SerializedString TYPE = new SerializedString("type");
        private static final SerializedString PRIVILEGES = new SerializedString("privileges");
        private static final SerializedString ROW_SECURITY = new SerializedString("rowSecurity");
        private static final SerializedString SCHEMA_USAGE = new SerializedString("schemaUsage");

        public Json() {
            super(TableInfo.class);
        }

        @Override
        public void serialize(TableInfo table, JsonGenerator json, SerializerProvider provider) throws IOException {
            json.writeStartObject(table);
            json.writeFieldName(SCHEMA);
            json.writeString(table.schema());
            json.writeFieldName(NAME);
            json.writeString(table.name());
            json.writeFieldName(TYPE);
            json.writeString(table.type());
            json.writeFieldName(PRIVILEGES);
            json.writeStartArray();
            for (String privilege : table.privileges()) {
                json.writeString(privilege);
            }
            json.writeEndArray();
            json.writeFieldName(ROW_SECURITY);
            json.writeBoolean(table.rowSecurity());
            json.writeFieldName(SCHEMA_USAGE);
            json.writeBoolean(table.schemaUsage());
            json.writeEndObject();
        }
    }
}
