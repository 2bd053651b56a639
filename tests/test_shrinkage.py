"""The shrinkage rules and the MAD constant of _core/shrinkage.py, against closed forms."""

import math

import numpy as np
import pytest
from scipy.special import erfinv
from scipy.stats import norm

from sklearn_sparsecode import WaveletTransformer
from sklearn_sparsecode._core.shrinkage import (
    MAD_TO_SIGMA,
    robust_sigma,
    shrink_into,
    shrinkage_gain,
    tau_in_dtype,
)
from sklearn_sparsecode.layers import threshold
from sklearn_sparsecode.restoration._engine import Settings, Stage
from sklearn_sparsecode.restoration._plans import transform_info


def shrink(x, tau, rule):
    """The rule into a new array, τ rounded down to x's dtype (as every caller does)."""
    x = np.asarray(x)
    return shrink_into(x, np.empty_like(x), tau_in_dtype(tau, x.dtype), rule)


def test_mad_constant_is_the_median_of_a_standard_half_normal():
    # Closed forms, written here: Φ⁻¹(3/4) = √2·erf⁻¹(1/2). A transposed 0.6475
    # (4% off) or a rounded 0.67 (0.7% off) fail; the usual 0.6745 is 1.5e-5 off.
    assert MAD_TO_SIGMA == pytest.approx(math.sqrt(2) * erfinv(0.5), rel=2e-5)
    assert MAD_TO_SIGMA == pytest.approx(norm.ppf(0.75), rel=2e-5)
    # And what it is for: median(|σ z|) / constant = σ, on exact quantiles.
    quantiles = norm.ppf(np.linspace(0.5, 1, 2001, endpoint=False)[1:])
    values = 0.3 * np.concatenate([quantiles, -quantiles])
    assert robust_sigma(values) == pytest.approx(0.3, rel=1e-3)


def _reference(x, tau, rule):
    """The rules written out per entry in plain Python floats."""
    out = []
    for v in x:
        if abs(v) <= tau:
            out.append(0.0)
        elif rule == "hard":
            out.append(v)
        elif rule == "soft":
            out.append(math.copysign(abs(v) - tau, v))
        else:
            out.append(v - tau * tau / v)
    return np.array(out)


@pytest.mark.parametrize("rule", ["hard", "soft", "garrote"])
def test_rules_against_written_out_formulas(rule):
    x = np.random.default_rng(0).normal(size=500) * 3
    x[:3] = [1.5, -1.5, 0.0]  # ties at τ are dropped, zero stays zero
    np.testing.assert_allclose(shrink(x, 1.5, rule), _reference(x, 1.5, rule), atol=1e-14)


@pytest.mark.parametrize("rule", ["hard", "soft", "garrote"])
def test_per_entry_thresholds_broadcast(rule):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 50))
    tau = rng.uniform(0, 1, size=(4, 1))
    expected = np.stack([_reference(row, t, rule) for row, t in zip(x, tau[:, 0])])
    np.testing.assert_allclose(shrink(x, tau, rule), expected, atol=1e-14)


@pytest.mark.parametrize("rule", ["hard", "soft", "garrote"])
def test_denoiser_bands_shrink_as_the_threshold_layer(rule):
    # The denoiser's band thresholding (fixed τ = k·σ, unit analysis norms of an
    # orthonormal wavelet, low-pass included) gives exactly what the threshold
    # layer gives on the same coefficients, in both dtypes, ties at τ included.
    stage = Stage(transform_info(WaveletTransformer(wavelet="db2", n_scales=2), (16, 16)))
    settings = Settings(method="fixed", shrinkage=rule, k=3.0, keep_lowpass=False)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 256))
    x[:, :4] = [0.375, -0.375, 0.0, np.nextafter(0.375, 1)]  # ties at τ = 3 × 0.125, above
    for dtype in (np.float64, np.float32):
        coefs = x.astype(dtype)
        expected = threshold(coefs, 0.375, shrinkage=rule)
        stage.threshold(coefs, np.full(4, 0.125), settings)
        np.testing.assert_array_equal(coefs, expected)


@pytest.mark.parametrize("rule", ["hard", "soft", "garrote"])
def test_in_place_equals_out_of_place(rule):
    x = np.random.default_rng(4).normal(size=(5, 40))
    tau = tau_in_dtype(np.linspace(0.1, 1.0, 5)[:, None], x.dtype)
    expected = shrink_into(x, np.empty_like(x), tau, rule)
    np.testing.assert_allclose(expected, [_reference(r, t, rule) for r, t in zip(x, tau[:, 0])],
                               atol=1e-14)
    shrink_into(x, x, tau, rule)
    np.testing.assert_array_equal(x, expected)


def test_tau_is_rounded_down_to_the_dtype():
    tau = 0.1  # not a float32: float32(0.1) > 0.1
    t32 = tau_in_dtype(tau, np.float32)
    assert t32.dtype == np.float32 and float(t32) <= tau
    assert float(np.nextafter(t32, np.float32(1))) > tau
    x = np.array([np.float32(0.1)], dtype=np.float32)  # 0.1000000015 > 0.1: kept
    assert shrink(x, tau, "hard")[0] == x[0]
    assert shrink(x.astype(np.float64), tau, "hard")[0] == np.float64(np.float32(0.1))
    # Arrays too, and τ beyond the range stays finite.
    np.testing.assert_array_equal(tau_in_dtype(np.array([0.1, 1e40]), np.float32),
                                  [t32, np.finfo(np.float32).max])


def test_garrote_does_not_overflow():
    x = np.array([3e38, -3e38, 1e38], dtype=np.float32)
    out = shrink(x, 2e38, "garrote")
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out[:2], [3e38 - 4e38 / 3, -3e38 + 4e38 / 3], rtol=1e-6)
    assert out[2] == 0


@pytest.mark.parametrize("rule, expected", [
    ("hard", lambda m, t: 1.0),
    ("soft", lambda m, t: 1 - t / m),
    ("garrote", lambda m, t: 1 - t**2 / m**2),
])
def test_gain_on_complex_coefficients_keeps_the_phase(rule, expected):
    # For z = m·e^{iφ}: z·gain(|z|) has the phase of z and modulus ρ(m).
    rng = np.random.default_rng(3)
    z = rng.normal(size=300) + 1j * rng.normal(size=300)
    tau = 0.8
    gain = shrinkage_gain(np.abs(z), tau, rule)
    for zi, g in zip(z, gain):
        m = abs(zi)
        assert g == pytest.approx(expected(m, tau) if m > tau else 0.0, abs=1e-14)
    shrunk = z * gain
    kept = np.abs(z) > tau
    np.testing.assert_allclose(np.angle(shrunk[kept]), np.angle(z[kept]), atol=1e-12)
    if rule == "garrote":  # modulus m − τ²/m: the garrote of the modulus
        np.testing.assert_allclose(np.abs(shrunk[kept]),
                                   np.abs(z[kept]) - tau**2 / np.abs(z[kept]), rtol=1e-12)


def test_unknown_rule():
    with pytest.raises(ValueError, match="shrinkage must be one of"):
        shrink(np.ones(3), 0.5, "median")
    with pytest.raises(ValueError, match="shrinkage must be one of"):
        shrink(np.ones(3), 0.5, "Soft")
    with pytest.raises(ValueError, match="shrinkage must be one of"):
        shrinkage_gain(np.ones(3), 0.5, "firm")
