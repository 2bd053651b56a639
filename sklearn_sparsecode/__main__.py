"""``python -m sklearn_sparsecode``: the two-layer model demo (see ``_demo``)."""

import sys

from ._cli.main import main

if __name__ == "__main__":
    sys.exit(main())
