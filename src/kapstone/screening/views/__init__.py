"""Staff pages of screening, one module per group: ``client`` (a client's intake, assessments and
decision, and the screening worklist), ``inquiries`` (triage), ``library`` (the evidence library, the
rule set and the public page's text). The public pages are ``screening.public``."""
