"""Steward: an open-source AI management system (ISO/IEC 42001) platform.

Importing this package must stay cheap: the measurement CLI (`steward evaluate`) runs without Django.
"""

__version__ = "0.1.0"
