"""The inspector's summary and header notes' old import path: :mod:`labkit.render.notes`."""

from __future__ import annotations

from labkit.render.notes import HEADER_NOTES, explained_headers, summary

__all__ = ["HEADER_NOTES", "explained_headers", "summary"]
