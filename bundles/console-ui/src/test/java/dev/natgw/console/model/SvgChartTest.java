package dev.natgw.console.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class SvgChartTest {

    static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void oneSeriesOnItsOwnAxisBrokenAtGapsWithAHoverValuePerPoint() throws Exception {
        long[] t = {1_000, 2_000, 3_000, 4_000};
        String svg = SvgChart.render(new SvgChart.Series("packets/s <in>", "/s", "#1c7ed6", t,
                new double[]{100, 150, Double.NaN, 180}, 10_000, 5_000), 320, 140);
        Document doc = parse(svg);
        Element root = doc.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("svg");
        assertThat(root.getAttribute("data-top")).isEqualTo("200");
        assertThat(root.getAttribute("data-last")).isEqualTo("180");
        var series = doc.getElementsByTagName("path");
        assertThat(series.getLength()).isEqualTo(1);
        String line = ((Element) series.item(0)).getAttribute("d");
        assertThat(line.split("M")).hasSize(3); // two runs: before and after the gap
        var hover = doc.getElementsByTagName("rect");
        assertThat(hover.getLength()).isEqualTo(3);
        assertThat(hover.item(2).getTextContent()).isEqualTo("00:00:04 UTC: 180/s");
        assertThat(svg).contains("packets/s &lt;in&gt;");
        // the x axis ends at now: the newest point, 1 s before now on a 10 s axis, is 90 % of the way across
        double plotW = 320 - 44 - 8;
        assertThat(line).endsWith(SvgChart.fmt(44 + plotW * 0.9) + " " + SvgChart.fmt(30 + 92 - 92 * 180 / 200.0));
    }

    @Test
    void manyPointsShareAHoverTargetThatShowsTheirPeak() throws Exception {
        int n = 300;
        long[] t = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1_000L * (i + 1);
            v[i] = i == 150 ? 9_000 : 100;
        }
        Document doc = parse(SvgChart.render(new SvgChart.Series("packets/s", "/s", "#1c7ed6", t, v, 300_000,
                300_000), 320, 140));
        var hover = doc.getElementsByTagName("rect");
        // 268 units wide: one target per 3 units or more, at most 90
        assertThat(hover.getLength()).isBetween(60, 90);
        double peak = 0;
        for (int i = 0; i < hover.getLength(); i++) {
            peak = Math.max(peak, Double.parseDouble(((Element) hover.item(i)).getAttribute("data-v")));
        }
        assertThat(peak).isEqualTo(9_000);
        assertThat(doc.getDocumentElement().getAttribute("data-top")).isEqualTo("10000");
    }

    @Test
    void smallSeriesGetTheirOwnScaleNotTheLargestOnes() {
        long[] t = {1_000};
        String sessions = SvgChart.render(new SvgChart.Series("new sessions/s", "/s", "#d9480f", t,
                new double[]{0.4}, 10_000, 1_000), 320, 140);
        String packets = SvgChart.render(new SvgChart.Series("packets/s", "/s", "#1c7ed6", t,
                new double[]{125_000}, 10_000, 1_000), 320, 140);
        assertThat(sessions).contains("data-top=\"0.5\"");
        assertThat(packets).contains("data-top=\"200000\"");
        String empty = SvgChart.render(new SvgChart.Series("drops/s", "/s", "#e03131", new long[0], new double[0],
                10_000, 1_000), 320, 140);
        assertThat(empty).contains("data-top=\"1\"").contains("data-last=\"\"").doesNotContain("<path");
    }

    @Test
    void axisMaximumIsRound() {
        assertThat(SvgChart.niceCeiling(0)).isEqualTo(1);
        assertThat(SvgChart.niceCeiling(180)).isEqualTo(200);
        assertThat(SvgChart.niceCeiling(4100)).isEqualTo(5000);
        assertThat(SvgChart.niceCeiling(10)).isEqualTo(10);
        assertThat(SvgChart.niceCeiling(0.3)).isEqualTo(0.5);
        assertThat(SvgChart.label(2_500_000)).isEqualTo("2.5M");
        assertThat(SvgChart.label(0.25)).isEqualTo("0.25");
        assertThat(SvgChart.label(0.5)).isEqualTo("0.5");
        assertThat(SvgChart.label(0)).isEqualTo("0");
        assertThat(SvgChart.hoverValue(3)).isEqualTo("3");
        assertThat(SvgChart.hoverValue(2.25)).isEqualTo("2.3");
    }
}
