"""RFC 5545 calendars of RCP sessions (one per RCP, one per user)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from rcp.enums import SessionStatus
from rcp.models import Session

PRODID = "-//DCC régional//Agenda des RCP//FR"


def sessions_calendar(sessions: Iterable[Session], *, name: str, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for session in sessions:
        event = Event()
        event.add("uid", f"seance-{session.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", f"RCP {session.rcp.title}")
        place = session.effective_place
        if place:
            event.add("location", place)
        lines = [f"{session.rcp.establishment.name} - {session.rcp.establishment.town}"]
        if session.effective_video_link:
            lines.append(f"Visioconférence : {session.effective_video_link}")
            event.add("url", session.effective_video_link)
        if session.status == SessionStatus.CANCELLED:
            event.add("status", "CANCELLED")
            lines.append(f"Séance annulée : {session.cancel_reason}")
        else:
            event.add("status", "CONFIRMED")
        event.add("description", "\n".join(lines))
        # The sequence grows with each logged change, so calendar clients replace moved events.
        event.add("sequence", getattr(session, "change_count", 0))
        calendar.add_component(event)
    return calendar.to_ical()
