package io.pgcreds.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.pgcreds.catalog.TableInfo;

import java.time.Instant;

/**
 * JSON answers, written as UTF-8 bytes straight from the one mapper the service builds:
 * {@code ctx.json} builds a String first and encodes it afterwards, twice the work for every
 * /tables page. Thread-safe.
 */
public final class JsonAnswers {
    private final ObjectMapper mapper;

    JsonAnswers(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The JSON mapper of every answer. Instants as ISO-8601 text: all the JSON needs of java.time. Table rows streamed. */
    public static ObjectMapper mapper() {
        return new ObjectMapper()
                .registerModule(new SimpleModule().addSerializer(Instant.class, ToStringSerializer.instance)
                        .addSerializer(TableInfo.class, new TableInfo.Json()));
    }

    void write(Context ctx, Object body) {
        ctx.contentType(ContentType.APPLICATION_JSON).result(bytes(body));
    }

    byte[] bytes(Object body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a " + body.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
