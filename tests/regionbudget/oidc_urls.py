"""The project's URLs with the sign-in through an identity provider, as ``regionbudget.urls`` has
them when ``OIDC_ENABLED`` is set at start (the tests switch it on after the URLs were read)."""

from regionbudget.core.oidc import oidc_urlpatterns
from regionbudget.urls import handler400, handler403, handler404, handler500  # noqa: F401
from regionbudget.urls import urlpatterns as project_urlpatterns

_names = {getattr(p, "name", None) for p in project_urlpatterns}
urlpatterns = [
    *project_urlpatterns,
    *(p for p in oidc_urlpatterns() if p.name not in _names),
]
