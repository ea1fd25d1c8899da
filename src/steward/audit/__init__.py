"""The tamper-evident audit trail (change records, hash-chained per organisation) and journals."""
