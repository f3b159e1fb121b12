"""The dashboard's SVG charts: parsed back as XML, and their geometry checked where it could break."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from analysis.stats.funnel import funnel
from analysis.stats.proportions import proportion
from analysis.stats.spc import p_chart
from web.charts import Bar, Figure, Series, Share, funnel_chart, heatmap, interval_chart, lines_chart, spc_chart
from web.i18n import text

T = text("vi")
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def share(x: int, n: int) -> Share:
    """As the data layer makes them: no value below 10 ratings."""
    return Share(n, proportion(x, n, min_n=10).value)


def svg(figure: Figure) -> ET.Element:
    return ET.fromstring(str(figure.svg))


def at(el: ET.Element) -> tuple[float, float]:
    found = re.fullmatch(r"translate\(([-\d.]+) ([-\d.]+)\)", el.attrib["transform"])
    assert found, el.attrib["transform"]
    return float(found[1]), float(found[2])


def points(root: ET.Element, **attrs: str) -> list[ET.Element]:
    return [
        el
        for el in root.iter("path")
        if "pt" in el.attrib.get("class", "") and all(el.attrib.get(f"data-{k}") == v for k, v in attrs.items())
    ]


def months(count: int) -> list[str]:
    return [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


def stable_series(count: int, jump: int | None = None, drop: int | None = None) -> list[tuple[str, int, int]]:
    """Months at about 88 % with a little wobble; one far above and one far below when asked."""
    rows = []
    for i, month in enumerate(months(count)):
        x = 440 + (i % 3 - 1) * 4
        x = 495 if i == jump else 330 if i == drop else x
        rows.append((month, 500, x))
    return rows


def test_spc_points_outside_the_limits_are_drawn_outside_the_band_and_marked_by_their_rule() -> None:
    result = p_chart(stable_series(18, jump=9, drop=14), target=0.9)
    assert [p.rule for p in result.points].count("outside_limits") == 2
    root = svg(spc_chart(result, T, chart_id="spc", title="p"))
    band = {r.attrib["data-period"]: r for r in root.iter("rect")}
    assert set(band) == {p.period for p in result.points}
    for p in result.points:
        (mark,) = points(root, period=p.period)
        _, y = at(mark)
        top = float(band[p.period].attrib["y"])
        bottom = top + float(band[p.period].attrib["height"])
        assert mark.attrib["data-rule"] == (p.rule or "none")
        if p.rule == "outside_limits" and p.value > (p.upper or 0):
            assert y < top
        elif p.rule == "outside_limits":
            assert y > bottom
        else:
            assert top <= y <= bottom
    shapes = {m.attrib["data-rule"]: m.attrib["d"] for m in points(root)}
    assert shapes["outside_limits"] != shapes["none"]  # not colour alone
    (centre,) = [el for el in root.iter("line") if el.attrib.get("class") == "centre"]
    (target,) = [el for el in root.iter("line") if el.attrib.get("class") == "target"]
    assert float(target.attrib["y1"]) < float(centre.attrib["y1"])  # 90 % is above a centre near 88 %


def test_spc_without_enough_history_draws_no_limits_and_says_why() -> None:
    result = p_chart(stable_series(8))
    figure = spc_chart(result, T, chart_id="spc", title="p")
    root = svg(figure)
    assert not list(root.iter("rect"))
    assert not [el for el in root.iter("line") if el.attrib.get("class") == "centre"]
    assert len(points(root)) == 8
    desc = root.find("desc")
    assert desc is not None and "12" in (desc.text or "")


def test_text_is_escaped_and_the_svg_is_labelled_by_its_title() -> None:
    result = p_chart(stable_series(14))
    figure = spc_chart(result, T, chart_id="c1", title=HOSTILE)
    root = svg(figure)
    assert root.attrib["role"] == "img"
    ids = root.attrib["aria-labelledby"].split()
    assert {el.attrib.get("id") for el in root.iter()} >= set(ids)
    title = root.find("title")
    assert title is not None and title.text == HOSTILE  # text, not markup
    html = str(figure.__html__())
    assert "<script>" not in html and "<img" not in html
    table = ET.fromstring(str(figure.table))
    caption = table.find("caption")
    assert caption is not None and caption.text == HOSTILE
    assert len(table.findall("./tbody/tr")) == 14


def test_funnel_points_stand_where_their_position_says_against_the_drawn_curves() -> None:
    members = [(f"o{i}", n, round(n * 0.9)) for i, n in enumerate(range(40, 440, 20))]
    members += [("high", 300, 298), ("low", 200, 150)]
    found = funnel(members)
    names = {key: f"{HOSTILE} {key}" for key, _, _ in members}
    figure = funnel_chart(found, names, T, chart_id="f", title="funnel")
    root = svg(figure)
    curves = {el.attrib["class"]: el for el in root.iter("polyline")}

    def curve_y(name: str, x: float) -> float:
        xy = [tuple(map(float, pair.split(","))) for pair in curves[name].attrib["points"].split()]
        for (x0, y0), (x1, y1) in itertools.pairwise(xy):
            if x0 <= x <= x1:
                return y0 if x1 == x0 else y0 + (x - x0) / (x1 - x0) * (y1 - y0)
        raise AssertionError(f"x {x} outside the curve {name}")

    marks = points(root)
    assert len(marks) == len(members)
    positions = {p.position for p in found.points}
    assert {"above_998", "below_998", "within"} <= positions
    for mark in marks:
        x, y = at(mark)
        where = mark.attrib["data-position"]
        if where == "above_998":
            assert y < curve_y("upper998", x)
        elif where == "below_998":
            assert y > curve_y("lower998", x)
        elif where == "within":
            assert curve_y("upper95", x) - 0.1 <= y <= curve_y("lower95", x) + 0.1
    titles = [el.findtext("title") or "" for el in marks]
    assert any(HOSTILE in title for title in titles)
    assert HOSTILE not in str(figure.svg)  # escaped in the markup


def test_funnel_leaves_out_no_one_it_is_given_and_draws_nobody_else() -> None:
    shown = [("a", 50, 45), ("b", 80, 70), ("c", 120, 110)]
    root = svg(funnel_chart(funnel(shown), {}, T, chart_id="f", title="f"))
    assert sorted(int(m.attrib["data-n"]) for m in points(root)) == [50, 80, 120]
    empty = svg(funnel_chart(funnel([]), {}, T, chart_id="g", title="g"))
    assert not points(empty)


def test_heatmap_greys_small_cells_and_shows_no_share_for_them() -> None:
    cells = {
        key: share(x, n)
        for key, (n, x) in {(0, 8): (50, 45), (0, 9): (7, 7), (4, 16): (30, 12), (6, 10): (0, 0)}.items()
    }
    figure = heatmap(cells, T, chart_id="h", title="heat", min_n=10)
    root = svg(figure)
    rects = {(r.attrib["data-day"], r.attrib["data-hour"]): r for r in root.iter("rect") if "data-day" in r.attrib}
    assert len(rects) == 7 * len(range(8, 17))
    small = rects[("0", "9")]
    assert small.attrib.get("data-small") == "1" and small.attrib["fill"] == "#e3e3e3"
    assert "90" not in ET.tostring(small, encoding="unicode")  # no share, only its n
    texts = [el.text for el in root.iter("text")]
    assert "n7" in texts and "90" in texts and "40" in texts
    assert rects[("0", "8")].attrib["fill"] != rects[("4", "16")].attrib["fill"]
    table = ET.fromstring(str(figure.table))
    assert any("n = 7" in (td.text or "") for td in table.iter("td"))


def test_interval_chart_draws_estimates_inside_their_whiskers_and_writes_out_small_ones() -> None:
    bars = [
        Bar("Huyện A", 400, 0.9, 0.87, 0.93),
        Bar(HOSTILE, 6, None),
        Bar("Huyện C", 900, 0.8, 0.77, 0.83),
    ]
    root = svg(interval_chart(bars, T, chart_id="b", title="units", target=0.9))
    marks = points(root)
    assert [m.attrib["data-row"] for m in marks] == ["0", "2"]
    whiskers = [el for el in root.iter("path") if el.attrib.get("class") == "ci"]
    for mark, whisker in zip(marks, whiskers, strict=True):
        x, _ = at(mark)
        low, high = map(float, re.findall(r"M([\d.]+) [\d.]+H([\d.]+)", whisker.attrib["d"])[0])
        assert low < x < high
    a, c = (at(m)[0] for m in marks)
    assert a > c  # 90 % is right of 80 %
    assert not list(root.iter("a"))  # nothing focusable inside role="img"
    assert any("n = 6" in "".join(el.itertext()) for el in root.iter("text"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_lines_chart_leaves_a_gap_and_no_mark_where_a_month_has_too_few(lang: str) -> None:
    periods = months(6)
    kiosk = Series("Kiosk", [(p, share(270, 300)) for p in periods])
    receipt = Series("QR", [(p, share(4, 5) if i == 3 else share(30, 40)) for i, p in enumerate(periods)])
    root = svg(lines_chart(periods, [kiosk, receipt], text(lang), chart_id="l", title="channels", min_n=10))
    assert len(points(root, series="Kiosk")) == 6
    qr = points(root, series="QR")
    assert [m.attrib["data-period"] for m in qr] == [p for i, p in enumerate(periods) if i != 3]
    dashed = [el for el in root.iter("polyline") if el.attrib.get("stroke-dasharray")]
    assert [len(el.attrib["points"].split()) for el in dashed] == [3, 2]  # split at the gap
    assert at(qr[0])[1] > at(points(root, series="Kiosk")[0])[1]  # 75 % drawn below 90 %


def test_icons_differ_by_letter_not_colour_alone_and_hide_from_screen_readers() -> None:
    from web.charts import icon

    found = {}
    for kind, value in (("variation", "improvement"), ("variation", "concern"), ("variation", "common_cause")):
        root = ET.fromstring(str(icon(kind, value)))
        assert root.attrib["aria-hidden"] == "true"  # the page writes the words beside it
        found[value] = root.findtext("text")
    assert len(set(found.values())) == 3
    assert str(icon("variation", None)) == "" and str(icon("assurance", "unknown")) == ""
