"""council report pages."""
