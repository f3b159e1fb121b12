# hailong tasks. `just` (from the dev extras: .venv/bin/just) runs lint and the whole test suite.
py := ".venv/bin/python"

default: lint test

lint:
    {{py}} -m ruff check api kiosk web analysis tests bench dev.py
    {{py}} -m ruff format --check api kiosk web analysis tests bench dev.py
    {{py}} -m mypy

fmt:
    {{py}} -m ruff format api kiosk web analysis tests bench

test *ARGS:
    {{py}} -m pytest {{ARGS}}

# The message catalogue (web/locale): `just i18n` checks that every msgid of the code, templates, kiosk and
# instruments is in every catalogue, translated, and that no entry is stale; `just i18n update` appends the
# missing ones to translate; `just i18n list` shows every msgid and where it is used.
i18n WHAT="check":
    {{py}} -m web.messages {{WHAT}}

# comment analysis on UIT-VSFC (evaluation data, not shipped: $HAILONG_UIT_VSFC or ../shared/data/uit-vsfc)
eval:
    {{py}} -m bench.eval_comments

# just bench ingest [--client kiosk|integrator] [--db URL]; just bench durability | analysis | comments | page_weight
bench WHAT="ingest" *ARGS:
    {{py}} -m bench.{{WHAT}} {{ARGS}}

# Refresh the README's screenshots (docs/screenshots) from the browser tests that take them.
screenshots:
    HAILONG_SCREENSHOTS={{justfile_directory()}}/docs/screenshots {{py}} -m pytest tests/e2e -k screenshots -p no:cacheprovider

demo:
    .venv/bin/hailong serve --demo
