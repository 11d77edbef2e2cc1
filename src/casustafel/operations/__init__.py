"""Operations: backup, restore and the restore drill (ADR 0047). No models, no pages."""
