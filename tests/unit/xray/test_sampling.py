"""Lambda's sampling in Active mode: the first invocation each second, then 5%, per function; a
header's decision is kept."""

from __future__ import annotations

from overcast.config import Config
from overcast.invocation.sampling import Sampler
from overcast.platform import Platform
from overcast.testing import FakeClock

ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"


def test_reservoir_of_one_a_second_then_five_percent():
    clock = FakeClock()
    platform = Platform(Config(in_memory=True), clock=clock)
    sampler = Sampler(platform)
    sampler._random.seed(7)
    assert sampler.sample(ARN)  # the reservoir
    later = [sampler.sample(ARN) for _ in range(4000)]
    assert 0.03 < sum(later) / len(later) < 0.07  # then about 5%
    assert sampler.sample(ARN.replace(":f", ":g"))  # another function has its own reservoir
    clock.advance(1.0)
    assert sampler.sample(ARN)  # a new second, a new reservoir
    platform.close()


def test_a_headers_decision_is_kept():
    platform = Platform(Config(in_memory=True), clock=FakeClock())
    sampler = Sampler(platform)
    sampler.sample(ARN)  # the reservoir is used up
    sampler._random.seed(1)
    assert all(sampler.sample(ARN, "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0") for _ in range(50))
    platform.close()
