"""Fixtures that start Kinema's real backing services for tests.

Session fixtures (``postgres``, ``redis_server``, ``s3``, ``kube``, ``kube_controllers``,
``kwok_cluster``, ``stripe_mock``, ``browser``) each start one real process — or a few,
for Kubernetes — the first time a test asks for them, on free 127.0.0.1 ports in
temporary directories, and stop them when the session ends. Function fixtures
(``pg_url``, ``redis_url``, ``s3_prefix``, ``s3_env``, ``kube_namespace``, ``kube_env``,
``page``) give each test its own database, Redis DB, key prefix or namespace and clean
up after it. ``kinema_up`` serves Kinema itself (``kinema up`` in a subprocess) for the
tests and benchmarks that put it under load.

The services live in ``tests/utils/`` (one module each, command building apart from
running); this file only wires them to pytest. The service modules are imported inside
the fixtures so that unit-test runs never pay for importing the clients.

A missing binary skips the tests that need it, or fails them when ``CI=true``; a
service that is installed but does not come up fails with the tail of its log.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.utils.errors import BinaryNotFound, ServiceStartError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

    from tests.utils.kube_cluster import KubeCluster
    from tests.utils.kwok_cluster import KwokCluster
    from tests.utils.load import UpServer
    from tests.utils.moto_server import MotoServer
    from tests.utils.postgres_server import PostgresServer
    from tests.utils.redis_server import RedisServer
    from tests.utils.s3_server import S3Server
    from tests.utils.stripe_mock import StripeMock

REPO_ROOT = Path(__file__).resolve().parent.parent
CRD_DIR = REPO_ROOT / "crds"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@contextmanager
def _starting(service: str) -> Iterator[None]:
    """Turn harness errors into the outcome a test run should show."""
    try:
        yield
    except BinaryNotFound as exc:
        message = f"{service} unavailable: {exc}"
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    except ServiceStartError as exc:
        pytest.fail(f"{service} did not start: {exc}", pytrace=False)


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


# PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    from tests.utils.postgres_server import start_postgres

    with _starting("PostgreSQL"):
        server = start_postgres()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database, dropped after the test."""
    name = _unique("t_")
    url = postgres.new_database(name)
    yield url
    postgres.drop_database(name)


# Redis --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    from tests.utils.redis_server import start_redis

    with _starting("Redis"):
        server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """URL of a Redis database of the test's own, emptied before and after it."""
    db = redis_server.borrow_db()
    yield redis_server.url_for(db)
    redis_server.flush(db)


# S3 -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    from tests.utils.s3_server import start_s3

    with _starting("S3 (versitygw)"):
        server = start_s3(tmp_path_factory.mktemp("s3"))
    yield server
    server.stop()


@pytest.fixture
def s3_prefix(s3: S3Server) -> Iterator[str]:
    """A unique key prefix (ending in "/") in ``s3.bucket``, emptied after the test."""
    prefix = _unique("t-") + "/"
    yield prefix
    s3.empty_prefix(prefix)


@pytest.fixture
def s3_env(s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """The S3 server's credentials and endpoint in the environment, for this test only."""
    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    return s3


# Kubernetes ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def kube(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeCluster]:
    """etcd + kube-apiserver with every ``crds/*.yaml`` applied and Established."""
    from tests.utils.kube_cluster import start_kube

    with _starting("Kubernetes (etcd + kube-apiserver)"):
        cluster = start_kube(tmp_path_factory.mktemp("kube"))
    try:
        with _starting("Kubernetes CRDs"):
            cluster.apply_crds(CRD_DIR)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def kube_controllers(kube: KubeCluster) -> Iterator[KubeCluster]:
    """kube-controller-manager running against ``kube`` (Jobs get Pods; no kubelet)."""
    from tests.utils.kube_cluster import start_controllers

    with _starting("kube-controller-manager"):
        start_controllers(kube)
    yield kube
    kube.stop_controllers()


@pytest.fixture(scope="session")
def kwok_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KwokCluster]:
    """A control plane of its own with kube-scheduler and kwok's simulated GPU and CPU
    nodes, for scale runs (``tests/utils/kwok_cluster.py``)."""
    from tests.utils.kwok_cluster import start_kwok_cluster

    with _starting("Kubernetes with kwok nodes"):
        cluster = start_kwok_cluster(tmp_path_factory.mktemp("kwok"), CRD_DIR)
    yield cluster
    cluster.stop()


@pytest.fixture
def kube_namespace(kube: KubeCluster) -> Iterator[str]:
    """A namespace of the test's own, deleted after it."""
    name = _unique("t-")
    kube.create_namespace(name)
    yield name
    kube.delete_namespace(name)


@pytest.fixture
def kube_env(kube: KubeCluster, monkeypatch: pytest.MonkeyPatch) -> KubeCluster:
    """``KUBECONFIG`` pointing at the test cluster, for code that logs in by itself (kopf).

    The kubernetes client reads ``KUBECONFIG`` once, when first imported, into its default
    location; that is patched too, so code that falls back to it finds this cluster.
    """
    import kubernetes.config.kube_config

    monkeypatch.setenv("KUBECONFIG", str(kube.kubeconfig))
    monkeypatch.setattr(
        kubernetes.config.kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(kube.kubeconfig)
    )
    return kube


# Stripe -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def stripe_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StripeMock]:
    from tests.utils.stripe_mock import start_stripe_mock

    with _starting("stripe-mock"):
        server = start_stripe_mock(tmp_path_factory.mktemp("stripe"))
    yield server
    server.stop()


# Browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """One Playwright (sync API) for the session: a second one cannot start while the
    first is alive, so tests that launch a browser of their own launch it from here."""
    from playwright.sync_api import sync_playwright

    from tests.utils import binaries

    with _starting("Chromium"):
        binaries.chromium()
    playwright = sync_playwright().start()
    yield playwright
    playwright.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright's sync API."""
    from playwright.sync_api import Error as PlaywrightError

    from tests.utils.browser import launch_chromium

    try:
        chromium = launch_chromium(playwright_driver)
    except PlaywrightError as exc:
        pytest.fail(f"Chromium did not start: {exc}", pytrace=False)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A new page in a fresh browser context, closed after the test."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


# CloudFront (moto) --------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """moto's CloudFront API on a free port, in a thread of this process."""
    from tests.utils.moto_server import start_moto

    server = start_moto()
    yield server
    server.stop()


@pytest.fixture
def cloudfront_env(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> MotoServer:
    """KINEMA_CLOUDFRONT_ENDPOINT_URL at an emptied moto, and AWS credentials when the
    test has none yet (moto takes any; the S3 server's, when set, are kept)."""
    from tests.utils.moto_server import ACCESS_KEY, SECRET_KEY

    moto_server.reset()
    monkeypatch.setenv("KINEMA_CLOUDFRONT_ENDPOINT_URL", moto_server.url)
    for key, value in {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }.items():
        if not os.environ.get(key):
            monkeypatch.setenv(key, value)
    return moto_server


# Kinema itself, served by `kinema up` -------------------------------------------------


@pytest.fixture
def kinema_up(tmp_path: Path) -> Iterator[UpServer]:
    """`kinema up` in a subprocess on a catalog with one published, playable title."""
    from tests.utils.load import serve_kinema_up

    with serve_kinema_up(tmp_path) as server:
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every benchmark is ``serial``: scripts/test runs it alone, after the parallel run."""
    bench = REPO_ROOT / "tests" / "bench"
    for item in items:
        if bench in item.path.parents:
            item.add_marker(pytest.mark.serial)
