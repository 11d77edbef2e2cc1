"""Database backend used while no server is known; see ``base.py``."""
