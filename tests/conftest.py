"""Shared test set-up.

Integration tests talk to one real overcast server per session (the `overcast_server` fixture of
`overcast.testing.plugin`), with AWS's timers scaled by 0.01 unless OVERCAST_TIME_SCALE says
otherwise. Tests that need their own server (restarts, crashes, another time scale) start one with
`overcast.testing.OvercastServer`.
"""

import os

os.environ.setdefault("OVERCAST_TIME_SCALE", "0.01")
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
