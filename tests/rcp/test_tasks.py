"""The nightly generation through a real Celery worker, and its beat schedule."""

import pytest
from django.conf import settings

from rcp.models import Session
from rcp.tasks import generate_sessions
from tests.rcp.factories import RecurrenceFactory


def test_generation_is_scheduled_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["rcp-generate-sessions"]
    assert entry["task"] == generate_sessions.name == "rcp.tasks.generate_sessions"
    assert entry["schedule"].hour == {2}


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_worker_generates_the_coming_sessions_once(celery_queue):
    recurrence = RecurrenceFactory()
    created = generate_sessions.apply_async(queue=celery_queue).get(timeout=60)
    assert created == Session.objects.filter(recurrence=recurrence).count() > 20
    assert generate_sessions.apply_async(queue=celery_queue).get(timeout=60) == 0
