"""The image reference grammar, case by case.

The cases follow the ones the distribution project tests its `reference` package with
(reference_test.go, normalize_test.go), restated as (input, expected) rows.
"""

from __future__ import annotations

import pytest

from ptc.domain.images import InvalidReference, Reference, parse

SHA256 = "sha256:" + "f" * 64
SHA512 = "sha512:" + "f" * 128


def ref(domain: str, path: str, tag: str | None = None, digest: str | None = None) -> Reference:
    return Reference(domain, path, tag, digest)


VALID = [
    # Docker Hub: the default host, and library/ for single names
    ("official image", "nginx", ref("docker.io", "library/nginx")),
    ("official image with tag", "nginx:1.25", ref("docker.io", "library/nginx", "1.25")),
    ("user image", "grafana/grafana", ref("docker.io", "grafana/grafana")),
    ("explicit library", "library/debian", ref("docker.io", "library/debian")),
    ("docker.io host", "docker.io/debian", ref("docker.io", "library/debian")),
    ("docker.io user", "docker.io/docker/docker", ref("docker.io", "docker/docker")),
    ("legacy index host", "index.docker.io/debian", ref("docker.io", "library/debian")),
    ("legacy index user", "index.docker.io/a/b", ref("docker.io", "a/b")),
    ("library with nesting", "docker.io/library/foo/bar", ref("docker.io", "library/foo/bar")),
    (
        "registry-1 kept as a host",
        "registry-1.docker.io/nginx",
        ref("registry-1.docker.io", "nginx"),
    ),
    ("underscore is a path", "test_com/foo", ref("docker.io", "test_com/foo")),
    ("no dot: a namespace", "docker/migrator", ref("docker.io", "docker/migrator")),
    # hosts: a dot, a port, localhost, or upper case in the first component
    ("dotted host", "test.com/repo:tag", ref("test.com", "repo", "tag")),
    ("host with port", "test:5000/repo", ref("test:5000", "repo")),
    ("port and tag", "test:5000/repo:tag", ref("test:5000", "repo", "tag")),
    ("localhost", "localhost/app", ref("localhost", "app")),
    ("localhost with port", "localhost:5000/app:1", ref("localhost:5000", "app", "1")),
    ("upper-case host", "Docker/docker", ref("Docker", "docker")),
    ("all upper-case host", "FOO/bar", ref("FOO", "bar")),
    ("hyphenated host", "test-com:8080/foo", ref("test-com:8080", "foo")),
    (
        "punycode host",
        "xn--n3h.com/myimage:xn--n3h.com",
        ref("xn--n3h.com", "myimage", "xn--n3h.com"),
    ),
    ("deep path", "sub-dom1.foo.com/bar/baz/quux", ref("sub-dom1.foo.com", "bar/baz/quux")),
    (
        "dots in path and tag",
        "b.gcr.io/test.example.com/my-app:test.example.com",
        ref("b.gcr.io", "test.example.com/my-app", "test.example.com"),
    ),
    ("IPv4", "192.168.1.1/repo", ref("192.168.1.1", "repo")),
    ("IPv4 with port", "192.168.1.1:5000/repo:5050", ref("192.168.1.1:5000", "repo", "5050")),
    ("IPv6", "[2001:db8::1]/repo", ref("[2001:db8::1]", "repo")),
    (
        "IPv6 uncompressed",
        "[2001:db8:1:2:3:4:5:6]/repo:tag",
        ref("[2001:db8:1:2:3:4:5:6]", "repo", "tag"),
    ),
    ("IPv6 with port", "[::1]:5000/repo", ref("[::1]:5000", "repo")),
    ("IPv6 trailing ::", "[2001:db8::]:5000/repo", ref("[2001:db8::]:5000", "repo")),
    # without a slash, a dot or a port-like suffix is part of the name and the tag
    ("dotted single name", "test.com:tag", ref("docker.io", "library/test.com", "tag")),
    ("port-like tag", "test.com:5000", ref("docker.io", "library/test.com", "5000")),
    ("IPv4 single name", "192.168.1.1:5000", ref("docker.io", "library/192.168.1.1", "5000")),
    ("underscore and dots", "foo_bar.com:8080", ref("docker.io", "library/foo_bar.com", "8080")),
    # separators
    ("single underscore", "test_com", ref("docker.io", "library/test_com")),
    ("double underscore", "dock__er/docker", ref("docker.io", "dock__er/docker")),
    ("many hyphens", "docker---rules/docker", ref("docker.io", "docker---rules/docker")),
    ("one-letter components", "d/docker", ref("docker.io", "d/docker")),
    (
        "64 chars, not all hex",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        ref(
            "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"
        ),
    ),
    ("64 hex with a host", "docker.io/" + "1a3f" * 16, ref("docker.io", "library/" + "1a3f" * 16)),
    ("63 hex", "a" * 63, ref("docker.io", "library/" + "a" * 63)),
    # tags and digests are kept as written
    ("upper-case tag", "lowercase:Uppercase", ref("docker.io", "library/lowercase", "Uppercase")),
    ("digest", "test:5000/repo@" + SHA256, ref("test:5000", "repo", None, SHA256)),
    ("tag and digest", "test:5000/repo:tag@" + SHA256, ref("test:5000", "repo", "tag", SHA256)),
    (
        "short name, tag and digest",
        "busybox:latest@" + SHA256,
        ref("docker.io", "library/busybox", "latest", SHA256),
    ),
    (
        "sha512",
        "xn--7o8h.com/myimage:xn--7o8h.com@" + SHA512,
        ref("xn--7o8h.com", "myimage", "xn--7o8h.com", SHA512),
    ),
    ("128-character tag", "a:" + "t" * 128, ref("docker.io", "library/a", "t" * 128)),
    ("tag starting with underscore", "a:_x", ref("docker.io", "library/a", "_x")),
    ("name of exactly 255", "quay.io/" + "a" * 247, ref("quay.io", "a" * 247)),
    # a first component that looks like a host but is not one: the whole name is a path
    ("invalid host read as a path", "foo_bar.com/x", ref("", "foo_bar.com/x")),
]


@pytest.mark.parametrize(("case", "text", "expected"), VALID, ids=[c[0] for c in VALID])
def test_valid(case: str, text: str, expected: Reference) -> None:
    assert parse(text) == expected


INVALID = [
    ("empty", "", "at least one component"),
    ("only a tag", ":justtag", "invalid reference format"),
    ("only a digest", "@" + SHA256, "invalid reference format"),
    ("empty tag", "nginx:", "invalid reference format"),
    ("scheme", "https://github.com/docker/docker", "invalid reference format"),
    ("upper-case repository", "docker/Docker", "must be lowercase"),
    ("upper-case single name", "Uppercase:tag", "must be lowercase"),
    ("upper case after a port", "test:5000/Uppercase/lowercase:tag", "must be lowercase"),
    ("upper case after docker.io", "docker.io/docker/Docker", "must be lowercase"),
    ("leading hyphen", "-docker", "invalid reference format"),
    ("leading hyphen in namespace", "-docker/docker", "invalid reference format"),
    ("trailing hyphen in namespace", "docker-/docker", "invalid reference format"),
    ("hyphen-wrapped namespace", "-docker-/docker", "invalid reference format"),
    ("host with leading hyphen", "-docker.io/docker/docker", "invalid reference format"),
    ("empty components", "docker///docker", "invalid reference format"),
    ("empty components after host", "docker.io/docker///docker", "invalid reference format"),
    ("only underscores", "____/____", "invalid reference format"),
    ("leading underscore", "_docker/_docker", "invalid reference format"),
    ("two dots", "dock..er/docker", "invalid reference format"),
    ("underscore then dot", "dock_.er/docker", "invalid reference format"),
    ("hyphen then dot", "dock-.er/docker", "invalid reference format"),
    ("triple underscore", "dock___er/docker", "invalid reference format"),
    ("trailing slash", "docker/", "invalid reference format"),
    ("symbols", "aa/asdf$$^/aa", "invalid reference format"),
    ("space", "nginx 1.25", "invalid reference format"),
    ("two tags", "nginx:1:2", "invalid reference format"),
    ("tag with a slash", "nginx:a/b", "invalid reference format"),
    ("tag of 129", "a:" + "t" * 129, "invalid reference format"),
    ("tag starting with a dot", "a:.x", "invalid reference format"),
    ("non-ASCII tag", "a:é", "invalid reference format"),
    ("IPv6 alone", "[2001:db8::1]", "invalid reference format"),
    ("IPv6 and port alone", "[fc00::1]:5000", "invalid reference format"),
    ("IPv6 and tag alone", "[2001:db8::1]:tag", "invalid reference format"),
    ("IPv6 without brackets", "fc00::1:5000/debian", "invalid reference format"),
    ("IPv6 zone", "[fe80::1%eth0]:5000/debian", "invalid reference format"),
    ("IPv6 zone with @", "[fe80::1%@invalidzone]:5000/repo", "invalid reference format"),
    ("IPv4-mapped IPv6", "[2001:db8:3:4::192.0.2.33]:5000/debian", "invalid reference format"),
    ("image ID", "1a3f5e7d" * 8, "image ID"),
    ("name too long", "a/" * 128 + "a:tag", "255 characters"),
    ("name of 256", "quay.io/" + "a" * 248, "255 characters"),
    ("namespace too long", "x" * 256 + "/docker", "255 characters"),
    ("short digest", "repo@sha256:" + "f" * 34, "digest length"),
    ("long sha256", "repo@sha256:" + "f" * 65, "digest length"),
    ("unknown algorithm", "validname@invaliddigest:" + "f" * 64, "unsupported digest algorithm"),
    ("upper-case hex", "repo@sha256:" + "F" * 64, "digest format"),
    ("digest under 32 hex", "repo@md5:" + "f" * 31, "invalid reference format"),
    ("two digests", f"repo@{SHA256}@{SHA256}", "invalid reference format"),
]


@pytest.mark.parametrize(("case", "text", "message"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid(case: str, text: str, message: str) -> None:
    with pytest.raises(InvalidReference, match=message):
        parse(text)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("nginx", "docker.io/library/nginx"),
        ("redis:latest", "docker.io/library/redis:latest"),
        ("dmcgowan/myapp@" + SHA256, "docker.io/dmcgowan/myapp@" + SHA256),
        ("index.docker.io/library/redis:7", "docker.io/library/redis:7"),
        ("quay.io/a/b:1@" + SHA256, "quay.io/a/b:1@" + SHA256),
    ],
)
def test_canonical_string(text: str, canonical: str) -> None:
    assert str(parse(text)) == canonical
