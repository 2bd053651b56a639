"""The cartoon generator and the n-term approximation comparison."""

import numpy as np
import pytest

from sklearn_sparsecode._nterm import _keep_largest, fitted_slope, nterm_errors
from sklearn_sparsecode.datasets import make_cartoon


def test_cartoon_is_piecewise_smooth_and_reproducible():
    a = make_cartoon(64, random_state=3)
    np.testing.assert_array_equal(a, make_cartoon(64, random_state=3))
    assert not np.array_equal(a, make_cartoon(64, random_state=4))
    assert a.shape == (64, 64) and 0 <= a.min() and a.max() <= 1
    # Two levels of value (inside ~0.7, outside ~0.2) with a sharp edge between.
    assert np.mean(a > 0.45) > 0.1 and np.mean(a < 0.45) > 0.1
    assert make_cartoon((32, 48), random_state=0).shape == (32, 48)
    with pytest.raises(ValueError, match="size"):
        make_cartoon(2)


def test_keep_largest():
    x = np.array([3.0, -5.0, 1.0, 4.0])
    np.testing.assert_array_equal(_keep_largest(x, 2), [0, -5.0, 0, 4.0])


def test_errors_are_decreasing_and_exact_at_full_size():
    image = make_cartoon(64, random_state=0)
    ns = [10, 100, 1000, 4096]
    for system in ["fourier", "wavelet"]:
        errors = nterm_errors(image, ns, system)
        assert np.all(np.diff(errors) <= 1e-15) and errors[-1] == pytest.approx(0, abs=1e-12)
    curvelet = nterm_errors(image, [10, 100, 1000, 20000], "curvelet")
    assert np.all(np.diff(curvelet) <= 1e-15) and curvelet[-1] < 1e-20


def test_ordering_and_slopes_on_a_256_cartoon():
    # Measured behaviour at this size (benchmarks/bench_nterm.py has the full
    # table): Fourier decays like n^-1/2, and both wavelets and curvelets far
    # faster; in the small-n range curvelets decay faster than Haar wavelets.
    # At these sizes orthogonal wavelets still have the lower error in absolute
    # terms, so that is not asserted the other way round.
    image = make_cartoon(256, random_state=0)
    N = image.size
    ns = np.unique(np.geomspace(N / 4000, N / 8, 16).astype(int))
    small = ns <= N / 100
    fourier = nterm_errors(image, ns, "fourier")
    haar = nterm_errors(image, ns, "wavelet", wavelet="haar")
    curvelet = nterm_errors(image, ns, "curvelet", n_angles=8)
    assert -0.7 <= fitted_slope(ns[small], fourier[small]) <= -0.4
    assert -1.4 <= fitted_slope(ns[small], haar[small]) <= -0.8
    assert fitted_slope(ns[small], curvelet[small]) < fitted_slope(ns[small], haar[small])
    # Large n: both multiscale systems beat Fourier by a wide margin.
    assert curvelet[-1] < fourier[-1] / 10 and haar[-1] < fourier[-1] / 10
