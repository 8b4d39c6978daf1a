"""A relative data dir (the default `.overcast`) is made absolute when the platform starts: paths
under it are used from other working directories (a function's environment runs in its code folder
with the runtime's packages, under files/, on its path)."""

from pathlib import Path

from overcast.config import Config
from overcast.platform import Platform


def test_a_relative_data_dir_is_resolved_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    platform = Platform(Config(data_dir=Path(".overcast")))
    try:
        assert platform.config.data_dir == tmp_path / ".overcast"
        assert platform.files_dir == tmp_path / ".overcast" / "files"
        monkeypatch.chdir("/")
        assert platform.files_dir.is_dir()
    finally:
        platform.close()
