"""Statement of Applicability (ISO/IEC 42001 6.1.3): versioned, validated, approved, exported."""
