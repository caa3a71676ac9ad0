"""Reproducibility study: does fixed-point SmeLU reduce prediction differences?"""
