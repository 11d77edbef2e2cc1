import pytest
from django.utils import timezone

from casustafel.demo import decide_jointly
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.weighing.models import Outcome
from casustafel.weighing.services import DecisionData, submit_contribution

from .factories import build_region, contribution, signal_fields, subject_data


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def log_head_export_per_test(settings, tmp_path):
    """The processing log's head export (ADR 0048) belongs to one database: a fresh file per test."""
    settings.CASUSTAFEL_LOG_HEAD_EXPORT = tmp_path / "log-heads.jsonl"


@pytest.fixture(autouse=True)
def database_scope_follows_test_regions(request):
    """Row-level security (ADR 0014): test code may read every region the test builds.

    Requests (middleware, API authentication) and region-bound jobs narrow the scope
    themselves and restore this one afterwards, so they run under the same policies as in
    production. Without this, test code would see no personal data at all (fail-closed).
    """
    from django.db.models.signals import post_save

    from casustafel.access import rls
    from casustafel.accounts.models import Region

    def widen(sender, instance, created, **kwargs):
        if created:
            rls.extend(instance.pk)

    post_save.connect(widen, sender=Region, dispatch_uid="test-database-scope")
    yield
    post_save.disconnect(sender=Region, dispatch_uid="test-database-scope")
    if {"db", "transactional_db", "live_server"} & set(request.fixturenames) or request.node.get_closest_marker(
        "django_db"
    ):
        rls.reset()


@pytest.fixture
def world(db):
    """Two regions with the same organisations and one user per role."""
    return {"a": build_region("a"), "b": build_region("b")}


@pytest.fixture
def region_a(world):
    return world["a"]


def weigh_all(world_region, weighing, view=Outcome.INCLUDE):
    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        submit_contribution(
            world_region.users[key], weighing=weighing, data=contribution(world_region.region, view=view)
        )


def make_case(world_region, **subject_overrides):
    """Signal → weighing → three contributions → inclusion; returns the case."""
    users = world_region.users
    reg = register_signal(users["intake"], subject=subject_data(**subject_overrides), fields=signal_fields())
    signal = send_to_weighing(users["intake"], signal=reg.signal)
    weigh_all(world_region, signal.weighing)
    decision = decide_jointly(
        users["weigher_gemeente"],
        weighing=signal.weighing,
        data=DecisionData(
            outcome=Outcome.INCLUDE,
            rationale="Samenhangende zorgen.",
            case_director=users["case_director"],
            participants=[(world_region.orgs["reclassering"], "Toezicht loopt")],
        ),
    )
    return decision.case


@pytest.fixture
def case_a(region_a):
    return make_case(region_a)


@pytest.fixture
def signal_a(region_a):
    return register_signal(
        region_a.users["intake"], subject=subject_data(family_name="Signaalpersoon"), fields=signal_fields()
    ).signal


@pytest.fixture
def now():
    return timezone.now()
