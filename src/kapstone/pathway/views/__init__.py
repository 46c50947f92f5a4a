"""Staff pages of the pathway, one module per group: ``episodes`` (an episode, its timeline, readiness,
preparation and escort), ``consent`` (a client's consents and the practice's consent documents),
``programmes`` (the practice's programme templates). The client's signing page is ``pathway.public``."""
