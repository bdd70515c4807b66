package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SvgChartTest {

    @Test
    void wellFormedSvgWithOnePathPerSeriesBrokenAtGaps() throws Exception {
        String svg = SvgChart.render("rates <test>", 400, 200, 5, List.of(
                new SvgChart.Series("new sessions/s", "#d9480f", new double[]{1, 2, Double.NaN, 4}),
                new SvgChart.Series("packets/s", "#1c7ed6", new double[]{100, 150, 120, 180})));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        var paths = doc.getElementsByTagName("path");
        assertThat(paths.getLength()).isEqualTo(2);
        String sessions = paths.item(0).getAttributes().getNamedItem("d").getNodeValue();
        assertThat(sessions.split("M")).hasSize(3); // two runs: before and after the gap
        assertThat(svg).contains("rates &lt;test&gt;").contains("200");
    }

    @Test
    void axisMaximumIsRound() {
        assertThat(SvgChart.niceCeiling(0)).isEqualTo(1);
        assertThat(SvgChart.niceCeiling(180)).isEqualTo(200);
        assertThat(SvgChart.niceCeiling(4100)).isEqualTo(5000);
        assertThat(SvgChart.niceCeiling(10)).isEqualTo(10);
        assertThat(SvgChart.label(2_500_000)).isEqualTo("2.5M");
        assertThat(SvgChart.label(0.25)).isEqualTo("0.25");
        assertThat(SvgChart.label(0.5)).isEqualTo("0.5");
        assertThat(SvgChart.label(0)).isEqualTo("0");
    }
}
