"""Casustafel: information system for the Dutch persoonsgerichte aanpak (PGA)."""

__version__ = "0.1.0"
