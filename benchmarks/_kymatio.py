"""Kymatio's numpy Scattering2D as a front end, run in its own interpreter.

Kymatio 0.3 does not import with SciPy >= 1.17, so it lives in its own venv:

    python3 -m venv kyvenv && kyvenv/bin/pip install "scipy<1.17" kymatio

:class:`KymatioScattering` writes the images to a temporary .npy file, runs
``kymatio_worker.py`` with that interpreter and reads the features back
(cached on disk by a hash of the images and parameters, so the 70,000
Fashion-MNIST images are computed once). ``power`` compresses orders >= 1
as our ``compression`` does.
"""

import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

HERE = Path(__file__).resolve().parent
DEFAULT_PYTHON = os.environ.get("KYMATIO_PYTHON", "kyvenv/bin/python")
CACHE = Path(tempfile.gettempdir()) / "kymatio_features"


class KymatioScattering(TransformerMixin, BaseEstimator):
    def __init__(self, *, J=2, L=8, max_order=2, power=0.5, python=None, n_jobs=None):
        self.J = J
        self.L = L
        self.max_order = max_order
        self.power = power
        self.python = python
        self.n_jobs = n_jobs  # Kymatio's numpy backend is single-threaded

    def fit(self, X, y=None):
        self.input_shape_ = np.asarray(X).shape[1:]
        return self

    def transform(self, X):
        X = np.ascontiguousarray(X, dtype=np.float32)
        key = hashlib.sha1(X.tobytes() + repr((self.J, self.L, self.max_order)).encode())
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"{key.hexdigest()}.npy"
        if not path.exists():
            with tempfile.TemporaryDirectory() as tmp:
                images = Path(tmp) / "images.npy"
                np.save(images, X)
                result = subprocess.run(
                    [self.python or DEFAULT_PYTHON, str(HERE / "kymatio_worker.py"),
                     str(images), str(path), "--J", str(self.J), "--L", str(self.L),
                     "--max-order", str(self.max_order)],
                    capture_output=True, text=True, check=True)
                self.report_ = json.loads(result.stdout.strip().splitlines()[-1])
        S = np.load(path)
        first = S.shape[1] // self._n_channels()  # order 0: the first channel
        if self.power != 1:
            S[:, first:] = np.maximum(S[:, first:], 0) ** self.power
        return S

    def _n_channels(self):
        J, L = self.J, self.L
        return 1 + J * L + (L * L * J * (J - 1) // 2 if self.max_order == 2 else 0)
