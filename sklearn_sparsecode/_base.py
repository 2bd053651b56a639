"""What the fixed multiscale transforms share beyond input validation."""

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ._validation import FLOAT_DTYPES


# Fields of ``feature_layout()`` on the multiscale transformers and LocalPooling.
LAYOUT_DTYPE = [("scale", np.int64), ("band", "U16"), ("orientation", np.float64),
                ("row", np.int64), ("col", np.int64)]


def fill_positions(columns, shape):
    """Write the row/col of every position of a band of ``shape`` (col -1 for 1-D)."""
    index = np.indices(shape).reshape(len(shape), -1)
    columns["row"] = index[0]
    columns["col"] = index[1] if len(shape) == 2 else -1


class ImageInputMixin:
    """Tags of the estimators that take image batches and keep float32."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class MultiscaleTransformMixin(ImageInputMixin):
    """Coefficient checks and atoms of a fitted transform with ``bands_``.

    The estimator must define ``bands_`` (records with ``start``/``stop``
    columns), ``input_shape_`` and ``inverse_transform``.
    """

    def _check_coefficients(self, X):
        """Validate the input of ``inverse_transform``.

        Not ``validate_data``: the columns are coefficients, not the
        ``n_features_in_`` input features.
        """
        coefs = check_array(X, dtype=FLOAT_DTYPES)
        n_coefs = self.bands_[-1].stop
        if coefs.shape[1] != n_coefs:
            raise ValueError(
                f"X has {coefs.shape[1]} columns, but {type(self).__name__} produces "
                f"{n_coefs} coefficients per sample."
            )
        return coefs

    def atom(self, column: int) -> np.ndarray:
        """The atom of one output column: the inverse transform of a unit coefficient.

        ``transform(X)[:, column]`` is the inner product of each sample with
        this atom (the transforms here are orthonormal bases or tight frames,
        whose analysis and synthesis atoms coincide). Tight-frame atoms have
        norm at most 1.

        Parameters
        ----------
        column : int
            Index into the output columns (see ``bands_``).

        Returns
        -------
        atom : ndarray of shape ``input_shape_``
        """
        check_is_fitted(self)
        unit = np.zeros((1, self.bands_[-1].stop))
        unit[0, column] = 1.0
        return np.asarray(self.inverse_transform(unit)).reshape(self.input_shape_)

    def feature_layout(self) -> np.ndarray:
        """Where every output column comes from, as a numpy structured array.

        One record per column with fields ``scale`` (wavelet level or curvelet
        scale; 1 is the finest wavelet level but the coarsest curvelet scale),
        ``band`` (``"aa"``, ``"da"``, ... for wavelets; ``"lowpass"``,
        ``"fine"`` or ``"a{angle}_{re|im}"`` for curvelets), ``orientation``
        (degrees, NaN where undefined) and ``row``, ``col`` (position within the
        band; ``col`` is -1 for 1-D signals). ``pandas.DataFrame(layout)`` makes
        it a table; boolean masks on it select the columns of a band.
        """
        check_is_fitted(self)
        layout = np.empty(self.bands_[-1].stop, dtype=LAYOUT_DTYPE)
        for band in self.bands_:
            columns = layout[band.start:band.stop]
            if hasattr(band, "level"):  # wavelet Band
                columns["scale"], columns["band"] = band.level, band.name
                columns["orientation"] = np.nan
            else:  # CurveletBand
                columns["scale"] = band.scale
                if band.angle is None:
                    columns["band"] = "lowpass" if band.scale == 1 else "fine"
                    columns["orientation"] = np.nan
                else:
                    columns["band"] = f"a{band.angle}_{band.part}"
                    columns["orientation"] = band.orientation
            fill_positions(columns, band.shape)
        return layout
