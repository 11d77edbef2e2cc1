"""Builders for case-conference tests (used by the meeting tests and the authorization matrices)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from casustafel.meetings import services


def schedule(world_region, *, days: int = 7, hours: int = 2, location: str = "Stadhuis, zaal 3"):
    # At 10:00 local time: a meeting "now + 7 days" scheduled late in the evening would run past
    # midnight, which a same-day edit form cannot show (the browser test failed after 22:00).
    day = timezone.localdate() + timedelta(days=days)
    start = timezone.make_aware(datetime.combine(day, time(10, 0)))
    return services.schedule_meeting(
        world_region.users["process_director"],
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        location=location,
    )


def meeting_with_case(world_region, case):
    """A meeting with ``case`` on the agenda and an open action owned by the reclassering."""
    chair = world_region.users["process_director"]
    meeting = schedule(world_region)
    item = services.add_agenda_item(chair, meeting=meeting, case=case)
    action = services.add_action(
        chair,
        item=item,
        description="Huisbezoek afleggen",
        owner=world_region.orgs["reclassering"],
        due_date=timezone.localdate() + timedelta(days=14),
    )
    return meeting, item, action


def meeting_objects(world_region, case) -> dict:
    meeting, item, action = meeting_with_case(world_region, case)
    return {"meeting": {"pk": meeting.pk}, "agenda_item": {"pk": item.pk}, "meeting_action": {"pk": action.pk}}
