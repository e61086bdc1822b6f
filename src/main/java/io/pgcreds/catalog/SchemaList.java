package io.pgcreds.catalog;

import java.util.List;

/** The {@code /schemas} answer. */
record SchemaList(String credential, int generation, List<SchemaInfo> schemas) {
    public SchemaList {
        schemas = List.copyOf(schemas);
    }
}
