"""Accountability and insight (verantwoording): figures about the approach, never about a person.

Wet PGA art. 18 (the yearly public report per casusoverleg) and art. 24 (the evaluation) need
figures; every published figure passes small-number suppression (``suppression``) first.
"""
