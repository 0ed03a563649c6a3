"""Reference implementations shown on the DL Interview Notes pages.

One module per topic (``dlnotes.dropout``, ``dlnotes.receptive_field``, …), numpy-first.
Every public function validates its input with ``dlnotes._check`` and raises a
``ValueError``/``TypeError`` that names the offending argument.
"""
