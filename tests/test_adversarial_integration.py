"""Adversarial probes of the integrator's part (validation, layout, dtype handling).

Written before the architecture change; each probe notes the behaviour seen
then. All of them pass now (bools are refused by the package's ``Interval``,
sample shapes and pooling grids are checked by name).
"""

import tracemalloc

import numpy as np
import pytest
import sklearn

from sklearn_sparsecode import LocalPooling, ThresholdTransformer, WaveletTransformer
from sklearn_sparsecode.curvelets import curvelet_transform, plan_curvelets
from sklearn_sparsecode.layers import pool_coefficients, threshold, universal_threshold
from sklearn_sparsecode.wavelets import max_n_scales, wavelet_transform

X16 = np.random.default_rng(0).random((4, 16, 16))
PLAN = plan_curvelets((16, 16), n_scales=2, n_orientations=4)
C16 = curvelet_transform(X16, plan=PLAN)
ERRORS = (ValueError, TypeError)


@pytest.mark.parametrize("factory", [
    lambda: WaveletTransformer(n_scales=True),  # was: accepted as level 1
    lambda: ThresholdTransformer(tau=True),  # was: accepted as τ = 1
    lambda: ThresholdTransformer(top_k=True),  # was: accepted as k = 1
    lambda: LocalPooling(transformer=WaveletTransformer(wavelet="haar", n_scales=1), grid=True),
])
def test_bools_are_not_numbers(factory):
    with pytest.raises(ERRORS):
        factory().fit(X16)


@pytest.mark.parametrize("call", [
    lambda: wavelet_transform(X16, wavelet=3),                     # AttributeError
    lambda: wavelet_transform(X16, batch_size=0),                  # accepted (coerced to 1)
    lambda: wavelet_transform(X16.astype(complex) + 1j),           # imaginary part dropped
    lambda: max_n_scales((0, 16), "db2"),  # accepted (still)
    lambda: curvelet_transform(X16, n_scales=0),                   # IndexError
    lambda: curvelet_transform(X16, n_scales=1),                   # IndexError
    lambda: curvelet_transform(X16, n_scales=2.5),                 # coerced to 2
    lambda: pool_coefficients(C16, PLAN.bands, grid=0),            # ZeroDivisionError
    lambda: pool_coefficients(C16, PLAN.bands, grid=1.5),          # accepted
    lambda: pool_coefficients(C16, PLAN.bands, power=-1),          # accepted (inf features)
    lambda: pool_coefficients(C16, [], grid=2),                    # IndexError
    lambda: threshold(X16[:, 0], tau=True),                        # accepted
    lambda: threshold(X16[:, 0], top_k=1.5),                       # accepted (all kept)
    lambda: threshold(X16[:, 0], batch_size=0),                    # accepted
    lambda: threshold(np.ones((2, 2), complex)),                   # imaginary part dropped
    lambda: universal_threshold(np.zeros((0, 3))),                 # nan with a warning
], ids=["wavelet=3", "wt-batch_size=0", "wt-complex", "max_level-0", "n_scales=0", "n_scales=1",
        "n_scales=2.5", "pool-grid=0", "pool-grid=1.5", "pool-power=-1", "pool-no-bands",
        "threshold-tau=True", "threshold-top_k=1.5", "threshold-batch_size=0",
        "threshold-complex", "universal-empty"])
def test_public_functions_validate_their_parameters(call):
    with pytest.raises(ERRORS):
        call()


@pytest.mark.parametrize("call", [
    lambda X: wavelet_transform(X, wavelet="haar", n_scales=1),
    lambda X: threshold(X.reshape(0, 256), 0.1),
    lambda X: WaveletTransformer(wavelet="haar", n_scales=1).fit(X),
])
def test_empty_batch_is_refused_by_name(call):
    # was: "The 'n' parameter of gen_batches must be an int in the range [1, inf)"
    with pytest.raises(ValueError, match="0 sample"):
        call(np.zeros((0, 16, 16)))


def test_positional_constructor_arguments_are_refused():
    with pytest.raises(TypeError):
        WaveletTransformer("db2", 2)


def test_local_pooling_drops_stale_feature_names_on_refit():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X16.reshape(4, -1), columns=[f"p{i}" for i in range(256)])
    est = LocalPooling(transformer=WaveletTransformer(wavelet="haar", n_scales=1,
                                                      image_shape=(16, 16)), grid=2)
    est.fit(frame)
    assert hasattr(est, "feature_names_in_")
    est.fit(X16.reshape(4, -1))
    assert not hasattr(est, "feature_names_in_")


@pytest.mark.parametrize("dtype", [np.uint8, np.float16])
def test_low_precision_input_is_converted_per_chunk(dtype):
    # Was: the whole batch converted to float64 before chunking, so the working
    # set grows with n (bench_memory.py: uint8 wavelets 97 -> 846 MiB from 5k to 60k).
    X = (np.random.default_rng(0).random((4000, 28, 28)) * 255).astype(dtype)
    est = WaveletTransformer(wavelet="haar", n_scales=1).fit(X[:2])
    with sklearn.config_context(working_memory=1):
        tracemalloc.start()
        out = est.transform(X)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    whole_batch_float64 = X.size * 8
    assert peak - out.nbytes < whole_batch_float64 / 4
