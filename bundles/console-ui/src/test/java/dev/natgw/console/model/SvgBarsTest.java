package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgBarsTest {

    @Test
    void levelsTurnAmberPast80AndRedPast95Percent() {
        assertThat(SvgBars.Level.of(0)).isEqualTo(SvgBars.Level.OK);
        assertThat(SvgBars.Level.of(0.80)).isEqualTo(SvgBars.Level.OK);
        assertThat(SvgBars.Level.of(0.8001)).isEqualTo(SvgBars.Level.HIGH);
        assertThat(SvgBars.Level.of(0.95)).isEqualTo(SvgBars.Level.HIGH);
        assertThat(SvgBars.Level.of(0.9501)).isEqualTo(SvgBars.Level.CRITICAL);
        assertThat(SvgBars.Level.of(1)).isEqualTo(SvgBars.Level.CRITICAL);
    }

    @Test
    void usageBarsCarryTheirFiguresAndColour() throws Exception {
        String svg = SvgBars.usage(List.of(new SvgBars.Usage("default", 700, 150, 1000),
                new SvgBars.Usage("198.19.0.1", 960, 0, 1000), new SvgBars.Usage("worker 0", 1, 0, 64512)), 640);
        Document doc = SvgChartTest.parse(svg);
        NodeList bars = doc.getElementsByTagName("g");
        assertThat(bars.getLength()).isEqualTo(3);
        Element pool = (Element) bars.item(0);
        assertThat(pool.getAttribute("data-key")).isEqualTo("default");
        assertThat(pool.getAttribute("data-used")).isEqualTo("700");
        assertThat(pool.getAttribute("data-held")).isEqualTo("150");
        assertThat(pool.getAttribute("data-free")).isEqualTo("150");
        assertThat(pool.getAttribute("data-level")).isEqualTo("high"); // 85 % in use, held included
        assertThat(pool.getTextContent()).contains("85.0% used");
        assertThat(((Element) bars.item(1)).getAttribute("data-level")).isEqualTo("critical");
        assertThat(svg).contains(SvgBars.Level.CRITICAL.color()).contains(SvgBars.Level.HIGH.color());
        // one port of 64512 still shows as a sliver
        NodeList rects = ((Element) bars.item(2)).getElementsByTagName("rect");
        assertThat(rects.getLength()).isEqualTo(2);
        assertThat(((Element) rects.item(1)).getAttribute("width")).isEqualTo("1");
    }

    @Test
    void countBarsAreScaledToTheLargest() throws Exception {
        Map<String, Long> drops = new LinkedHashMap<>();
        drops.put("fragment", 30L);
        drops.put("ttl", 15L);
        String svg = SvgBars.counts(drops, Map.of("fragment", 33L), "#e03131", 640);
        Document doc = SvgChartTest.parse(svg);
        NodeList bars = doc.getElementsByTagName("g");
        assertThat(bars.getLength()).isEqualTo(2);
        Element first = (Element) bars.item(0);
        Element second = (Element) bars.item(1);
        assertThat(first.getAttribute("data-value")).isEqualTo("30");
        double w1 = Double.parseDouble(((Element) first.getElementsByTagName("rect").item(0)).getAttribute("width"));
        double w2 = Double.parseDouble(((Element) second.getElementsByTagName("rect").item(0)).getAttribute("width"));
        assertThat(w2).isEqualTo(w1 / 2);
        assertThat(first.getTextContent()).contains("30 (33 since start)");
    }
}
