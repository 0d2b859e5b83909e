"""
Starts the django-oauth-toolkit test server on 127.0.0.1, on a free port:
  python3 serve.py --app-origin http://localhost:5173 --redirect-uri http://localhost:5173/cb [--redirect-uri ...]
Generates the RSA signing key, migrates a fresh SQLite database in a temporary directory, creates the user
alice / alice-password and the public client "spa", then prints one line `listening http://127.0.0.1:<port>` and
serves (threaded) until it is killed or its stdin closes. The temporary directory goes with it.
"""
import argparse
import os
import shutil
import sys
import tempfile
import threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

parser = argparse.ArgumentParser()
parser.add_argument('--app-origin', required=True)
parser.add_argument('--redirect-uri', action='append', required=True)
parser.add_argument('--quiet', action='store_true')
args = parser.parse_args()

# /dev/shm where there is one: migrating on a disk pays an fsync per migration.
tmp = tempfile.mkdtemp(prefix='pkce-spa-dot-', dir='/dev/shm' if os.path.isdir('/dev/shm') else None)
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
os.environ['DOT_RSA_KEY'] = key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
os.environ['DOT_DB'] = os.path.join(tmp, 'db.sqlite3')
os.environ['DOT_APP_ORIGIN'] = args.app_origin
os.environ['DJANGO_SETTINGS_MODULE'] = 'settings'
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from oauth2_provider.models import get_application_model  # noqa: E402

call_command('migrate', verbosity=0, interactive=False)
User.objects.create_user('alice', 'alice@example.test', 'alice-password', first_name='Alice', last_name='Liddell')
get_application_model().objects.create(
    name='pkce-spa',
    client_id='spa',
    client_type='public',
    authorization_grant_type='authorization-code',
    redirect_uris=' '.join(args.redirect_uri),
    algorithm='RS256',
    # A first-party app: no consent page.
    skip_authorization=True,
)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *a):
        if not args.quiet:
            super().log_message(*a)


server = ThreadedWSGIServer(('127.0.0.1', 0), QuietHandler, ipv6=False)
server.set_app(get_wsgi_application())
print(f'listening http://127.0.0.1:{server.server_address[1]}', flush=True)


def stop_when_parent_goes():
    sys.stdin.read()  # EOF: the test process ended (even if killed without cleanup)
    server.shutdown()


threading.Thread(target=stop_when_parent_goes, daemon=True).start()
try:
    server.serve_forever()
finally:
    shutil.rmtree(tmp, ignore_errors=True)
