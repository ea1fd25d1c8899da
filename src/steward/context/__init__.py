"""Context of the organisation (ISO/IEC 42001 clause 4): issues and interested parties."""
