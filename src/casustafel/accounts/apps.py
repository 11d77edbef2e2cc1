from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "casustafel.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from casustafel.core import identity

        # The TOTP secrets are re-encrypted by `casustafel keys rotate` with the BSNs (ADR 0018).
        identity.register_encrypted_field("accounts.AuthenticatorDevice", "key_encrypted")
