"""kapstone's one settings module: every option comes from the environment.

Safe by default: DEBUG is off, cookies are secure and HSTS is on unless the environment says it is not
served over TLS, and in production the system checks in ``kapstone.checks`` refuse to start without a
real secret key and allowed hosts. The demo (``kapstone demo``) and the tests (``tests/settings.py``)
set what they need explicitly. Every variable is listed in the README.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/systemd secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE points to {path!r}, which cannot be read: {exc}"
            ) from None
    return os.environ.get(name, default)


# production | demo | development | test. Only "production" turns the refusal checks into errors.
ENVIRONMENT = env_str("KAPSTONE_ENVIRONMENT", "production")
if ENVIRONMENT not in {"production", "demo", "development", "test"}:
    raise ImproperlyConfigured(
        f"KAPSTONE_ENVIRONMENT must be production, demo, development or test, not {ENVIRONMENT!r}"
    )

DEBUG = env_bool("KAPSTONE_DEBUG", False)
# A missing key becomes a marked placeholder so that check kapstone.E002 (not a bare Django error)
# refuses it in production; development and tests may run with it.
INSECURE_SECRET_PREFIX = "kapstone-insecure-"  # noqa: S105 - a marker, not a secret
SECRET_KEY = env_secret("KAPSTONE_SECRET_KEY") or f"{INSECURE_SECRET_PREFIX}no-secret-key-set"
ALLOWED_HOSTS = env_list("KAPSTONE_ALLOWED_HOSTS")
# The address staff use, for links in emails sent by background tasks (which have no request).
KAPSTONE_SITE_URL = env_str("KAPSTONE_SITE_URL").rstrip("/")
DATA_DIR = Path(env_str("KAPSTONE_DATA_DIR", str(Path.cwd() / "var"))).resolve()

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks_db",
    "ninja",  # serves its Swagger UI from our static files, not a CDN
    "kapstone.audit",
    "kapstone.practice",
    "kapstone.accounts",
    "kapstone.clients",
    "kapstone.pathway",
    "kapstone.measures",
    "kapstone.screening",
    "kapstone.scheduling",
    "kapstone.register",
    "kapstone.prescribing",
    "kapstone.sessions",
    "kapstone.integration",
    "kapstone.portal",
    "kapstone.home",
    "kapstone.api",
    "kapstone.research",
    "kapstone.demo",
    "kapstone.backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kapstone.practice.middleware.IdleLogoffMiddleware",
    "kapstone.practice.middleware.StaffAccessMiddleware",
    "kapstone.portal.middleware.PortalAccessMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kapstone.urls"
WSGI_APPLICATION = "kapstone.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kapstone.practice.context_processors.practice",
                "kapstone.measures.context_processors.open_alerts",
                "kapstone.home.navigation.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kapstone.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE makes writers queue for the lock up front, so two requests appending to the same
    # audit chain never both read the same head.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Every request is one transaction, so a view and the audit events it writes commit or fail together.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"

# TOTP two-factor for every staff member; the demo turns it off so a visitor can look around.
KAPSTONE_REQUIRE_2FA = env_bool("KAPSTONE_REQUIRE_2FA", ENVIRONMENT != "demo")
OTP_TOTP_ISSUER = env_str("KAPSTONE_OTP_ISSUER", "kapstone")
KAPSTONE_RECOVERY_CODES = 10

# Log off after this much inactivity (HIPAA 164.312(a)(2)(iii) automatic logoff).
KAPSTONE_IDLE_TIMEOUT = timedelta(minutes=env_int("KAPSTONE_IDLE_TIMEOUT_MINUTES", 15, minimum=1))
KAPSTONE_INVITATION_DAYS = env_int("KAPSTONE_INVITATION_DAYS", 7, minimum=1)
# A password-reset link works once, for this long (Django signs the time into the token).
PASSWORD_RESET_TIMEOUT = 60 * env_int("KAPSTONE_PASSWORD_RESET_MINUTES", 60, minimum=5)
# Reset emails one address can be sent per hour, counted in each server process's cache.
KAPSTONE_PASSWORD_RESET_EMAILS_PER_HOUR = 3

# Lock an account + address pair out after repeated failed sign-ins.
AXES_FAILURE_LIMIT = env_int("KAPSTONE_LOCKOUT_ATTEMPTS", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KAPSTONE_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form field; axes would otherwise look for "email"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # axes would log the attempted username (an email address) at INFO
AXES_IPWARE_PROXY_COUNT = env_int("KAPSTONE_PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# --- Sessions, cookies, TLS ---------------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

HTTPS = env_bool("KAPSTONE_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("KAPSTONE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 63072000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("KAPSTONE_HSTS_PRELOAD", False)
# Preloading is hard to undo, so it is the practice's opt-in; do not nag when it is left off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("KAPSTONE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("KAPSTONE_CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict CSP: scripts only from our origin or with the per-response nonce; no inline styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Open API (docs/api.md) -------------------------------------------------------------------------
# Requests one token may make, counted in each server process's cache: "120/min", "2000/hour".
KAPSTONE_API_RATE = env_str("KAPSTONE_API_RATE", "120/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", KAPSTONE_API_RATE):
    raise ImproperlyConfigured(
        f"KAPSTONE_API_RATE must look like 120/min or 2000/hour, not {KAPSTONE_API_RATE!r}"
    )

# --- Email ------------------------------------------------------------------------------------------
EMAIL_BACKEND_PATH = env_str("KAPSTONE_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS: dict[str, dict[str, object]] = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("KAPSTONE_EMAIL_HOST", "localhost"),
        "port": env_int("KAPSTONE_EMAIL_PORT", 25),
        "username": env_str("KAPSTONE_EMAIL_USER") or None,
        "password": env_secret("KAPSTONE_EMAIL_PASSWORD") or None,
        "use_tls": env_bool("KAPSTONE_EMAIL_USE_TLS", False),
        "timeout": 15,
    }
DEFAULT_FROM_EMAIL = env_str("KAPSTONE_FROM_EMAIL", "kapstone <no-reply@localhost>")

# --- Static files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("KAPSTONE_STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Internationalisation and time -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage; pages show each practice's own zone

# --- Background tasks ---------------------------------------------------------------------------------
# The database-backed queue needs a worker process: `kapstone db_worker` (the demo starts one itself).
TASKS = {"default": {"BACKEND": env_str("KAPSTONE_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Logging: no PHI in application logs ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("KAPSTONE_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints URLs, which can carry search terms; keep it to warnings.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every step of every document at INFO; its warnings (a refused URL) stay.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
