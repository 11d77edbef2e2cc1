from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "casustafel.accounts"
    label = "accounts"
    verbose_name = "Accounts"
