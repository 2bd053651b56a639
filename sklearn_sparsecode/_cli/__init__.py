"""The command line (``python -m sklearn_sparsecode``): the main job that compares front ends."""
