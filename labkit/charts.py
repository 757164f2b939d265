"""The lessons' charts (``labkit.charts.timeline``, ``load_curve``): :mod:`labkit.render.charts`."""

from __future__ import annotations

from labkit.render.charts import ChartFigure, load_curve, timeline

__all__ = ["ChartFigure", "load_curve", "timeline"]
