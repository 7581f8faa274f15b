"""Settings shared by every environment. Secrets and the database come from the environment."""

import os
from pathlib import Path

import dj_database_url

from thrive.accounts.sso_settings import providers_from_environment

# The repository root: node_modules (NHS.UK frontend assets) and var/ (the SQLite file) live here.
PROJECT_DIR = Path(os.environ.get("THRIVE_HOME", Path(__file__).resolve().parents[4]))
VAR_DIR = PROJECT_DIR / "var"

SECRET_KEY = os.environ.get("THRIVE_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = os.environ.get("THRIVE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "thrive.core",
    "thrive.accounts",
    "thrive.people",
    "thrive.care",
    "thrive.risk",
    "thrive.directory",
    "thrive.sharing",
    "thrive.measures",
    "thrive.analytics",
    "thrive.history",
    "thrive.community",
    "thrive.assessment",
]

MIDDLEWARE = [
    # First: behind trusted proxies, REMOTE_ADDR becomes the client's address, for the audit log
    # and the sign-in lockout alike (THRIVE_TRUSTED_PROXIES below).
    "thrive.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "thrive.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "thrive.core.null_characters.RefuseNullCharactersMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "thrive.measures.middleware.HandOverMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "thrive.measures.middleware.FhirSignInMiddleware",
    "thrive.core.middleware.SignInRequiredMiddleware",
    "thrive.accounts.middleware.SignInStepsMiddleware",
    "axes.middleware.AxesMiddleware",
    "thrive.sharing.access_audit.AccessDecisionAuditMiddleware",
]

ROOT_URLCONF = "thrive.config.urls"
WSGI_APPLICATION = "thrive.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "thrive.config.jinja2.environment",
            "context_processors": ["django.contrib.messages.context_processors.messages",
                                   "thrive.core.middleware.csp_nonce"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'thrive.sqlite3'}", conn_max_age=60
    )
}
# SQLite is production for a small service, so it must hold a busy clinic (decision 0017):
# WAL lets readers and the one writer work at once; IMMEDIATE transactions take the write lock at
# BEGIN, so two saves queue behind the busy timeout (the second then sees the first's version and
# gets "someone else changed this") instead of failing with "database is locked" when both try
# to upgrade a read lock.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": int(os.environ.get("THRIVE_SQLITE_BUSY_TIMEOUT_SECONDS", 30)),
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "care:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Django's list misses long runs of one or two characters (aaaaaaaaaaaa, abababababab).
    {"NAME": "thrive.accounts.validators.VarietyValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Repeated failed sign-ins (a wrong password or a wrong second-step code) lock that username
# from that address for a while: the pair, so one person's mistakes behind a shared NAT address
# never lock out their colleagues, and an attacker cannot lock someone out from elsewhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Axes masks these in its logs (its default, plus the second-step code).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "thrive.accounts.views.locked_out"

# Two-step sign-in (an authenticator app's code after the password) is optional for everyone and
# required for the roles listed here, e.g. THRIVE_2FA_REQUIRED_ROLES=system_admin,agency_admin,
# privacy_officer. Empty by default, so the demo's users sign in with their password alone.
THRIVE_2FA_REQUIRED_ROLES = frozenset(
    role.strip() for role in os.environ.get("THRIVE_2FA_REQUIRED_ROLES", "").split(",")
    if role.strip())
OTP_TOTP_ISSUER = "THRIVE"

# Single sign-on with OpenID Connect (decision 0024): none unless THRIVE_OIDC_PROVIDERS names
# them; accounts/sso_settings.py lists each provider's variables.
THRIVE_OIDC_PROVIDERS = providers_from_environment(os.environ)
# How long an administrator's link code (the first single sign-on of an account) stays usable.
THRIVE_OIDC_LINK_CODE_DAYS = int(os.environ.get("THRIVE_OIDC_LINK_CODE_DAYS", 7))

# Sessions end after 30 minutes without a request, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("THRIVE_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("THRIVE_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STATICFILES_DIRS = [
    ("nhsuk", PROJECT_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
    ("htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vega", PROJECT_DIR / "node_modules" / "vega" / "build"),
    ("vega-lite", PROJECT_DIR / "node_modules" / "vega-lite" / "build"),
    ("vega-embed", PROJECT_DIR / "node_modules" / "vega-embed" / "build"),
    ("leaflet", PROJECT_DIR / "node_modules" / "leaflet" / "dist"),
]

# A map of directory search results, drawn with Leaflet over these map tiles (for example
# https://tile.openstreetmap.org/{z}/{x}/{y}.png, within the tile provider's usage policy). Unset:
# no map, and the results list is the whole page. The tile host is allowed in the CSP for
# images only. The attribution is shown on the map (trusted HTML from the operator).
THRIVE_MAP_TILE_URL = os.environ.get("THRIVE_MAP_TILE_URL", "")
THRIVE_MAP_ATTRIBUTION = os.environ.get(
    "THRIVE_MAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors')

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Request lines carry no personal data (no identifiers in URLs), so they are safe to log.
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Records that outlive an episode (docs/decisions/0009-records-outlive-episodes.md). An agency keeps a
# read-only relationship with a young person it served until the later of: this many years after
# its last episode with them ended or was declined (mental health records: 20 years, NHS Records
# Management Code of Practice 2023), and their 25th birthday (children's records).
THRIVE_RECORD_RETENTION_YEARS = int(os.environ.get("THRIVE_RECORD_RETENTION_YEARS", 20))
THRIVE_RECORD_RETENTION_UNTIL_AGE = int(os.environ.get("THRIVE_RECORD_RETENTION_UNTIL_AGE", 25))
# The lead practitioner may still add a closing letter, a late questionnaire or a correction for
# this many days after an ending.
THRIVE_POST_ENDING_WINDOW_DAYS = int(os.environ.get("THRIVE_POST_ENDING_WINDOW_DAYS", 28))

# Behind a reverse proxy (a load balancer, nginx): how many proxies in front of the application
# append to X-Forwarded-For. 0 (the default) trusts no header: REMOTE_ADDR is the client.
THRIVE_TRUSTED_PROXIES = int(os.environ.get("THRIVE_TRUSTED_PROXIES", 0))

# Where the analytics extract and the dashboards' aggregates live (analytics/locations.py). On
# several application hosts, a directory they all share (decision 0023).
THRIVE_ANALYTICS_DIR = Path(os.environ.get("THRIVE_ANALYTICS_DIR", VAR_DIR / "analytics"))
# Signed heads of the audit chain (`thrive audit_anchor`); ship them somewhere the database's
# administrators cannot write. Backups carry a copy.
THRIVE_AUDIT_ANCHOR_DIR = Path(os.environ.get("THRIVE_AUDIT_ANCHOR_DIR") or VAR_DIR / "audit-anchors")
