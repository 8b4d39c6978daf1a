"""Sub-commands added to `overcast` besides `up` (see `_extra_commands()` in cli.py).

Each entry takes the argparse sub-parsers object and adds one sub-command whose `func` runs it.
"""

from __future__ import annotations

from overcast.cli_alexa import add_alexa_command
from overcast.cli_console import add_console_command
from overcast.cli_dev import add_debug_command
from overcast.cli_events import add_events_command
from overcast.cli_invoke import add_invoke_command
from overcast.cli_logs import add_logs_command
from overcast.cli_runtimes import add_runtimes_command
from overcast.cli_status import add_status_command
from overcast.deploy.command import add_deploy_command

COMMANDS = [add_logs_command, add_deploy_command, add_runtimes_command]
COMMANDS += [add_invoke_command, add_events_command, add_status_command]
COMMANDS += [add_debug_command]  # the developer's loop (cli_dev.py)
COMMANDS += [add_console_command]
COMMANDS += [add_alexa_command]
