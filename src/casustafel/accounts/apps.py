from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "casustafel.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from casustafel.core import identity

        # The TOTP secrets are re-encrypted by `casustafel keys rotate` with the BSNs (ADR 0018).
        identity.register_encrypted_field("accounts.AuthenticatorDevice", "key_encrypted")

        from django.contrib.auth.signals import user_logged_in

        # Wet PGA art. 13 lid 1: the designation is looked up once at login and its span kept in
        # the session, so the gate costs no query per page (ADR 0029).
        user_logged_in.connect(_remember_designation, dispatch_uid="casustafel_remember_designation")
        # The login saves the session: it counts as its first renewal (ADR 0051).
        user_logged_in.connect(_stamp_renewal, dispatch_uid="casustafel_stamp_session_renewal")


def _remember_designation(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        from .middleware import remember_designation

        remember_designation(request, user)


def _stamp_renewal(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        from .middleware import stamp_renewal

        stamp_renewal(request.session)
