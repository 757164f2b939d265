"""Everything labkit draws: text, HTML, the SVG picture, charts and header notes.

* ``palette``: every colour, defined once (status classes, ink and paper, the marks on the
  notebook and the pictures' paper and ink in JupyterLab's light and dark theme, its theme
  variables, the board's page);
* ``view``: the shapes the renderers read (an exchange, a burst), as Protocols;
* ``text``: durations, bytes made visible, an exchange's story (its ``repr``);
* ``html``: an exchange's hop table (its HTML in Jupyter);
* ``svg``: the sequence diagram (``ex.picture()``);
* ``charts``: the 504 timeline and the 503 load curve (matplotlib);
* ``notes``: the inspector's summary and what each response header means.

The exchange imports these; none of them imports the exchange (or the lab) back: they
read fields through ``view``'s Protocols and the recorder's events. Submodules load on
first use: ``charts`` pulls in matplotlib, which ``import labkit`` must not.
"""
