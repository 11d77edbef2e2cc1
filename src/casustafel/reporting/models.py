"""Models of the reporting app (the art. 18 annual report's redaction and publication)."""
