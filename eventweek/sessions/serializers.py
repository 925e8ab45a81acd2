"""The JSON form of an activity, as documented in the OpenAPI document."""

from __future__ import annotations

from eventweek.links import external_url
from eventweek.registrations.seating import Availability
from eventweek.sessions.models import Activity


def activity_json(activity: Activity, availability: Availability) -> dict:
    venue = activity.venue
    return {
        "id": activity.id,
        "kind": activity.kind.value,
        "titles": activity.texts("title"),
        "descriptions": activity.texts("description"),
        "audience": activity.audience.value,
        "languages": activity.languages,
        "start": activity.local_start.isoformat(),
        "end": activity.local_end.isoformat(),
        "venue": None
        if venue is None
        else {
            "name": venue.name,
            "street": venue.street,
            "postcode": venue.postcode,
            "city": venue.city,
            "lat": venue.lat,
            "lon": venue.lon,
        },
        "online_url": activity.online_url,
        "capacity": activity.capacity,
        "seats_left": availability.seats_left,
        "waitlist": availability.waitlist,
        "registration_required": activity.registration_required,
        "registration_open": availability.registration_open,
        "status": activity.status.value,
        "organisation": activity.organisation.text("name", "fr"),
        "demo_data": activity.is_demo,
        "url": external_url("sessions.activity_detail", activity_id=activity.id),
    }
