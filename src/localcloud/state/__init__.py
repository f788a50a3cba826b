"""State that outlives a `localcloud up`: snapshots of moto's backends and metrics, and code pruning."""

from localcloud.state.code import live_code_dirs, prune_code, reset_state
from localcloud.state.snapshot import SNAPSHOT, SnapshotError, Snapshotter, dump, load

__all__ = [
    "SNAPSHOT",
    "SnapshotError",
    "Snapshotter",
    "dump",
    "live_code_dirs",
    "load",
    "prune_code",
    "reset_state",
]
