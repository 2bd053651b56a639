"""The main job's figure: CV accuracy against τ, beside the winner's atoms.
"""


import numpy as np


def _with_atoms(step):
    """The fitted transform whose atoms can be drawn, or None.

    LocalPooling: the transform it pools; FeatureUnion: its first part that
    has atoms. Transforms without an inverse (ScatteringTransformer has no
    ``atom``) and "passthrough" give None.
    """
    parts = getattr(step, "transformer_list", None)
    if parts is not None:  # FeatureUnion
        return next((w for w in (_with_atoms(p) for _, p in parts) if w is not None), None)
    step = getattr(step, "transformer_", step)  # LocalPooling
    if hasattr(step, "atom") and hasattr(step, "bands_"):
        return step
    return None


def _atoms_image(model):
    """The winner's atoms (plot_atoms) rendered to an RGBA array, or None."""
    import matplotlib.pyplot as plt

    from ..plotting import plot_atoms

    W = _with_atoms(model["transform"])
    if W is None:
        return None
    try:
        fig = plot_atoms(W, max_per_scale=8)
    except (ValueError, TypeError, AttributeError):  # a transform plot_atoms cannot draw
        return None
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    return image


def _plot(result, model, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    settings, rows = result["settings"], result["rows"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8),
                                      gridspec_kw={"width_ratios": [1, 1.2]})
    for row in rows:
        taus = [p["tau"] for p in row["tau_curve"]]
        # x: τ as the fraction of |features| it zeroes, comparable across front ends.
        features_q = [0.0] + list(settings["tau_quantiles"][1:])
        x = features_q[:len(taus)] if len(taus) > 1 else [0.0]
        cv = [p["cv_accuracy"] for p in row["tau_curve"]]
        label = f"{row['front_end']} + {row['head']}: test {row['test_accuracy']:.3f}"
        if len(taus) == 1:  # no threshold (pixels): a reference line
            left.axhline(cv[0], color="grey", ls="--", label=label)
            continue
        line, = left.plot(np.multiply(x, 100), cv, marker="o",
                          label=label)
        best_x = 100 * x[taus.index(row["tau"])] if row["tau"] in taus else 0
        left.plot([best_x], [row["cv_accuracy"]], marker="*", ms=14, color=line.get_color())
    left.set_xlabel("τ: share of |W x| it zeroes (%)")
    left.set_ylabel(f"{settings['cv']}-fold CV accuracy (best C)")
    left.set_title("Accuracy against τ (★ = chosen τ)")
    left.legend(fontsize=8, loc="lower left")
    left.grid(alpha=0.3)
    image = _atoms_image(model)
    right.set_axis_off()
    if image is not None:
        right.imshow(image)
        right.set_title(f"Atoms of the winner: {result['winner']}")
    else:
        right.text(0.5, 0.5, f"winner: {result['winner']}\n(no atoms to draw)",
                   ha="center", va="center")
    v = settings["versions"]
    heads = ", ".join(f"{h} C∈{tuple(s['C'])}" for h, s in settings["heads"].items())
    fig.suptitle(f"{settings['dataset']}: {settings['n_train']} train / {settings['n_test']} test, "
                 f"{settings['cv']}-fold CV on {settings['n_tune']}; {heads}; "
                 f"{settings['shrinkage']} threshold\nsklearn-sparsecode {v['sklearn-sparsecode']}, "
                 f"scikit-learn {v['scikit-learn']}, numpy {v['numpy']}, {settings['date']}",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
