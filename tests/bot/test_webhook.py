import pytest

from bot.webhook import WebhookError, derived_secret, webhook_from


def test_the_listen_address_and_path_come_from_the_arguments() -> None:
    hook = webhook_from("https://bot.example.com/tg/hook", "127.0.0.1:8443", secret="s",
                        token="1:abc")
    assert (hook.host, hook.port, hook.path, hook.secret) == ("127.0.0.1", 8443, "tg/hook", "s")


def test_without_a_configured_secret_every_process_derives_the_same_one() -> None:
    first = webhook_from("https://b.example/tg", "127.0.0.1:1", secret=None, token="1:abc")
    second = webhook_from("https://b.example/tg", "127.0.0.1:2", secret=None, token="1:abc")
    assert first.secret == second.secret == derived_secret("1:abc") != derived_secret("2:abc")
    assert first.secret.isalnum() and len(first.secret) <= 256


@pytest.mark.parametrize(("url", "listen"), [
    ("bot.example.com/tg", "127.0.0.1:8443"),
    ("https://b.example/tg", "8443"),
    ("https://b.example/tg", "127.0.0.1:99999"),
    ("https://b.example/tg", "127.0.0.1:http"),
])
def test_unusable_values_are_refused_with_the_reason(url: str, listen: str) -> None:
    with pytest.raises(WebhookError):
        webhook_from(url, listen, secret=None, token="1:abc")
