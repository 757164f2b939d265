"""The exchange picture's old import path; it lives in :mod:`labkit.render.svg`."""

from __future__ import annotations

from labkit.render.svg import Picture, alt_text, failing_hop, sequence_svg

__all__ = ["Picture", "alt_text", "failing_hop", "sequence_svg"]
