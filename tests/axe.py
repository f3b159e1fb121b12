"""Accessibility checked by a real tool: axe-core, vendored for the tests only (``tests/vendor/axe-core``, its
version and licence there), run inside a Playwright page.

``assert_no_serious(page)`` fails listing every serious or critical violation of the page as it is shown
now (axe skips hidden elements, so call it once per screen). The script is evaluated through the
DevTools protocol, which a page's Content-Security-Policy does not restrict: the page under test keeps
its real headers. Pages opened with JavaScript disabled are checked too (see :func:`violations`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)

RUN = """async ([selector, rules]) => {
  const options = { resultTypes: ['violations'] };
  if (rules.length) options.rules = Object.fromEntries(rules.map((r) => [r, { enabled: false }]));
  const found = await axe.run(selector ? { include: [selector] } : document, options);
  return found.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\\s+/g, ' ')}`) }));
}"""


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;true"


def _run(page: Any, selector: str | None, skip: tuple[str, ...]) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    found: list[dict[str, Any]] = page.evaluate(RUN, [selector, list(skip)])
    return found


def violations(page: Any, selector: str | None = None, *, skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every axe violation on the page (or under ``selector``), whatever its impact.

    A page opened with JavaScript disabled runs no timer, so axe cannot run in it: its document, as shown
    (without its scripts), is checked in a scratch page of the same size instead."""
    if not page.evaluate("() => matchMedia('(scripting: none)').matches"):
        return _run(page, selector, skip)
    html = SCRIPT.sub("", page.content())
    scratch = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        copy = scratch.new_page()
        copy.set_content(html)
        return _run(copy, selector, skip)
    finally:
        scratch.close()


def assert_no_serious(page: Any, selector: str | None = None, *, skip: tuple[str, ...] = ()) -> None:
    """Fail listing each serious or critical violation: rule, help text, and the elements at fault.

    ``skip`` names axe rules to leave out; say why wherever it is used."""
    bad = [v for v in violations(page, selector, skip=skip) if v["impact"] in SERIOUS]
    lines = [f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:8]) for v in bad]
    assert not bad, f"axe-core found {len(bad)} serious or critical violation(s) on {page.url}:\n" + "\n".join(lines)
