"""The orders verdict of `make bench`: every confirmed order readable afterwards, none placed twice."""

from __future__ import annotations

from localcloud.zero_downtime import OrderAttempt, audit_orders


def _stored(*numbers: str):  # type: ignore[no-untyped-def]
    return set(numbers).__contains__


def test_orders_confirmed_and_readable_are_placed_not_lost() -> None:
    # GIVEN two orders, each answered twice (the retry of a lost answer) with its own number
    attempts = [
        OrderAttempt("k1", ("ORD-00000001", "ORD-00000001"), True),
        OrderAttempt("k2", ("ORD-00000002", "ORD-00000002"), True),
    ]
    # WHEN both are read back
    audit = audit_orders(attempts, _stored("ORD-00000001", "ORD-00000002"))
    # THEN both count as placed, none lost, none duplicated
    assert (audit.placed, audit.lost, audit.duplicated, audit.unplaced) == (2, 0, 0, 0)
    assert audit.held


def test_a_confirmed_order_missing_afterwards_is_lost() -> None:
    attempts = [OrderAttempt("k1", ("ORD-00000001",), True), OrderAttempt("k2", ("ORD-00000002",), True)]
    audit = audit_orders(attempts, _stored("ORD-00000002"))
    assert audit.lost == 1 and not audit.held


def test_a_retry_answered_with_a_new_number_is_a_duplicate() -> None:
    # GIVEN a retry with the same Idempotency-Key that placed a second order
    attempts = [OrderAttempt("k1", ("ORD-00000001", "ORD-00000009"), True)]
    audit = audit_orders(attempts, _stored("ORD-00000001", "ORD-00000009"))
    assert audit.duplicated == 1 and not audit.held


def test_one_number_given_to_two_orders_is_a_duplicate() -> None:
    attempts = [OrderAttempt("k1", ("ORD-00000001",), True), OrderAttempt("k2", ("ORD-00000001",), True)]
    assert audit_orders(attempts, _stored("ORD-00000001")).duplicated == 1


def test_an_order_never_confirmed_is_unplaced_not_lost() -> None:
    # GIVEN an order whose every attempt failed: the client knows it has no order
    attempts = [OrderAttempt("k1", (), False)]
    audit = audit_orders(attempts, _stored())
    assert (audit.placed, audit.unplaced, audit.lost) == (0, 1, 0)
    assert audit.held
