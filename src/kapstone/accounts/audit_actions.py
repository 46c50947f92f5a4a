"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "accounts.login.succeeded": "Signed in",
    "accounts.login.failed": "Failed sign-in attempt",
    "accounts.logout": "Signed out",
    "accounts.2fa.enrolled": "Set up two-factor sign-in",
    "accounts.2fa.verified": "Passed two-factor sign-in",
    "accounts.2fa.failed": "Entered a wrong two-factor code",
    "accounts.2fa.recovery_codes.created": "Created new recovery codes",
    "accounts.invitation.accepted": "Accepted an invitation and set a password",
    "accounts.password.reset_requested": "Asked for a password-reset email",
    "accounts.password.reset_done": "Chose a new password through a reset link",
}
