"""The ID token claims, as DOT 1.7 users add them: a validator subclass (1.7 has no per-scope claim map)."""
from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    def get_additional_claims(self, request):
        return {"name": request.user.get_full_name(), "email": request.user.email}
