from .views import bp, logo_bp  # noqa: F401
