from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path('accounts/login/', auth_views.LoginView.as_view(), name='login'),
    # DOT's stock URLs, namespaced as its documentation does it: /o/authorize/, /o/token/, /o/revoke_token/,
    # /o/.well-known/openid-configuration/, /o/.well-known/jwks.json ...
    path('o/', include('oauth2_provider.urls', namespace='oauth2_provider')),
]
