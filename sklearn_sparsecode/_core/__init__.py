"""The shared machinery at the bottom of the package (private).

``bands`` (the :class:`Band` record), ``base`` (the estimator base and the
layer protocol), ``validation`` (image-input checks and shared parameter
constraints), ``batching`` (chunks and threads). Nothing here imports the
rest of the package.
"""
