"""The evidence store shared by every module: files (hashed, type-checked, size-limited), links and
generated records, with revisions and validity dates (ISO/IEC 42001 7.5, 9.1)."""
