"""The engine's deletes: dependents first, and a resource that fails keeps what it depends on.

Pure: a stack stand-in whose resource map records each delete; no backend is called.
"""

from dataclasses import dataclass, field
from typing import Any

from localcloud.extensions.cfn_engine import Doomed, clean_up, delete_resources

CHAIN = {
    "Root": {"Type": "AWS::SQS::Queue"},
    "Leaf": {"Type": "AWS::SQS::Queue", "DependsOn": "Mid"},
    "Mid": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["Root", "QueueName"]}}},
    "Other": {"Type": "AWS::SQS::Queue"},
}


@dataclass
class _Resource:
    physical_resource_id: str


@dataclass
class _ResourceMap:
    refuse: set[str]
    deleted: list[str] = field(default_factory=list)
    _parsed_resources: dict[str, Any] = field(default_factory=dict)
    lc_applied: dict[str, Any] = field(default_factory=dict)

    def _delete_resource(self, resource: _Resource, resource_json: dict[str, Any]) -> None:
        if resource.physical_resource_id in self.refuse:
            raise RuntimeError(f"{resource.physical_resource_id} is in use")
        self.deleted.append(resource.physical_resource_id)


@dataclass
class _Stack:
    resource_map: _ResourceMap
    stack_id: str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1"
    name: str = "s"
    events: list[Any] = field(default_factory=list)


def _stack(refuse: set[str] | None = None) -> _Stack:
    resource_map = _ResourceMap(refuse or set())
    for name, json in CHAIN.items():
        resource_map._parsed_resources[name] = _Resource(name)
        resource_map.lc_applied[name] = (json, {})
    return _Stack(resource_map)


def test_a_stack_delete_removes_dependents_before_what_they_reference() -> None:
    stack = _stack()

    failed = delete_resources(stack, CHAIN, set(CHAIN))

    assert failed == []
    deleted = stack.resource_map.deleted
    assert sorted(deleted) == sorted(CHAIN)
    assert deleted.index("Leaf") < deleted.index("Mid") < deleted.index("Root")
    assert stack.resource_map.lc_applied == {}


def test_a_resource_that_cannot_be_deleted_keeps_what_it_depends_on() -> None:
    # GIVEN Mid refuses to go
    stack = _stack(refuse={"Mid"})

    failed = delete_resources(stack, CHAIN, set(CHAIN))

    # THEN Root, which Mid references, stays too; the rest goes
    assert failed == ["Mid"]
    assert stack.resource_map.deleted == ["Leaf", "Other"]
    assert set(stack.resource_map.lc_applied) == {"Mid", "Root"}


def test_a_cleanup_deletes_replaced_old_resources_without_forgetting_the_new_ones() -> None:
    # GIVEN Root was replaced (its old resource waits for cleanup) and Leaf was removed
    stack = _stack()
    old_root = _Resource("Root-old")

    clean_up(
        stack,
        [
            Doomed("Root", old_root, CHAIN["Root"], current=False),
            Doomed("Leaf", stack.resource_map._parsed_resources["Leaf"], CHAIN["Leaf"]),
            Doomed("Mid", _Resource("Mid-old"), CHAIN["Mid"], current=False, retain=True),
        ],
    )

    # THEN dependents go first, a retained old resource stays, and Root is still the stack's
    assert stack.resource_map.deleted == ["Leaf", "Root-old"]
    assert "Root" in stack.resource_map.lc_applied and "Leaf" not in stack.resource_map.lc_applied
    skipped = [e.resource_status for e in stack.events if e.logical_resource_id == "Mid"]
    assert skipped == ["DELETE_SKIPPED"]
