"""The organiser console shell: navigation, dashboard; domains plug their screens in."""

from eventapp.console.views import bp

__all__ = ["bp"]
