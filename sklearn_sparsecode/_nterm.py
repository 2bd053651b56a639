"""Best n-term approximation errors of an image in Fourier, wavelet and curvelet systems."""

import numpy as np
import pywt

from ._curvelet import curvelet_transform, inverse_curvelet_transform, plan_curvelets


def _keep_largest(coefs, n):
    """Zero all but the n largest-magnitude entries (ties broken by argpartition)."""
    flat = coefs.ravel()
    if n >= flat.size:
        return coefs.copy()
    kept = np.zeros_like(flat)
    index = np.argpartition(np.abs(flat), flat.size - n)[flat.size - n:]
    kept[index] = flat[index]
    return kept.reshape(coefs.shape)


def nterm_errors(image, n_terms, system, **params):
    """Relative squared error ‖x − x_n‖² / ‖x‖² of n-term approximations.

    Parameters
    ----------
    image : ndarray of shape (height, width)
    n_terms : sequence of int
    system : {"fourier", "wavelet", "curvelet"}
        ``"fourier"``: the unitary DFT (complex exponentials, each complex
        coefficient one term). ``"wavelet"``: an orthogonal wavelet in
        periodization mode (``wavelet=...``, ``level=...``). ``"curvelet"``: the
        tight frame of :func:`curvelet_transform` (``n_scales``, ``n_angles``,
        ``finest``); x_n is the adjoint applied to the n largest coefficients,
        computed by an actual reconstruction since a frame has no Parseval
        identity for tails.

    Returns
    -------
    errors : ndarray of shape (len(n_terms),)
    """
    image = np.asarray(image, dtype=np.float64)
    energy = np.sum(image**2)
    if system == "fourier":
        tail = np.sort(np.abs(np.fft.fft2(image, norm="ortho")).ravel() ** 2)
        kept = np.cumsum(tail[::-1])
        return np.array([(energy - kept[min(n, kept.size) - 1]) / energy for n in n_terms])
    if system == "wavelet":
        wavelet = params.get("wavelet", "db4")
        coefs = pywt.wavedec2(image, wavelet, mode="periodization", level=params.get("level"))
        flat = np.sort(np.abs(pywt.coeffs_to_array(coefs)[0]).ravel() ** 2)
        kept = np.cumsum(flat[::-1])
        return np.array([(energy - kept[min(n, kept.size) - 1]) / energy for n in n_terms])
    if system == "curvelet":
        plan = plan_curvelets(image.shape, params.get("n_scales"), params.get("n_angles", 16),
                              params.get("finest", "curvelets"))
        coefs = curvelet_transform(image[None], plan=plan)[0]
        errors = []
        for n in n_terms:
            approx = inverse_curvelet_transform(_keep_largest(coefs, n)[None], image.shape,
                                                plan=plan)[0]
            errors.append(np.sum((image - approx) ** 2) / energy)
        return np.array(errors)
    raise ValueError(f"system must be 'fourier', 'wavelet' or 'curvelet'; got {system!r}.")


def fitted_slope(n_terms, errors):
    """Least-squares slope of log(error) against log(n)."""
    n_terms, errors = np.asarray(n_terms, float), np.asarray(errors, float)
    keep = errors > 0
    return float(np.polyfit(np.log(n_terms[keep]), np.log(errors[keep]), 1)[0])
