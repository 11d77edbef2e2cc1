"""annual report pages."""
