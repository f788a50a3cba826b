"""The release identity comes from the stack's environment; without it the cold start fails clearly."""

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from tests.handler_loader import Bundle, import_bundle


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({"APP_VERSION": "v1.0.0"}, "APP_COLOR"),
        ({"APP_COLOR": "purple", "APP_VERSION": "v1.0.0"}, "APP_COLOR"),
        ({"APP_COLOR": "blue"}, "APP_VERSION"),
        ({"APP_COLOR": "blue", "APP_VERSION": "1.0"}, "APP_VERSION"),
    ],
)
def test_cold_start_fails_without_a_valid_release(environ: dict[str, str], complaint: str) -> None:
    # GIVEN a function deployed without its release variables WHEN Lambda imports it THEN the import fails
    with pytest.raises(RuntimeError, match=complaint) as raised:
        import_bundle("blue", environ=environ)
    assert type(raised.value).__name__ == "ConfigurationError"


def test_release_is_read_from_the_environment_not_the_code() -> None:
    # GIVEN the blue bundle deployed with another version WHEN it answers THEN it reports that version
    bundle = import_bundle("blue", environ={"APP_COLOR": "green", "APP_VERSION": "v9.8.7"})
    assert bundle.app.RELEASE.color == "green"
    assert bundle.app.RELEASE.version == "v9.8.7"


def test_timestamps_are_utc_with_milliseconds_and_z(bundle: Bundle) -> None:
    utc_timestamp = bundle.modules["clock"].utc_timestamp
    moment = datetime(2026, 11, 22, 23, 50, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert utc_timestamp(moment) == "2026-11-22T21:50:00.123Z"
    assert utc_timestamp(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000Z"


def test_the_current_timestamp_follows_the_clock_across_seconds(
    bundle: Bundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = bundle.modules["clock"]
    # GIVEN the system clock at given nanoseconds since the epoch, moving within and across seconds
    readings = {
        1_795_737_000_123_456_789: "2026-11-26T23:50:00.123Z",
        1_795_737_000_999_999_999: "2026-11-26T23:50:00.999Z",  # truncated, as isoformat truncates
        1_795_737_001_000_000_000: "2026-11-26T23:50:01.000Z",
        1_795_737_000_500_000_000: "2026-11-26T23:50:00.500Z",  # the clock stepped back a second
        1_798_761_599_999_000_000: "2026-12-31T23:59:59.999Z",
        1_798_761_600_000_000_000: "2027-01-01T00:00:00.000Z",
    }
    for nanoseconds, expected in readings.items():
        # the clock module's own `time` only: the process's clock stays as it is for other threads
        monkeypatch.setattr(
            clock, "time", SimpleNamespace(time_ns=lambda nanoseconds=nanoseconds: nanoseconds)
        )
        # WHEN a timestamp is taken THEN it is that instant's, whatever second was taken before
        assert clock.utc_timestamp() == expected
        moment = datetime.fromtimestamp(nanoseconds // 10**9, UTC).replace(
            microsecond=nanoseconds // 1000 % 10**6
        )
        assert clock.utc_timestamp(moment) == expected


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({"IDEMPOTENCY_TABLE_NAME": "i"}, "ORDERS_TABLE_NAME"),
        ({"ORDERS_TABLE_NAME": " ", "IDEMPOTENCY_TABLE_NAME": "i"}, "ORDERS_TABLE_NAME"),
        ({"ORDERS_TABLE_NAME": "o"}, "IDEMPOTENCY_TABLE_NAME"),
    ],
)
def test_cold_start_fails_without_the_data_stack_tables(
    bundle: Bundle, environ: dict[str, str], complaint: str
) -> None:
    # GIVEN a color deployed without the data stack's table names WHEN it starts THEN it says which is missing
    settings = bundle.modules["settings"]
    with pytest.raises(settings.ConfigurationError, match=complaint):
        settings.load_tables(environ)


def test_table_names_come_from_the_environment(bundle: Bundle) -> None:
    tables = bundle.modules["settings"].load_tables({"ORDERS_TABLE_NAME": "o", "IDEMPOTENCY_TABLE_NAME": "i"})
    assert (tables.orders, tables.idempotency) == ("o", "i")
