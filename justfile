# hailong tasks. `just` (from the dev extras: .venv/bin/just) runs lint and the whole test suite.
py := ".venv/bin/python"

default: lint test

lint:
    {{py}} -m ruff check api kiosk web analysis tests bench dev.py
    {{py}} -m mypy

fmt:
    {{py}} -m ruff format api kiosk web analysis tests bench

test *ARGS:
    {{py}} -m pytest {{ARGS}}

# comment analysis on UIT-VSFC (evaluation data, not shipped: $HAILONG_UIT_VSFC or ../shared/data/uit-vsfc)
eval:
    {{py}} -m bench.eval_comments

# just bench ingest [--db URL] [--workers N]; just bench page_weight; just bench comments
bench WHAT="ingest" *ARGS:
    {{py}} -m bench.{{WHAT}} {{ARGS}}

demo:
    .venv/bin/hailong serve --demo
