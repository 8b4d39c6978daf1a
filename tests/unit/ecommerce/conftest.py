"""The e-commerce handlers are plain modules in examples/ecommerce/functions (Lambda imports them
from the code folder's root): put that folder first on the path, as Lambda does."""

import sys
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[3] / "examples" / "ecommerce" / "functions"
if str(FUNCTIONS) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS))
