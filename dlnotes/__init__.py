"""Reference implementations shown on the DL Interview Notes pages.

One module per topic; every public function validates its input and raises a
``ValueError``/``TypeError`` that names the offending argument.
"""
__all__ = ["dropout"]
