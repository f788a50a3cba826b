"""Test doubles: a clock that never sleeps, an in-memory pet store API, and a fake cloud for the switch."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from bluegreen.aws import Aws, ResourceChange, StackEvent, StackInfo
from bluegreen.data_gate import DataGateResult, GateStatus
from bluegreen.errors import ChangeFailed
from bluegreen.history import History
from bluegreen.live import LiveState
from bluegreen.lock import Lease
from bluegreen.operation import Operations
from bluegreen.probe import Health
from bluegreen.recovery import Recovery
from bluegreen.smoke import CheckResult, SmokeReport
from bluegreen.stacks import ColorStack
from bluegreen.switch import Switcher
from bluegreen.updater import Plan, Preview
from bluegreen.warm import Warmer


class FakeClock:
    """Epoch seconds that only move when someone sleeps (or a test advances them)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


# --- an in-memory pet store API behind a requests.Session ----------------------------------------------

PETS = {
    "blue": [
        {"id": 1, "name": "Buddy", "category": "dog", "status": "available"},
        {"id": 2, "name": "Whiskers", "category": "cat", "status": "available"},
        {"id": 3, "name": "Charlie", "category": "bird", "status": "pending"},
    ],
    "green": [
        {"id": 1, "name": "Max", "category": "dog", "status": "available"},
        {"id": 2, "name": "Luna", "category": "cat", "status": "available"},
        {"id": 3, "name": "Rocky", "category": "dog", "status": "pending"},
        {"id": 4, "name": "Bella", "category": "rabbit", "status": "available"},
    ],
}


@dataclass
class FakePetApi:
    """Answers the API contract; `faults` names deviations (e.g. "health-500", "order-5xx-on-bad-json")."""

    color: str = "blue"
    version: str = "1.0.0"
    faults: set[str] = field(default_factory=set)
    orders: dict[str, Any] = field(default_factory=dict)  # the shared orders table (both colors' store)
    synthetic: list[bool] = field(default_factory=list)  # per placed order: was it marked synthetic

    def handle(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        envelope = {"environment": self.color, "version": self.version}
        if method == "GET" and path == "/health":
            if "health-500" in self.faults:
                return 502, {"message": "Internal server error"}
            return 200, {"status": "healthy", **envelope, "timestamp": "2026-11-22T21:50:00.123Z"}
        if method == "GET" and path == "/pets":
            pets = [dict(p) for p in PETS[self.color]]
            if "pet-id-as-string" in self.faults:
                pets[0]["id"] = str(pets[0]["id"])
            return 200, {**envelope, "pets": pets}
        if method == "POST" and path == "/orders":
            try:
                order = json.loads(body or b"")
            except ValueError:
                if "bad-json-502" in self.faults:
                    return 502, {"message": "Internal server error"}
                return 400, {"message": "body is not valid JSON"}
            pet = next((p for p in PETS[self.color] if p["id"] == order.get("id")), None)
            if pet is None:
                return 404, {"message": "pet not found"}
            if pet["status"] != "available":
                return 409, {"message": "pet not available"}
            number = f"ORD-{len(self.orders) + 0x1234ABCD:08X}"
            if "lowercase-confirmation" in self.faults:
                number = number.lower().replace("ord-", "ORD-")
            data = {"id": pet["id"], "name": pet["name"], "status": "ordered"}
            placed = {
                "confirmationNumber": number,
                **envelope,
                "timestamp": "2026-11-22T21:50:00Z",
                "data": data,
            }
            self.orders[number] = placed
            self.synthetic.append((headers or {}).get("X-Synthetic-Order") == "true")
            return 201, placed
        if method == "GET" and path.startswith("/orders/"):
            if "orders-unreadable" in self.faults:
                return 500, {"message": "Internal server error"}
            found = self.orders.get(path.removeprefix("/orders/"))
            return (200, found) if found else (404, {"message": "order not found"})
        if "unknown-path-403" in self.faults:
            return 403, {"message": "Missing Authentication Token"}
        return 404, {"message": "not found"}


class FakeApiSession(requests.Session):
    """Routes requests by hostname to FakePetApi instances; records what was sent."""

    def __init__(self, apis: dict[str, FakePetApi]) -> None:
        super().__init__()
        self.apis = apis
        self.sent: list[tuple[str, str]] = []
        self.preview_route: Callable[[str], FakePetApi | None] = lambda header: None

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        method, url = str(method), str(url)
        parts = urlsplit(url)
        self.sent.append((method, url))
        headers = dict(kwargs.get("headers") or {})
        api = self.apis.get(parts.hostname or "")
        if parts.hostname == DOMAIN:
            api = self.preview_route(headers.get("X-Bluegreen-Preview", "")) or api
        if api is None:
            raise requests.ConnectionError(f"no route to {parts.hostname}")
        path = re.sub(r"^/(Prod|prod|v1)(?=/)", "", parts.path)  # stage prefix of a stage URL
        body = kwargs.get("data")
        if kwargs.get("json") is not None:
            body = json.dumps(kwargs["json"]).encode()
        status, payload = api.handle(method, path, body, headers)
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(payload).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = url
        return response


# --- a fake cloud for the switch orchestration ---------------------------------------------------------

DOMAIN = "api.example.com"


class SimulatedKill(BaseException):
    """Stands in for SIGKILL: not an Exception, so no cleanup code catches it."""


class FakeCloud:
    """API Gateway mapping + the custom-domain stack + two color APIs, with knobs for fault injection."""

    def __init__(self) -> None:
        self.stacks = {
            "blue": ColorStack(
                "blue",
                "petstore-blue",
                "UPDATE_COMPLETE",
                "api-blue",
                "Prod",
                "https://blue.execute-api.example/Prod",
                "1.0.0",
                alarm_names=("blue-5xx",),
            ),
            "green": ColorStack(
                "green",
                "petstore-green",
                "CREATE_COMPLETE",
                "api-green",
                "Prod",
                "https://green.execute-api.example/Prod",
                "2.0.0",
                alarm_names=("green-5xx",),
            ),
        }
        self.mapping = ("api-blue", "Prod")
        self.params = ("api-blue", "Prod")
        self.healthy = {"blue": True, "green": True}
        self.unhealthy_after_switch: str | None = None  # this color breaks once it becomes live
        self.fail_update: str | None = None  # CloudFormation update fails with this reason (and rolls back)
        self.fail_rollback_update = False
        self.kill_after_execute = False
        self.propagation_probes = 0  # probes that still see the old mapping after a change
        self.alarm_states: dict[str, str] = {}
        self.stack_status = "UPDATE_COMPLETE"
        self.plans: list[Plan] = []
        self.executed: list[Plan] = []
        self.discarded: list[Plan] = []
        self.settled = 0
        self.smoke_gate: Callable[[], None] = lambda: None
        self.broken_behind_domain: set[str] = set()  # fails POST /orders only on the live hostname
        self.silent_rounds = 0  # own-URL smoke rounds that get no answer (a cold start)
        self.leftover_change_sets: list[str] = []  # change sets a killed run left unexecuted
        self.kill_in: str | None = None  # "plan", "smoke:<url kind>" ... where SimulatedKill strikes
        self.smoke_rounds: list[tuple[str, str]] = []  # (url kind, expected color)
        self._stale: tuple[str, str] | None = None
        self._stale_left = 0
        self.preview_rule = Preview()
        self.preview_history: list[
            str
        ] = []  # the preview color after each executed preview change ("" = none)
        self.fail_preview_clear = False
        self.data_gate_fails: str | None = None  # the data gate's failure reason, when it should fail
        self.data_gates: list[tuple[str, str]] = []

    # StackUpdater: the preview rule
    def preview(self) -> Preview:
        return self.preview_rule

    def plan_preview(self, preview: Preview, label: str) -> Plan:
        empty = preview == self.preview_rule
        changes = (
            ()
            if empty
            else (ResourceChange("Modify", "PreviewRule", "AWS::ApiGatewayV2::RoutingRule", "False", ()),)
        )
        plan = Plan(f"cs-{len(self.plans)}", changes, empty, preview.api_id, preview.stage, preview=preview)
        self.plans.append(plan)
        return plan

    # ColorStackReader
    def describe(self, color: str) -> ColorStack:
        return self.stacks[color]

    def color_of(self, api: tuple[str, str]) -> str | None:
        return next((c for c, s in self.stacks.items() if (s.api_id, s.stage) == api), None)

    # LiveStateReader
    def read(self) -> LiveState:
        return LiveState(
            DOMAIN,
            f"https://{DOMAIN}",
            self.mapping[0],
            self.mapping[1],
            self.color_of(self.mapping),
            self.params[0],
            self.params[1],
            self.stack_status,
        )

    # StackUpdater
    def plan(self, api_id: str, stage: str, label: str, *, clear_preview: bool = False) -> Plan:
        empty = (api_id, stage) == self.params and not (clear_preview and self.preview_rule.active)
        changes = (
            ()
            if empty
            else (
                ResourceChange(
                    "Modify",
                    "LiveMapping",
                    "AWS::ApiGateway::BasePathMapping",
                    "False",
                    ("RestApiId", "Stage"),
                ),
            )
        )
        plan = Plan(f"cs-{len(self.plans)}", changes, empty, api_id, stage, clears_preview=clear_preview)
        self.plans.append(plan)
        if not empty:
            self.leftover_change_sets.append(plan.change_set_id)
        if self.kill_in == "plan":
            raise SimulatedKill()
        return plan

    def discard_leftovers(self) -> list[str]:
        gone, self.leftover_change_sets = self.leftover_change_sets, []
        return gone

    def discard(self, plan: Plan) -> None:
        self.discarded.append(plan)
        if plan.change_set_id in self.leftover_change_sets:
            self.leftover_change_sets.remove(plan.change_set_id)

    def apply(self, plan: Plan, on_event: Callable[[StackEvent], None]) -> StackInfo:
        if plan.empty:
            return self.stack_info()
        if plan.preview is not None:
            if self.fail_preview_clear and not plan.preview.active:
                raise ChangeFailed("update ended UPDATE_ROLLBACK_COMPLETE: rate exceeded")
            self.preview_rule = plan.preview
            self.preview_history.append(plan.preview.color)
            return self.stack_info()
        self.executed.append(plan)
        if plan.change_set_id in self.leftover_change_sets:
            self.leftover_change_sets.remove(plan.change_set_id)
        on_event(
            StackEvent("e1", "t", "LiveMapping", "AWS::ApiGateway::BasePathMapping", "UPDATE_IN_PROGRESS", "")
        )
        # The first execution is the switch, any later one the automatic rollback.
        if len(self.executed) == 1:
            reason = self.fail_update
        else:
            reason = "rollback failed" if self.fail_rollback_update else None
        if reason:
            on_event(
                StackEvent(
                    "e2", "t", "LiveMapping", "AWS::ApiGateway::BasePathMapping", "UPDATE_FAILED", reason
                )
            )
            self.stack_status = "UPDATE_ROLLBACK_COMPLETE"
            raise ChangeFailed(f"update ended UPDATE_ROLLBACK_COMPLETE: {reason}")
        self._stale, self._stale_left = self.mapping, self.propagation_probes
        self.params = self.mapping = (plan.api_id, plan.stage)
        if plan.clears_preview and self.preview_rule.active:
            self.preview_rule = Preview()
            self.preview_history.append("")
        self.stack_status = "UPDATE_COMPLETE"
        if self.unhealthy_after_switch and self.color_of(self.mapping) == self.unhealthy_after_switch:
            self.healthy[self.unhealthy_after_switch] = False
        if self.kill_after_execute:
            self.stack_status = "UPDATE_IN_PROGRESS"
            raise SimulatedKill()
        on_event(
            StackEvent("e3", "t", "LiveMapping", "AWS::ApiGateway::BasePathMapping", "UPDATE_COMPLETE", "")
        )
        return self.stack_info()

    def settle(self, on_event: Callable[[StackEvent], None]) -> StackInfo:
        self.settled += 1
        if self.stack_status.endswith("_IN_PROGRESS"):
            self.stack_status = "UPDATE_COMPLETE"
        return self.stack_info()

    def stack_info(self) -> StackInfo:
        return StackInfo("petstore-custom-domain", "id", self.stack_status, "")

    # HealthProber: the live hostname answers from the mapped color (after propagation); stage URLs directly
    def health(self, base_url: str) -> Health:
        if urlsplit(base_url).hostname == DOMAIN:
            api = self.mapping
            if self._stale is not None and self._stale_left > 0:
                self._stale_left -= 1
                api = self._stale
            color = self.color_of(api)
        else:
            color = next((c for c, s in self.stacks.items() if s.endpoint == base_url), None)
        if color is None:
            return Health(False, None, None, None, "ConnectionError")
        if not self.healthy[color]:
            return Health(False, 502, None, None, "HTTP 502")
        return Health(True, 200, color, self.stacks[color].version)

    def live_is_healthy(self) -> bool:
        color = self.color_of(self.mapping)
        return color is not None and self.healthy[color]

    # smoke runner and alarm reader
    def smoke(self, base_url: str, color: str, version: str) -> SmokeReport:
        """One smoke round: two checks (health, order) answered by whoever serves `base_url`."""
        self.smoke_gate()
        on_domain = urlsplit(base_url).hostname == DOMAIN
        kind = "live" if on_domain else "own"
        self.smoke_rounds.append((kind, color))
        if self.kill_in == f"smoke:{kind}:{color}":
            raise SimulatedKill()
        if not on_domain and self.silent_rounds > 0:
            self.silent_rounds -= 1
            return SmokeReport(
                base_url,
                [
                    CheckResult("health", False, None, 10000.0, "ReadTimeout"),
                    CheckResult("order", False, None, 1.0),
                ],
            )
        serving = self.health(base_url)  # consumes one propagation probe on the live hostname
        if serving.environment is None:
            checks = [
                CheckResult("health", False, serving.status, 1.0),
                CheckResult("order", False, 502, 1.0),
            ]
            return SmokeReport(base_url, checks)
        answered = serving.environment
        right = answered == color and (not version or self.stacks[answered].version == version)
        order_ok = right and not (on_domain and answered in self.broken_behind_domain)
        checks = [
            CheckResult("health", right, 200, 1.0, "" if right else f"environment is not {color}"),
            CheckResult("order", order_ok, 201 if order_ok else 500, 1.0),
        ]
        return SmokeReport(base_url, checks, environments={answered})

    # BehindDomainChecks: the live hostname with the preview header answers from the previewed color
    def preview_smoke(self, live_url: str, color: str, version: str) -> SmokeReport:
        self.smoke_rounds.append(("preview", color))
        if self.kill_in == f"smoke:preview:{color}":
            raise SimulatedKill()
        serving = self.color_of((self.preview_rule.api_id, self.preview_rule.stage)) or self.color_of(
            self.mapping
        )
        if serving is None:
            return SmokeReport(live_url, [CheckResult("health", False, None, 1.0, "ConnectionError")])
        healthy = self.healthy[serving] and serving == color
        order_ok = healthy and serving not in self.broken_behind_domain
        checks = [
            CheckResult("health", healthy, 200 if self.healthy[serving] else 502, 1.0),
            CheckResult("order", order_ok, 201 if order_ok else 500, 1.0),
        ]
        return SmokeReport(live_url, checks, environments={serving})

    def data_gate(self, target: ColorStack, live: ColorStack) -> DataGateResult:
        self.data_gates.append((target.color, live.color))
        if self.data_gate_fails:
            return DataGateResult(GateStatus.FAILED, self.data_gate_fails)
        return DataGateResult(GateStatus.PASSED, "", (), ("ORD-0000000A", "ORD-0000000B"))

    def alarms(self, names: Sequence[str]) -> dict[str, str]:
        return {name: self.alarm_states.get(name, "OK") for name in names}


class Processes:
    """Which pids are alive on the fake host; a pid not listed is dead (killed)."""

    def __init__(self) -> None:
        self.alive: set[int] = set()
        self._next = 100

    def spawn(self) -> int:
        self._next += 1
        self.alive.add(self._next)
        return self._next

    def kill(self, pid: int) -> None:
        self.alive.discard(pid)

    def is_alive(self, pid: int) -> bool:
        return pid in self.alive


def make_operations(
    cloud: FakeCloud,
    aws: Aws,
    table: str,
    clock: FakeClock,
    who: str,
    lines: list[str],
    *,
    host: str = "host-a",
    pid: int = 1,
    processes: Processes | None = None,
) -> Operations:
    is_alive = processes.is_alive if processes is not None else (lambda _pid: True)
    return Operations(
        lease_factory=lambda seconds: Lease(
            aws, table, who, clock, lease_seconds=seconds, host=host, pid=pid, is_alive=is_alive
        ),
        history=History(aws, table, clock),
        who=who,
        clock=clock,
        say=lines.append,
        recover=Recovery(
            domain_exists=lambda: True,
            updater=lambda: cloud,
            live=cloud,
            prober=cloud,
            on_event=lambda event: None,
        ),
        heartbeat=False,
    )


def make_switcher(
    cloud: FakeCloud,
    aws: Aws,
    table: str,
    clock: FakeClock,
    who: str = "arn:aws:iam::123456789012:user/alice",
    lines: list[str] | None = None,
    confirm: bool = True,
    *,
    host: str = "host-a",
    pid: int = 1,
    processes: Processes | None = None,
    warmer: Warmer | None = None,
) -> Switcher:
    out = lines if lines is not None else []
    return Switcher(
        colors=cloud,
        live=cloud,
        updater=cloud,
        smoke=cloud.smoke,
        alarms=cloud.alarms,
        operations=make_operations(
            cloud, aws, table, clock, who, out, host=host, pid=pid, processes=processes
        ),
        history=History(aws, table, clock),
        clock=clock,
        sleep=clock.sleep,
        say=out.append,
        confirm=lambda question: confirm,
        behind_domain=cloud,
        warmer=warmer,
    )
