"""The flow from signal to case: the one module that calls across signals, weighing and cases.

signal registered ─► (joins the person's open weighing | acute: escalated) ─► weighing
─► contributions ─► joint decision ─► signals concluded ─► (inclusion) case opened.

The three domain apps do not import each other; their interfaces (pages, API) call this
package for the steps that cross them (ADR 0001).
"""
