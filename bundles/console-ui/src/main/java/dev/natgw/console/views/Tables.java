package dev.natgw.console.views;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.ComponentUtil;
import com.vaadin.flow.component.html.NativeTable;
import com.vaadin.flow.component.html.NativeTableBody;
import com.vaadin.flow.component.html.NativeTableCell;
import com.vaadin.flow.component.html.NativeTableHeader;
import com.vaadin.flow.component.html.NativeTableHeaderCell;
import com.vaadin.flow.component.html.NativeTableRow;
import com.vaadin.flow.dom.Element;
import java.util.ArrayList;
import java.util.List;

/**
 * Small HTML tables for figures that change every second (cheaper than a Grid for a handful of rows). A refresh
 * changes only what changed, and a changed figure is written as the cell's {@code innerText} property, not as a new
 * text node: Vaadin keeps one pending value per property until the browser takes it, where every replaced node would
 * be kept with its changes (a tab that is slow to take its pushes would hold a second's worth of nodes per second).
 */
final class Tables {
    private Tables() {
    }

    /** What a table shows now: kept on the table to compare the next refresh with. */
    private record Shown(List<String> headers, List<List<Object>> rows, List<List<NativeTableCell>> cells) {
    }

    /**
     * Shows rows in a table: in place when only figures changed, rebuilt when the shape did.
     *
     * @param table the table
     * @param headers the column names
     * @param rows the rows of strings, {@link Cell}s or components; the first cell of each also names the row
     *        ({@code data-key}); a row with a component is rebuilt when any of its values changes
     */
    static void fill(NativeTable table, List<String> headers, List<? extends List<?>> rows) {
        List<List<Object>> now = new ArrayList<>();
        for (List<?> r : rows) {
            now.add(new ArrayList<>(r));
        }
        Shown before = ComponentUtil.getData(table, Shown.class);
        if (before != null && before.headers().equals(headers) && sameShape(before.rows(), now)) {
            for (int i = 0; i < now.size(); i++) {
                List<Object> was = before.rows().get(i);
                List<Object> is = now.get(i);
                for (int j = 0; j < is.size(); j++) {
                    if (!same(was.get(j), is.get(j))) {
                        write(before.cells().get(i).get(j), is.get(j));
                    }
                }
                if (!key(was.getFirst()).equals(key(is.getFirst()))) {
                    before.cells().get(i).getFirst().getParent().ifPresent(row -> row.getElement().setAttribute(
                            "data-key", key(is.getFirst())));
                }
            }
            ComponentUtil.setData(table, Shown.class, new Shown(before.headers(), now, before.cells()));
            return;
        }
        table.removeAll();
        NativeTableHeader head = new NativeTableHeader();
        NativeTableRow h = new NativeTableRow();
        headers.forEach(name -> h.add(new NativeTableHeaderCell(name)));
        head.add(h);
        NativeTableBody body = new NativeTableBody();
        List<List<NativeTableCell>> cells = new ArrayList<>();
        for (List<Object> r : now) {
            NativeTableRow row = new NativeTableRow();
            row.getElement().setAttribute("data-key", key(r.getFirst()));
            List<NativeTableCell> rowCells = new ArrayList<>();
            for (Object value : r) {
                NativeTableCell td = new NativeTableCell();
                write(td, value);
                row.add(td);
                rowCells.add(td);
            }
            cells.add(rowCells);
            body.add(row);
        }
        table.add(head, body);
        ComponentUtil.setData(table, Shown.class, new Shown(List.copyOf(headers), now, cells));
    }

    /** Same rows and columns, and every component cell equal: then only texts change. */
    private static boolean sameShape(List<List<Object>> was, List<List<Object>> is) {
        if (was.size() != is.size()) {
            return false;
        }
        for (int i = 0; i < is.size(); i++) {
            if (was.get(i).size() != is.get(i).size()) {
                return false;
            }
            for (int j = 0; j < is.get(i).size(); j++) {
                Object a = was.get(i).get(j);
                Object b = is.get(i).get(j);
                if ((a instanceof Component || b instanceof Component) && !same(a, b)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Component ca && b instanceof Component cb) {
            return ca.getClass() == cb.getClass() && text(ca).equals(text(cb))
                    && ca.getElement().getAttribute("href") != null
                    && ca.getElement().getAttribute("href").equals(cb.getElement().getAttribute("href"));
        }
        return a.equals(b);
    }

    private static void write(NativeTableCell td, Object value) {
        switch (value) {
            case Cell c -> {
                text(td.getElement(), c.text());
                td.getElement().setAttribute("title", c.title());
            }
            case Component c -> {
                td.removeAll();
                td.add(c);
            }
            default -> text(td.getElement(), String.valueOf(value));
        }
    }

    /**
     * Sets an element's text as its {@code innerText} property, only if it changed.
     *
     * @param e the element
     * @param text the text
     */
    static void text(Element e, String text) {
        if (!text.equals(e.getProperty("innerText"))) {
            e.setProperty("innerText", text);
        }
    }

    private static String text(Component c) {
        String t = c.getElement().getProperty("innerText");
        return t == null ? c.getElement().getText() : t;
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
            case Component c -> text(c);
            default -> String.valueOf(first);
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
