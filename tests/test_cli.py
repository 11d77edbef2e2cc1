"""The ``casustafel`` command: demo, totp, token."""

import json
import re

import pytest
from django_otp import match_token
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed

from casustafel import cli
from casustafel.accounts.models import Region, Role, User
from casustafel.cases import states as case_states
from casustafel.cases.models import Case
from casustafel.cli import main
from casustafel.demo import DEMO_PASSWORD, REGIONS
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject
from casustafel.weighing.models import Weighing

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Region, User, Subject, Signal, Weighing, Case, ProcessingLogEntry)
    }


def test_demo_loads_every_role_and_state_and_is_idempotent(capsys):
    assert main(["demo", "--json"]) == 0
    users = json.loads(capsys.readouterr().out)

    assert {u["role"] for u in users} == {str(label) for label in Role.labels}
    assert len({u["username"] for u in users}) == len(users) == sum(len(r["users"]) for r in REGIONS.values())
    assert {u["password"] for u in users} == {DEMO_PASSWORD}
    assert all(User.objects.get(username=u["username"]).check_password(DEMO_PASSWORD) for u in users)
    assert {u["region"] for u in users} == {spec["name"] for spec in REGIONS.values()}

    lindeveld = Region.objects.get(code="lindeveld")
    assert set(Signal.objects.filter(region=lindeveld).values_list("status", flat=True)) == set(
        signal_states.SIGNAL_MACHINE.states
    )
    assert set(Case.objects.filter(region=lindeveld).values_list("status", flat=True)) == set(
        case_states.CASE_MACHINE.states
    )
    # Built through the services: the processing log covers the demo data too.
    assert ProcessingLogEntry.objects.filter(object_type="signal").count() >= Signal.objects.count()

    # Second run (plain output): nothing is created again, the same users are listed.
    first = _counts()
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert _counts() == first
    assert DEMO_PASSWORD in out and "casustafel totp" in out
    assert all(u["username"] in out for u in users)


def test_totp_prints_a_code_the_second_factor_accepts(capsys):
    user = UserFactory(username="demo-totp", is_demo=True)
    assert main(["totp", "demo-totp"]) == 0
    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)
    device = match_token(user, code)
    assert device is not None and device.user_id == user.pk
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert match_token(user, wrong) is None


def test_totp_refuses_a_real_account(capsys):
    UserFactory(username="real-person", is_demo=False)
    assert main(["totp", "real-person"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "demo" in captured.err


def test_totp_unknown_user_exits_2(capsys):
    assert main(["totp", "nobody"]) == 2
    assert capsys.readouterr().out == ""


def test_token_create_issues_a_working_personal_token(capsys):
    user = UserFactory(username="api-user", role=Role.INTAKE_OFFICER)
    assert main(["token", "create", "api-user"]) == 0
    token = capsys.readouterr().out.strip()
    assert token
    authenticated, auth_token = TokenAuthentication().authenticate_credentials(token.encode())
    assert authenticated == user
    assert AuthToken.objects.filter(user=user).count() == 1
    # Only a digest is stored, never the token itself.
    assert token not in {row.digest for row in AuthToken.objects.all()}
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials((token[:-1] + ("A" if token[-1] != "A" else "B")).encode())


@pytest.mark.parametrize("username", ["no-role", "inactive", "unknown"])
def test_token_create_refused(capsys, username):
    if username == "no-role":
        UserFactory(username=username, role="")
    elif username == "inactive":
        UserFactory(username=username, is_active=False)
    assert main(["token", "create", username]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Kan geen token uitgeven" in captured.err
    assert not AuthToken.objects.exists()


def test_administration_commands_connect_as_the_schema_owner(monkeypatch):
    """ADR 0018: the application role may not create accounts or re-encrypt second factors;
    `demo` and `keys` connect as the owner, the commands a user's work needs do not."""
    roles = []
    monkeypatch.setattr(cli, "setup_django", lambda *, as_owner=False: roles.append(as_owner))
    monkeypatch.setattr(cli, "_migrate", lambda: None)
    monkeypatch.setattr("casustafel.demo.load_demo", lambda: [])
    UserFactory(username="demo-rol", is_demo=True)
    for argv in (["demo"], ["keys", "list"], ["totp", "demo-rol"], ["token", "create", "demo-rol"]):
        roles.clear()
        assert main(argv) == 0
        assert roles == [argv[0] in {"demo", "keys"}], argv
