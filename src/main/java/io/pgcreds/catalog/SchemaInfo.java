package io.pgcreds.catalog;

/** One schema a credential can see, and its owner. */
public record SchemaInfo(String name, String owner) {
}
