package dev.natgw.console.views;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.html.NativeTable;
import com.vaadin.flow.component.html.NativeTableBody;
import com.vaadin.flow.component.html.NativeTableCell;
import com.vaadin.flow.component.html.NativeTableHeader;
import com.vaadin.flow.component.html.NativeTableHeaderCell;
import com.vaadin.flow.component.html.NativeTableRow;
import java.util.List;

/** Small HTML tables for figures that change every second (cheaper than a Grid for a handful of rows). */
final class Tables {
    private Tables() {
    }

    /**
     * Replaces a table's content.
     *
     * @param table the table
     * @param headers the column names
     * @param rows the rows of strings, {@link Cell}s or components; the first cell of each also names the row
     *        ({@code data-key})
     */
    static void fill(NativeTable table, List<String> headers, List<? extends List<?>> rows) {
        table.removeAll();
        NativeTableHeader head = new NativeTableHeader();
        NativeTableRow h = new NativeTableRow();
        headers.forEach(name -> h.add(new NativeTableHeaderCell(name)));
        head.add(h);
        NativeTableBody body = new NativeTableBody();
        for (List<?> r : rows) {
            NativeTableRow row = new NativeTableRow();
            row.getElement().setAttribute("data-key", key(r.getFirst()));
            for (Object cell : r) {
                row.add(cell(cell));
            }
            body.add(row);
        }
        table.add(head, body);
    }

    /**
     * A cell's text with its exact value on hover.
     *
     * @param text as shown, such as "3 min ago"
     * @param title the exact value, such as "2026-12-07 14:58:03 UTC"
     */
    record Cell(String text, String title) {
    }

    private static String key(Object first) {
        return switch (first) {
            case Cell c -> c.text();
            case Component c -> c.getElement().getText();
            default -> String.valueOf(first);
        };
    }

    private static NativeTableCell cell(Object value) {
        return switch (value) {
            case Cell c -> {
                NativeTableCell td = new NativeTableCell(c.text());
                td.getElement().setAttribute("title", c.title());
                yield td;
            }
            case Component c -> {
                NativeTableCell td = new NativeTableCell();
                td.add(c);
                yield td;
            }
            default -> new NativeTableCell(String.valueOf(value));
        };
    }

    /**
     * A table with an id.
     *
     * @param id its id
     * @return the table
     */
    static NativeTable table(String id) {
        NativeTable t = new NativeTable();
        t.setId(id);
        t.addClassName("natgw-table");
        return t;
    }
}
