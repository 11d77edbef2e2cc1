"""Migration import: existing signals and cases from a region's current system (issue 14 item 4, ADR 0046)."""
