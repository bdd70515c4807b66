package dev.natgw.console.views;

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
     * @param rows the rows; the first cell of each also names the row ({@code data-key})
     */
    static void fill(NativeTable table, List<String> headers, List<List<String>> rows) {
        table.removeAll();
        NativeTableHeader head = new NativeTableHeader();
        NativeTableRow h = new NativeTableRow();
        headers.forEach(name -> h.add(new NativeTableHeaderCell(name)));
        head.add(h);
        NativeTableBody body = new NativeTableBody();
        for (List<String> r : rows) {
            NativeTableRow row = new NativeTableRow();
            row.getElement().setAttribute("data-key", r.getFirst());
            for (String cell : r) {
                row.add(new NativeTableCell(cell));
            }
            body.add(row);
        }
        table.add(head, body);
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
