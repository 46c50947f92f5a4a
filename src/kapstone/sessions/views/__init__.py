"""Staff pages of medicine sessions, one module per group: ``session`` (one session's record: checklist,
order, dose, vitals, observations, amendments), ``board`` (the live board and the fragment it polls),
``setup`` (protocol settings, a client's sessions, dose plan, start), ``end`` (discharge, cancelling,
the summary and the reporting form)."""
