"""Deterministic demo data in the shape of Hoà Bình province (``hailong demo-data``, ``serve --demo``)."""

from api.demo.generate import DemoSummary, fill_demo

__all__ = ["DemoSummary", "fill_demo"]
