"""Staff pages of scheduling, one module per group: ``appointments`` (one client's appointments and the
integrations due), ``calendar`` (the day and week calendars), ``configure`` (rooms and settings, for
admins). The secret calendar feed is ``scheduling.feeds``."""
