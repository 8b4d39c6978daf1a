"""What a function's Python path is built from."""

import os
import unicodedata

from overcast.execution.pool import stdlib_path


def test_stdlib_path_reaches_the_c_extensions_even_in_a_virtual_environment():
    # encodings.idna (used by every HTTP client) needs unicodedata from lib-dynload
    assert os.path.dirname(unicodedata.__file__) in stdlib_path()
    assert all("site-packages" not in entry for entry in stdlib_path())
