"""Every public function validates like an estimator (issue 20 item 2).

For each public function a minimal valid call is written here; then each bad value
of a shared parameter (batch_size, n_jobs, booleans passed as numbers, fractional or
None image shapes, non-boolean flags, wrong coefficient widths) must raise an error
that names the parameter — never a crash deep in numpy, never a silent answer.
"""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_sparsecode import contourlets, curvelets, layers, morlet, scattering, wavelets
from sklearn_sparsecode import restoration

RNG = np.random.default_rng(20)
IMAGES = RNG.normal(size=(2, 16, 16))
CODES = RNG.normal(size=(3, 10))

# name -> (function, minimal valid kwargs)
BATCHED = {
    "wavelet_transform": (wavelets.wavelet_transform, {"images": IMAGES}),
    "curvelet_transform": (curvelets.curvelet_transform, {"images": IMAGES}),
    "contourlet_transform": (contourlets.contourlet_transform,
                             {"images": IMAGES, "n_orientations": (4,)}),
    "morlet_transform": (morlet.morlet_transform, {"images": IMAGES}),
    "scattering_transform": (scattering.scattering_transform,
                             {"images": IMAGES, "n_scales": 1}),
    "threshold": (layers.threshold, {"X": CODES, "tau": 0.1}),
}
PLANS = {
    "plan_wavelets": (wavelets.plan_wavelets, {}),
    "plan_curvelets": (curvelets.plan_curvelets, {}),
    "plan_contourlets": (contourlets.plan_contourlets, {"n_orientations": (4,)}),
    "plan_morlet": (morlet.plan_morlet, {}),
    "plan_scattering": (scattering.plan_scattering, {"n_scales": 1}),
}


def test_minimal_calls_work():
    for func, kwargs in BATCHED.values():
        func(**kwargs)
    for func, kwargs in PLANS.values():
        func((16, 16), **kwargs)


@pytest.mark.parametrize("name", sorted(BATCHED))
@pytest.mark.parametrize("param, bad", [
    ("batch_size", 0), ("batch_size", True), ("batch_size", 1.5), ("batch_size", "auto"),
    ("n_jobs", 0), ("n_jobs", True), ("n_jobs", 1.5),
])
def test_batched_functions_refuse_bad_chunking(name, param, bad):
    func, kwargs = BATCHED[name]
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
        func(**kwargs, **{param: bad})


@pytest.mark.parametrize("name", sorted(PLANS))
@pytest.mark.parametrize("bad", [(16.5, 16), (16, None), None, (True, 16), (16,), "16x16"])
def test_plans_refuse_bad_image_shapes(name, bad):
    func, kwargs = PLANS[name]
    if name == "plan_wavelets" and bad == (16,):
        pytest.skip("wavelets also transform 1-D signals: (16,) is a valid sample shape")
    with pytest.raises((InvalidParameterError, ValueError, TypeError), match="image_shape"):
        func(bad, **kwargs)


@pytest.mark.parametrize("func, kwargs, param", [
    (wavelets.plan_wavelets, {"n_scales": True}, "n_scales"),
    (curvelets.plan_curvelets, {"n_scales": True}, "n_scales"),
    (curvelets.plan_curvelets, {"n_orientations": True}, "n_orientations"),
    (curvelets.plan_curvelets, {"decimated": "no"}, "decimated"),
    (morlet.plan_morlet, {"n_orientations": True}, "n_orientations"),
    (scattering.plan_scattering, {"max_order": True}, "max_order"),
    (contourlets.plan_contourlets, {"decimated": "no", "n_orientations": (4,)}, "decimated"),
])
def test_booleans_and_strings_are_not_numbers_or_flags(func, kwargs, param):
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
        func((16, 16), **kwargs)


@pytest.mark.parametrize("flag", ["keep_lowpass", "joint", "wiener"])
def test_denoise_flags_are_booleans(flag):
    # keep_lowpass="no" was read as True.
    with pytest.raises(InvalidParameterError, match=f"'{flag}' parameter"):
        restoration.denoise(RNG.random((32, 32)), sigma=0.1, **{flag: "no"})


@pytest.mark.parametrize("inverse, plan", [
    (wavelets.inverse_wavelet_transform, wavelets.plan_wavelets((16, 16))),
    (curvelets.inverse_curvelet_transform, curvelets.plan_curvelets((16, 16))),
    (contourlets.inverse_contourlet_transform,
     contourlets.plan_contourlets((16, 16), n_orientations=(4,))),
    (morlet.inverse_morlet_transform, morlet.plan_morlet((16, 16))),
])
def test_inverses_refuse_wrong_coefficient_widths(inverse, plan):
    # These were numpy broadcast errors.
    n = plan.bands[-1].stop
    for width in (n - 1, n + 1):
        with pytest.raises(ValueError, match=f"{n} coefficients"):
            inverse(np.ones((2, width)), plan=plan)


@pytest.mark.parametrize("name", sorted(BATCHED))
def test_nan_is_refused_and_input_unchanged(name):
    func, kwargs = BATCHED[name]
    data_key = "images" if "images" in kwargs else "X"
    bad = kwargs[data_key].copy()
    bad.flat[3] = np.nan
    before = bad.copy()
    with pytest.raises(ValueError, match="NaN"):
        func(**{**kwargs, data_key: bad})
    np.testing.assert_array_equal(bad, before)
