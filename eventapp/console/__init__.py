"""The organiser console shell: navigation and dashboard (views.py, this package's blueprint `console`),
and the screens of the layers below the permission helper, each its own blueprint: the outbox
(outbox.py, `mail_console`) and the directory (directory.py, `directory_console`)."""

from eventapp.console.views import bp

__all__ = ["bp"]
