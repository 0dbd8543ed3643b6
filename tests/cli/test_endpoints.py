"""An AWS endpoint that is not AWS, or not a URL: one `error:` line, exit 1 (issue 10, 12, 13).

A small HTTP server on loopback answers every request with the same body (a web page, an
empty 200, `{}`); with `sts`, GetCallerIdentity gets a real answer first, so that the ECR
and Secrets Manager reads meet the bad answer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.cli.test_plan import FILE
from tests.support import ENV, run

STS_ANSWER = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/x</Arn><UserId>X</UserId>"
    b"<Account>123456789012</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)
PAGE = b"<!DOCTYPE html><html><body><p>Welcome to nginx!</body></html>"
NOT_AWS = "the answer from AWS{where} is not an AWS API answer (not valid XML or JSON)"
LACKS = "the answer from AWS{where} lacks what ptc needs (no {field!r})"


class _Answers(BaseHTTPRequestHandler):
    body = b""
    sts_first = False

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        request = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        sts = self.sts_first and b"Action=GetCallerIdentity" in request
        answer = STS_ANSWER if sts else self.body
        self.send_response(200)
        self.send_header("Content-Type", "text/xml" if sts else "text/html")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint(request: pytest.FixtureRequest) -> Iterator[tuple[str, type[_Answers]]]:
    handler = type("Answers", (_Answers,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def _env(url: str, tmp_path: Path) -> dict[str, str | None]:
    empty = tmp_path / "empty"
    empty.write_text("")
    return {
        **ENV,
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_MAX_ATTEMPTS": "1",
    }


COMMANDS = {
    "plan": ["plan", "{rules}"],
    "apply": ["apply", "--auto-approve", "{rules}"],
    "export": ["export", "-r", "us-east-1"],
}
ANSWERS = {
    # body, sts answered properly first, the message (for ECR/Secrets Manager in us-east-1)
    "a web page": (PAGE, False, NOT_AWS.format(where="")),
    "an empty 200": (b"", False, NOT_AWS.format(where="")),
    "{}": (b"{}", False, NOT_AWS.format(where="")),
    "a web page after STS": (PAGE, True, NOT_AWS.format(where=" in us-east-1")),
    "an empty 200 after STS": (
        b"",
        True,
        LACKS.format(where=" in us-east-1", field="SecretList"),
    ),
    "{} after STS": (b"{}", True, LACKS.format(where=" in us-east-1", field="SecretList")),
    "a JSON list after STS": (b"[1, 2]", True, NOT_AWS.format(where=" in us-east-1")),
}


# Every answer for plan; apply and export read through the same gateway: two answers each.
ANSWER_CASES = [
    pytest.param(COMMANDS[command], *ANSWERS[answer], id=f"{command}-{answer}")
    for command, answers in {
        "plan": list(ANSWERS),
        "apply": ["a web page", "{} after STS"],
        "export": ["an empty 200", "a web page after STS"],
    }.items()
    for answer in answers
]


@pytest.mark.parametrize(("command", "body", "sts_first", "message"), ANSWER_CASES)
def test_an_endpoint_that_is_not_aws(
    endpoint: tuple[str, type[_Answers]],
    rules: Path,
    tmp_path: Path,
    command: list[str],
    body: bytes,
    sts_first: bool,
    message: str,
) -> None:
    url, handler = endpoint
    handler.body, handler.sts_first = body, sts_first
    args = [a.format(rules=rules) for a in command]
    result = run(*args, env=_env(url, tmp_path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: {message}; check AWS_ENDPOINT_URL\n"


CHECK = "; check AWS_ENDPOINT_URL (or the profile's endpoint_url)"
URLS = {
    "not a url": "Invalid endpoint: not a url",
    "http://127.0.0.1:99999": "invalid AWS endpoint 'http://127.0.0.1:99999': "
    "Port out of range 0-65535",
    "ftp://example.com": "invalid AWS endpoint 'ftp://example.com': "
    "the scheme must be http or https, not 'ftp'",
    "http://": "Invalid endpoint: http://",
    "http://[::1": "Invalid IPv6 URL",
}


URL_CASES = [pytest.param(COMMANDS["plan"], url, message, id=url) for url, message in URLS.items()]
URL_CASES += [
    pytest.param(COMMANDS[command], url, URLS[url], id=f"{command}-{url}")
    for command, url in [("apply", "not a url"), ("export", "http://127.0.0.1:99999")]
]


@pytest.mark.parametrize(("command", "url", "message"), URL_CASES)
def test_an_endpoint_that_is_not_a_url(
    rules: Path, tmp_path: Path, command: list[str], url: str, message: str
) -> None:
    args = [a.format(rules=rules) for a in command]
    result = run(*args, env=_env(url, tmp_path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: {message}{CHECK}\n"
