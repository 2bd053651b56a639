"""The shrinkage rules and the MAD constant of _core/shrinkage.py, against closed forms."""

import math

import numpy as np
import pytest
from scipy.special import erfinv
from scipy.stats import norm

from sklearn_sparsecode import threshold
from sklearn_sparsecode._core.shrinkage import (
    MAD_TO_SIGMA,
    mad_sigma,
    shrink,
    shrink_gain,
    tau_in_dtype,
)


def test_mad_constant_is_the_median_of_a_standard_half_normal():
    # Closed forms, written here: Φ⁻¹(3/4) = √2·erf⁻¹(1/2). A transposed 0.6475
    # (4% off) or a rounded 0.67 (0.7% off) fail; the usual 0.6745 is 1.5e-5 off.
    assert MAD_TO_SIGMA == pytest.approx(math.sqrt(2) * erfinv(0.5), rel=2e-5)
    assert MAD_TO_SIGMA == pytest.approx(norm.ppf(0.75), rel=2e-5)
    # And what it is for: median(|σ z|) / constant = σ, on exact quantiles.
    quantiles = norm.ppf(np.linspace(0.5, 1, 2001, endpoint=False)[1:])
    values = 0.3 * np.concatenate([quantiles, -quantiles])
    assert mad_sigma(values) == pytest.approx(0.3, rel=1e-3)


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
def test_same_entries_as_the_threshold_layer(rule):
    # ThresholdTransformer's documented behaviour (τ rounded down to the dtype,
    # garrote as x − τ(τ/x)) is what the shared rules do, in both dtypes.
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 64))
    for dtype in (np.float64, np.float32):
        xd = x.astype(dtype)
        np.testing.assert_array_equal(shrink(xd, 0.3, rule), threshold(xd, 0.3, mode=rule))


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
    gain = shrink_gain(np.abs(z), tau, rule)
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
        shrink_gain(np.ones(3), 0.5, "firm")
