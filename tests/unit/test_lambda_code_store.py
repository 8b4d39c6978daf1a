"""The Lambda code store: functions sharing one archive (a CDK app's single code asset) are created
at the same time, in threads; each must get the extracted code."""

from __future__ import annotations

import io
import threading
import zipfile

from overcast.services.lambda_.code import CodeStore


def archive(files: int = 200) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for index in range(files):
            zipped.writestr(f"pkg/module_{index}.py", f"VALUE = {index}\n" * 50)
    return buffer.getvalue()


def test_the_same_archive_stored_by_many_threads_at_once(tmp_path):
    data = archive()
    store = CodeStore(tmp_path)
    start = threading.Barrier(8)
    results: list[object] = []

    def put() -> None:
        start.wait()
        try:
            results.append(store.put(data))
        except Exception as error:  # the assertion below shows it
            results.append(error)

    threads = [threading.Thread(target=put) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r for r in results if isinstance(r, Exception)] == []
    folder = results[0].folder  # type: ignore[attr-defined]
    assert len(list((folder / "pkg").iterdir())) == 200
    assert store.archive(results[0].sha_hex) == data  # type: ignore[attr-defined]
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no staging left behind
