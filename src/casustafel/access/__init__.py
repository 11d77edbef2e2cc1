"""Access: the need-to-know policy and its second line in the database (row-level security).

Depends only on ``accounts`` (and Django); every domain app asks this package, none is
asked by it. See ADR 0003 (policy) and ADR 0014 (row-level security).
"""
