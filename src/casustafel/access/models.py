"""No models: the access layer owns rules, not data.

The module exists so that Django sends this app ``post_migrate`` (it skips apps without a
models module), which installs the row-level security policies and grants (``rls.install``).
"""
