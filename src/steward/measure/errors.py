"""Errors raised by the measurement engine.

Kept free of third-party imports so that the command line can catch them without paying for numpy or
pyarrow at start-up. Serves ISO/IEC 42001 clause 9.1: a measurement that cannot be made must say why.
"""

from __future__ import annotations


class MeasureInputError(ValueError):
    """Bad input to a measurement: unknown column, non-binary target, empty file, missing values, ...

    The message is one line, meant to be shown to a person as is (the CLI prints it and exits with 2).
    """
