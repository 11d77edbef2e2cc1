"""My work (werkvoorraad): what is waiting for the user's organisation, across the apps,
and the e-mail notifications about it.

The work queue is read from the domain apps' selectors and the access policy; it stores
nothing. Notifications remember which queue items a user was told about, and queue the
messages in PostgreSQL (the outbox) for the SMTP server.
"""
