"""
django-oauth-toolkit configured the way its users configure it for a single-page app: OpenID Connect on, RS256 with a
key generated at start-up (never committed), PKCE required, a public client, rotating refresh tokens, the stock
`/o/` URLs (trailing slashes included), CORS for the app's origin and Django's own login form.
Read by serve.py, which sets DOT_DB, DOT_RSA_KEY and DOT_APP_ORIGIN before Django loads this module.
"""
import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = os.urandom(32).hex()
DEBUG = False
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
ROOT_URLCONF = 'urls'
USE_TZ = True

INSTALLED_APPS = [
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'corsheaders',
    'oauth2_provider',
]
MIDDLEWARE = [
    # First, so that every answer (redirects and errors included) carries the CORS headers.
    'corsheaders.middleware.CorsMiddleware',
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    # Django's default: every page (the login page included) refuses to be framed (X-Frame-Options: DENY).
    'django.middleware.clickjacking.XFrameOptionsMiddleware',
]
TEMPLATES = [{
    'BACKEND': 'django.template.backends.django.DjangoTemplates',
    'DIRS': [os.path.join(BASE_DIR, 'templates')],
    'APP_DIRS': True,
    'OPTIONS': {'context_processors': ['django.template.context_processors.request']},
}]
DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.environ['DOT_DB']}}
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
# Fast hashing: the test user's password is not a secret.
PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']
LOGIN_URL = '/accounts/login/'

CORS_ALLOWED_ORIGINS = [os.environ['DOT_APP_ORIGIN']]

OAUTH2_PROVIDER = {
    'OIDC_ENABLED': True,
    'OIDC_RSA_PRIVATE_KEY': os.environ['DOT_RSA_KEY'],
    'PKCE_REQUIRED': True,
    'ROTATE_REFRESH_TOKEN': True,
    'ACCESS_TOKEN_EXPIRE_SECONDS': 300,
    'ALLOWED_REDIRECT_URI_SCHEMES': ['http', 'https'],
    # offline_access: pkce-spa asks for it when refreshTokens is on; DOT rejects scopes it does not know.
    'SCOPES': {
        'openid': 'OpenID Connect',
        'profile': 'Your name',
        'email': 'Your email address',
        'offline_access': 'Stay signed in',
    },
    'OAUTH2_VALIDATOR_CLASS': 'validator.Validator',
}

# Server errors (tracebacks) to stderr, which the test harness shows when the server fails.
LOGGING = {
    'version': 1,
    'handlers': {'stderr': {'class': 'logging.StreamHandler'}},
    'loggers': {'django.request': {'handlers': ['stderr'], 'level': 'ERROR'}},
}
