# The health endpoints are served by cms.health.HealthCheckMiddleware before any
# other middleware; the route keeps the name for reverse("healthz").
from .health import healthz  # noqa: F401
