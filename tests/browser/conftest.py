"""Browser tests may receive e-mail: the real aiosmtpd server of the mail tests."""

from tests.mail.conftest import smtp_server  # noqa: F401 - a fixture, exposed to tests/browser
