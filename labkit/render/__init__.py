"""Everything labkit draws: the SVG picture, the charts and the header notes.

One package, so that a renderer is found in one place. Submodules load on first use:
``charts`` pulls in matplotlib, which ``import labkit`` must not.
"""
