"""History: one DynamoDB item per operation under pk HISTORY, sort key `<ISO time>#<uuid>`.

Items are created with attribute_not_exists and never deleted; a record only changes while it is STARTED
(its phase and measurements, then once its outcome), so a finished record is immutable. The table lives in
the data stack, so the record outlives the custom-domain stack.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bluegreen.aws import Aws
from bluegreen.errors import OperationFailed
from bluegreen.states import TRAFFIC_ACTIONS, Outcome
from bluegreen.timeutil import iso

HISTORY_PK = "HISTORY"
SUMMARY_OMITS = frozenset({"durations", "measurements"})  # the bulk of a record


@dataclass
class Record:
    record_id: str
    started_at: str
    who: str
    action: str
    from_color: str = ""
    to_color: str = ""
    from_version: str = ""
    to_version: str = ""
    state: str = Outcome.STARTED
    phase: str = ""
    reason: str = ""
    finished_at: str = ""
    command: str = ""
    durations: dict[str, float] = field(default_factory=dict)
    convergence_seconds: float | None = None
    # What the checks saw: verify/bake rounds, request counts, alarm states, recovery time.
    measurements: dict[str, Any] = field(default_factory=dict)

    @property
    def route(self) -> str:
        return f"{self.from_color or '?'}->{self.to_color or '?'}"

    def to_dict(self) -> dict[str, Any]:
        return {key: str(value) if key == "state" else value for key, value in asdict(self).items()}


def _record_from_item(item: dict[str, Any]) -> Record:
    known = Record.__dataclass_fields__
    values = {key: item[key] for key in known if key in item}
    values["record_id"] = item["sk"]
    if values.get("convergence_seconds") == "":
        values["convergence_seconds"] = None
    return Record(**values)


class History:
    def __init__(self, aws: Aws, table: str, clock: Callable[[], float]) -> None:
        self._aws = aws
        self._table = table
        self._clock = clock

    def new_record(self, who: str, action: str, **fields: Any) -> Record:
        now = iso(self._clock())
        return Record(record_id=f"{now}#{uuid.uuid4()}", started_at=now, who=who, action=action, **fields)

    def append(self, record: Record) -> Record:
        item = {
            key: value for key, value in record.to_dict().items() if key != "record_id" and value is not None
        }
        item.update(pk=HISTORY_PK, sk=record.record_id)
        if not self._aws.put_item_if(self._table, item, "attribute_not_exists(sk)"):
            raise OperationFailed(f"history record {record.record_id} already exists")
        return record

    def set_phase(self, record: Record, phase: str) -> None:
        """Marks the phase now running, with the durations so far: what a killed run leaves behind."""
        record.phase = str(phase)
        self._update(
            record,
            {"phase": record.phase, "durations": record.durations, "measurements": record.measurements},
        )

    def finish(self, record: Record, state: Outcome, reason: str = "") -> None:
        """Writes the outcome once; the condition keeps a finished record from being rewritten."""
        record.state = state
        record.reason = reason
        record.finished_at = iso(self._clock())
        fields: dict[str, Any] = {
            "state": str(state),
            "reason": reason,
            "finished_at": record.finished_at,
            "durations": record.durations,
            "measurements": record.measurements,
            "to_version": record.to_version,
            "from_version": record.from_version,
        }
        if record.convergence_seconds is not None:
            fields["convergence_seconds"] = record.convergence_seconds
        self._update(record, fields)

    def _update(self, record: Record, fields: dict[str, Any]) -> None:
        names = {f"#f{i}": key for i, key in enumerate(fields)}
        values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(fields.values())}
        values[":started"] = str(Outcome.STARTED)
        names["#state_now"] = "state"
        assignments = ", ".join(f"#f{i} = :v{i}" for i in range(len(fields)))
        ok = self._aws.update_item_if(
            self._table,
            {"pk": HISTORY_PK, "sk": record.record_id},
            f"SET {assignments}",
            "#state_now = :started",
            names=names,
            values=values,
        )
        if not ok:
            raise OperationFailed(f"history record {record.record_id} is no longer STARTED")

    def get(self, record_id: str) -> Record | None:
        item = self._aws.get_item(self._table, {"pk": HISTORY_PK, "sk": record_id})
        return _record_from_item(item) if item else None

    def recent(self, limit: int | None = None) -> list[Record]:
        return [
            _record_from_item(item) for item in self._aws.query_newest_first(self._table, HISTORY_PK, limit)
        ]

    def started(self, scan_limit: int = 50) -> list[Record]:
        """Records still STARTED among the most recent ones: running now, or interrupted."""
        items = self._aws.query_newest_first(
            self._table, HISTORY_PK, scan_limit, equals={"state": str(Outcome.STARTED)}
        )
        return [_record_from_item(item) for item in items]

    def summaries(self, limit: int) -> list[Record]:
        """The newest `limit` records without their durations and measurements: what choosing a rollback
        target needs, a small read however large the records' measurements grew."""
        fields = [name for name in Record.__dataclass_fields__ if name not in SUMMARY_OMITS]
        items = self._aws.query_newest_first(
            self._table, HISTORY_PK, limit, attributes=["sk", *(f for f in fields if f != "record_id")]
        )
        return [_record_from_item(item) for item in items]

    def _newest_summary(self, matches: Callable[[Record], bool]) -> Record | None:
        """The newest of the last 200 records that `matches`. It is nearly always among the newest few:
        those are read first, and the 200 only when none of them matches."""
        for limit in (10, 200):
            records = self.summaries(limit)
            found = next((record for record in records if matches(record)), None)
            if found is not None or len(records) < limit:
                return found
        return None

    def last_succeeded_switch(self) -> Record | None:
        return self._newest_summary(
            lambda record: record.action in TRAFFIC_ACTIONS and record.state == Outcome.SUCCEEDED
        )

    def last_traffic_move(self) -> Record | None:
        """The newest switch or rollback that moved (or may have moved) live traffic and stayed there."""
        return self._newest_summary(
            lambda record: (
                record.action in TRAFFIC_ACTIONS and record.state in (Outcome.SUCCEEDED, Outcome.INTERRUPTED)
            )
        )
