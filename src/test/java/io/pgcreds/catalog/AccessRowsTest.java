package io.pgcreds.catalog;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The matrix's merge of several credentials' lists, its order and its pages; the privilege masks. */
class AccessRowsTest {

    @Test
    void every_mask_is_a_sorted_list_without_repeats() {
        assertThat(Privileges.ofTable(0)).isEmpty();
        assertThat(Privileges.ofTable(255)).isEqualTo(Privileges.TABLE).isSorted();
        assertThat(Privileges.ofTable(16 + 2)).containsExactly("INSERT", "SELECT");
        assertThat(Privileges.ofTable(4)).containsExactly("MAINTAIN");
        assertThat(Privileges.ofColumn(4 + 8)).containsExactly("SELECT", "UPDATE");
        for (int mask = 0; mask < 256; mask++) {
            assertThat(Privileges.ofTable(mask)).isSorted().doesNotHaveDuplicates().hasSize(Integer.bitCount(mask));
        }
    }

    @Test
    void names_sort_by_code_point_as_the_server_sorts_them_in_the_c_collation() {
        // UTF-16 order puts U+FB01 after U+1F600's surrogates; UTF-8 byte order (the server's) puts it before
        List<String> names = new ArrayList<>(List.of("\uD83D\uDE00", "\uFB01", "b", "B", "a b", "ab", "a"));
        names.sort(AccessRows::compareCodePoints);
        assertThat(names).containsExactly("B", "a", "a b", "ab", "b", "\uFB01", "\uD83D\uDE00");
    }

    @Test
    void a_page_of_the_union_has_every_credential_and_null_where_it_cannot_see_the_table() {
        TablePage analyst = page("ANALYST", table("public", "orders", "SELECT"), table("public", "zeta"));
        TablePage owner = page("DATABASE", table("public", "accounts", "SELECT", "UPDATE"),
                table("public", "orders", "DELETE", "SELECT"));
        AccessRows rows = new AccessRows(List.of(analyst, owner));
        assertThat(rows.size()).isEqualTo(3);
        List<AccessPage.Row> all = rows.rows(0, 10);
        assertThat(all).extracting(AccessPage.Row::name).containsExactly("accounts", "orders", "zeta");
        Map<String, List<String>> accounts = new HashMap<>();
        accounts.put("ANALYST", null);
        accounts.put("DATABASE", List.of("SELECT", "UPDATE"));
        assertThat(all.get(0).credentials()).isEqualTo(accounts);
        assertThat(all.get(0).credentials().keySet()).containsExactly("ANALYST", "DATABASE");
        assertThat(all.get(2).credentials()).containsEntry("ANALYST", List.of()).containsEntry("DATABASE", null);
        assertThat(rows.rows(1, 1)).extracting(AccessPage.Row::name).containsExactly("orders");
        assertThat(rows.rows(3, 1)).isEmpty();
    }

    private static TableInfo table(String schema, String name, String... privileges) {
        return new TableInfo(schema, name, "BASE TABLE", Arrays.asList(privileges), false, true);
    }

    private static TablePage page(String credential, TableInfo... tables) {
        return new TablePage(credential, 1, null, 100, 0, false, List.of(tables));
    }
}
