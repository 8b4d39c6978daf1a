"""The hosts file environments get: `localhost` moved to the platform's own loopback address."""

from overcast.invocation.localhost import hosts_file

MACHINE = """127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
172.17.0.2\tbuildbox # the machine's own name
"""


def test_localhost_points_at_the_platform_address():
    text = hosts_file("127.44.5.6", MACHINE)
    lines = text.splitlines()
    assert lines[0] == "127.44.5.6\tlocalhost localhost.localdomain"
    assert "172.17.0.2\tbuildbox # the machine's own name" in lines
    assert not any(line.startswith(("127.0.0.1", "::1")) for line in lines)
