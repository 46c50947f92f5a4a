"""Default preparation and safety reading, written once per practice and then edited by its admins.

Plain language for clients; the facts follow the sources in kapstone/clinical/data/evidence.toml
(fasting, escort, no driving until the next day, what a session is like, integration).
"""

from .models import Material, MaterialKind

DEFAULTS = [
    (
        MaterialKind.PREPARATION,
        "What a medicine session is like",
        "You will rest in a quiet room with eye shades and music. A trained person stays with you the whole "
        "time and checks your blood pressure and breathing. The strongest effects usually last under an "
        "hour; you stay until you are steady and clear-headed, often two to three hours in all.",
    ),
    (
        MaterialKind.PREPARATION,
        "The day before and the day of",
        "Do not eat for 4 hours before your session and drink only clear fluids until 2 hours before. Do not "
        "drink alcohol for 24 hours before. Wear comfortable clothes. Bring your intention, written down if "
        "that helps.",
    ),
    (
        MaterialKind.PREPARATION,
        "Getting home",
        "Someone must take you home: you may not drive, cycle or use machines until the next day. Tell us "
        "their name and phone number before your session.",
    ),
    (
        MaterialKind.SAFETY,
        "After the session",
        "Rest for the rest of the day. Some people feel tired, a little dizzy or emotional. Write down what "
        "stayed with you; your integration session within a few days helps you make sense of it.",
    ),
    (
        MaterialKind.SAFETY,
        "When to call us",
        "Call the practice if you feel unwell in a way that worries you, if you notice pain when passing "
        "urine, or if dark thoughts do not pass. In a crisis, do not wait: use the crisis numbers on "
        "every page.",
    ),
]


def material_for(practice) -> list[Material]:
    items = list(Material.objects.filter(practice=practice))
    if not items:
        items = Material.objects.bulk_create(
            Material(practice=practice, kind=kind, title=title, body=body, position=index)
            for index, (kind, title, body) in enumerate(DEFAULTS)
        )
    return items
