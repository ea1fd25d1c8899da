"""The organisation's implementation of adopted frameworks: requirement assessments and its own controls
(ISO/IEC 42001 clauses 4–10 as assessed units; 6.1.3 necessary controls; Annex A)."""
