"""Helpers shared by the tests (importable thanks to `pythonpath = ["tests"]`)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
# The real data sets live beside the repository and are never copied into it.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def login(client: TestClient, user: str, password: str = PASSWORD) -> dict[str, str]:
    """Headers carrying a fresh token for `user`."""
    response = client.post(f"{client.base}/auth/authenticate2", json={"login": user, "password": password})  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    return {"X-AUTH-TOKEN": response.json()["token"]}


def free_port() -> int:
    """A TCP port free on the loopback right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, env: dict[str, str]):  # type: ignore[no-untyped-def]
    """Run the installed `fleetprivacy` console script; returns the CompletedProcess."""
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("fleetprivacy")
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=120)


class Server:
    """`fleetprivacy serve` in a subprocess on a free port, stopped on exit."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/ocean/restapi"

    def __enter__(self) -> "Server":
        import subprocess
        import sys
        import time

        import httpx2 as httpx

        exe = Path(sys.executable).with_name("fleetprivacy")
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--port", str(self.port)], env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stdout.read() if self.proc.stdout else ''}")
            try:
                httpx.get(f"{self.base}/common/openapi/openapi.json", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        self.proc.kill()
        raise RuntimeError("server did not start within 60 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()


def all_at_once(calls):  # type: ignore[no-untyped-def]
    """Run the callables in threads released together by a barrier; their results in order."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    barrier = threading.Barrier(len(calls))

    def run(call):  # type: ignore[no-untyped-def]
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))
