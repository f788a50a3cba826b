"""Route 53 hosted zone ids look like AWS's: "Z" followed by upper-case letters and digits.

moto draws 22 random upper-case alphanumerics, so a template whose parameter checks the AWS form
(AllowedPattern "^Z[A-Z0-9]+$") could not deploy against it.
Doc: https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZone.html
"""

from collections.abc import Callable
from typing import Any

from localcloud.patches import Patch, register

from ._moto import route53


def _starting_with_z(generate: Callable[..., str]) -> Callable[..., str]:
    def zone_id(*args: Any, **kwargs: Any) -> str:
        drawn = generate(*args, **kwargs)
        return drawn if drawn.startswith("Z") else f"Z{drawn[1:]}"

    return zone_id


register(
    __name__,
    Patch(route53, "create_route53_zone_id", "hosted zone ids start with Z", wrap=_starting_with_z),
)
